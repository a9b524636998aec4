"""How quickly the bot answers button presses while it works: `python -m bench.responsiveness`.

Pointage's Application runs in the bench's process on a SQLite file database, against the Bot
API stand-in over HTTP on 127.0.0.1 (no rate limiter). 20 simulated users press review buttons
in turn: accept a line, open the category picker, show the next page. A press's time runs
from its update being offered (its scheduled arrival) to both of its Bot API calls, the
answer and the edit, reaching the stand-in. The event loop's stall is measured by the 5 ms
ticker of bench/stall.py. Three phases:

- quiet: presses at Poisson intervals offering 30 presses/s for all the users together;
- busy: the same offered presses while another user's 24-month first import of the demo bank
  runs through the services and the first pages of 10,000 users' daily summaries are built
  and rendered as bench.digest does, without sending; the phase lasts as long as that work;
- saturation: each user presses again as soon as the last press is answered and edited.

The same-run baseline is the same users and phases against a bare PTB handler that makes the
same Bot API calls, with payloads captured from Pointage's quiet phase, and no database.

Prints medians of `--repeat` runs (3), each on a fresh database: quiet_press_p50_ms,
quiet_press_p99_ms, quiet_max_loop_stall_ms, busy_press_p50_ms, busy_press_p99_ms,
busy_max_loop_stall_ms, busy_digest_build_s, busy_import_s, saturation_presses_per_s,
baseline_quiet_press_p99_ms, baseline_saturation_presses_per_s. What the run saw besides
(presses done, unfinished, the machine's load) goes to stderr.

Goals on a 2-core machine (not asserted here):
- quiet_press_p99_ms <= baseline_quiet_press_p99_ms + 25;
- busy_press_p99_ms <= 150 and busy_max_loop_stall_ms <= 100 (the rule is 50 ms per step;
  the ticker's period and scheduling noise get the rest);
- busy_digest_build_s <= 2 x the build_s of `python -m bench.digest` in the same run;
- saturation_presses_per_s >= 0.5 x baseline_saturation_presses_per_s.
"""
