"""The responsiveness bench, run small: every line it must print, each with a number."""

from __future__ import annotations

import io
import re

from bench.responsiveness.run import NAMES, main

TINY = [
    *("--repeat", "1", "--seconds", "0.5", "--rate", "60"),
    *("--digest-users", "30", "--months", "2"),
]


def test_a_small_run_prints_every_required_line_with_a_number() -> None:
    out, log = io.StringIO(), io.StringIO()
    assert main(TINY, out=out, log=log) == 0
    lines = out.getvalue().splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [name for name, _ in NAMES]
    values = {name: float(value) for name, value in (line.split("=", 1) for line in lines)}
    assert all(value >= 0 for value in values.values())
    assert 0 < values["quiet_press_p50_ms"] <= values["quiet_press_p99_ms"]
    assert 0 < values["busy_press_p50_ms"] <= values["busy_press_p99_ms"]
    assert values["busy_digest_build_s"] > 0 and values["busy_import_s"] > 0
    assert values["saturation_presses_per_s"] > 0
    assert values["baseline_saturation_presses_per_s"] > 0
    unfinished = re.findall(r"(\d+) unfinished", log.getvalue())
    assert len(unfinished) == 5 and set(unfinished) == {"0"}, log.getvalue()
