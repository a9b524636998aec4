"""Replays a labeled bank file as a new French user would, and grades the suggestions.

`python -m bench.categorize FILE [--repeat N] [--sweep] [--show-errors]`, or `--all DIR` for
every stream of a folder (bench/data/streams, written by bench.make_streams): each stream's
scores prefixed `<stream>.`, then the means under the one-file names, and the weakest stream's.

FILE is UTF-8, `;`-separated, header `date;amount;label;account_code`, ISO dates, dot decimals,
lines in date order. The user starts with the PCG chart, no rules and an empty memory, and has
auto-accept on at AUTO_ACCEPT_THRESHOLD. Each line gets a suggestion, then the true account is
applied as the user's decision (a code the chart lacks is created first) and memory learns it.

The user makes a rule the way "Always file X under Y?" is answered by someone who only says yes
when it is true so far: at the second correction of a payee (same direction) to the same account,
if every line of that payee in that direction went there. Correcting a line a rule filed deletes
the rule.

Prints `name=value` lines, medians over N runs (accuracy is deterministic): lines, top1_accuracy
(every line, the first days included), repeat_payee_accuracy (lines whose normalized payee was
seen before), auto_accept_rate (share of lines accepted without review: confidence at or above
the threshold, or an auto-accept rule) and auto_accept_precision (share of those right; 1 when
none), rules_created, accounts_created, replay_ms, suggest_ms_per_line (one suggestion against
the memory of the whole file: what a book with that history costs per imported line); then the
same-run baseline, "remember normalized payees alone": the last account used for the payee,
auto-accepted once its last two lines agree.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, TextIO

from bot.categorize.cascade import (
    AUTO_ACCEPT_THRESHOLD,
    LineFacts,
    Memory,
    RuleSpec,
    Source,
    Suggestion,
    suggest,
)
from bot.categorize.payees import label_details, normalize_payee
from bot.charts import TEMPLATES, ChartTemplate
from bot.domain.money import Money

HEADER: Final = ("date", "amount", "label", "account_code")
CURRENCY: Final = "EUR"
SWEEP: Final = (0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0)

PCG_NAMES: Final[dict[str, str]] = {
    "2154": "Matériel industriel",
    "601": "Achats stockés – matières premières (et fournitures)",
    "4421": "Prélèvements à la source (impôt sur le revenu)",
    "2183": "Matériel de bureau et matériel informatique",
    "2184": "Mobilier",
    "164": "Emprunts auprès des établissements de crédit",
    "455": "Associés – comptes courants",
    "467": "Autres comptes débiteurs ou créditeurs",
    "6022": "Fournitures consommables",
    "60611": "Eau",
    "60612": "Électricité",
    "60614": "Carburants",
    "6152": "Entretien et réparations sur biens immobiliers",
    "6222": "Commissions et courtages sur ventes",
    "6228": "Rémunérations d'intermédiaires divers",
    "6233": "Foires et expositions",
    "6236": "Catalogues et imprimés",
    "6238": "Divers (pourboires, dons courants)",
    "6241": "Transports sur achats",
    "6242": "Transports sur ventes",
    "6288": "Autres services extérieurs divers",
    "6333": "Participation des employeurs à la formation professionnelle continue",
    "63512": "Taxes foncières",
    "637": "Autres impôts, taxes et versements assimilés",
    "651": "Redevances pour concessions, brevets, licences, logiciels",
    "6611": "Intérêts des emprunts et dettes",
    "671": "Charges exceptionnelles sur opérations de gestion",
    "681": "Dotations aux amortissements et provisions",
    "695": "Impôts sur les bénéfices",
    "7088": "Autres produits d'activités annexes",
    "791": "Transferts de charges d'exploitation",
}
"""PCG accounts beyond the chart template, named when the replay has to create one."""


class SampleError(ValueError):
    """The labeled file does not follow the format."""


@dataclass(frozen=True, slots=True)
class LabeledLine:
    booking_date: date
    amount: Money
    label: str
    account_code: str


@dataclass(frozen=True, slots=True)
class Graded:
    """One line's outcome: enough to recompute auto-accept at any threshold."""

    right: bool
    repeat: bool
    confidence: float
    rule_auto: bool
    source: Source


@dataclass(slots=True)
class Replay:
    graded: list[Graded] = field(default_factory=list)
    rules_created: int = 0
    accounts_created: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[LabeledLine, Suggestion]] = field(default_factory=list)
    memory: Memory = field(default_factory=Memory)
    rules: list[RuleSpec] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Scores:
    lines: int
    top1_accuracy: float
    repeat_payee_accuracy: float
    auto_accept_rate: float
    auto_accept_precision: float


def read_lines(path: Path) -> list[LabeledLine]:
    with path.open(encoding="utf-8", newline="") as source:
        return parse_lines(source)


def parse_lines(source: TextIO) -> list[LabeledLine]:
    reader = csv.reader(source, delimiter=";")
    header = next(reader, None)
    if header is None or tuple(cell.strip() for cell in header) != HEADER:
        raise SampleError(f"the first row must be {';'.join(HEADER)}")
    lines: list[LabeledLine] = []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(HEADER):
            raise SampleError(f"row {number}: {len(HEADER)} fields expected, {len(row)} found")
        day, amount, label, code = (cell.strip() for cell in row)
        try:
            booking_date = date.fromisoformat(day)
            money = Money.from_decimal(Decimal(amount), CURRENCY)
        except (ValueError, InvalidOperation) as error:
            raise SampleError(f"row {number}: {error}") from None
        if not code or not label:
            raise SampleError(f"row {number}: label and account_code are required")
        if lines and booking_date < lines[-1].booking_date:
            raise SampleError(f"row {number}: lines must be in date order")
        lines.append(LabeledLine(booking_date, money, label, code))
    return lines


def replay(lines: Sequence[LabeledLine], *, chart: ChartTemplate = TEMPLATES["fr_pcg"]) -> Replay:
    """Pointage's cascade, line by line, learning each true account as the user's decision.

    Auto-accept changes nothing of what is learned (the true account is applied either way), so
    `scores` applies a threshold afterwards, and a sweep needs one replay.
    """
    codes = set(chart.codes)
    memory = Memory()
    rules: list[RuleSpec] = []
    corrections: dict[tuple[str, str], Counter[str]] = {}
    filed: dict[tuple[str, str], set[str]] = {}
    seen: set[str] = set()
    result = Replay()
    for line in lines:
        payee = normalize_payee(line.label)
        facts = LineFacts(line.label, payee, line.amount, line.booking_date)
        suggestion = suggest(facts, rules=rules, memory=memory, chart=chart, codes=codes)
        right = suggestion.account_code == line.account_code
        result.graded.append(
            Graded(
                right=right,
                repeat=payee in seen,
                confidence=suggestion.confidence,
                rule_auto=suggestion.auto_accept,
                source=suggestion.source,
            )
        )
        if line.account_code not in codes:
            codes.add(line.account_code)
            result.accounts_created[line.account_code] = PCG_NAMES.get(
                line.account_code, f"Compte {line.account_code}"
            )
        key = (payee, "in" if line.amount.minor > 0 else "out")
        filed.setdefault(key, set()).add(line.account_code)
        if not right:
            result.errors.append((line, suggestion))
            if suggestion.source is Source.RULE:
                rules = [rule for rule in rules if rule.id != suggestion.rule_id]
            count = corrections.setdefault(key, Counter())
            count[line.account_code] += 1
            if (
                count[line.account_code] >= 2
                and filed[key] == {line.account_code}
                and not any(rule.payee == payee and rule.direction == key[1] for rule in rules)
            ):
                result.rules_created += 1
                rules.append(
                    RuleSpec(
                        id=result.rules_created,
                        account_code=line.account_code,
                        payee=payee,
                        direction=key[1],
                    )
                )
        memory.learn(facts, line.account_code)
        seen.add(payee)
    result.memory, result.rules, result.codes = memory, rules, codes
    return result


def suggest_ms_per_line(
    lines: Sequence[LabeledLine], result: Replay, *, chart: ChartTemplate = TEMPLATES["fr_pcg"]
) -> float:
    """Every line suggested again against what the replay ended with: a year of history."""
    facts = [
        LineFacts(line.label, normalize_payee(line.label), line.amount, line.booking_date)
        for line in lines
    ]
    label_details.cache_clear()  # new lines: nothing of theirs is cached yet
    started = time.perf_counter()
    for one in facts:
        suggest(one, rules=result.rules, memory=result.memory, chart=chart, codes=result.codes)
    return (time.perf_counter() - started) * 1000 / max(1, len(facts))


def replay_baseline(
    lines: Sequence[LabeledLine], *, chart: ChartTemplate = TEMPLATES["fr_pcg"]
) -> Replay:
    """Remembering normalized payees alone: the last account, auto once two lines agree."""
    last: dict[str, list[str]] = {}
    result = Replay()
    for line in lines:
        payee = normalize_payee(line.label)
        history = last.get(payee, [])
        code = history[-1] if history else chart.suspense_code
        sure = len(history) >= 2 and history[-1] == history[-2]
        right = code == line.account_code
        result.graded.append(
            Graded(
                right=right,
                repeat=bool(history),
                confidence=1.0 if sure else 0.5 if history else 0.0,
                rule_auto=False,
                source=Source.MEMORY if history else Source.NONE,
            )
        )
        last.setdefault(payee, []).append(line.account_code)
    return result


def scores(result: Replay, threshold: float) -> Scores:
    graded = result.graded
    repeats = [g for g in graded if g.repeat]
    auto = [g for g in graded if _auto(g, threshold)]
    return Scores(
        lines=len(graded),
        top1_accuracy=_share(sum(g.right for g in graded), len(graded)),
        repeat_payee_accuracy=_share(sum(g.right for g in repeats), len(repeats)),
        auto_accept_rate=_share(len(auto), len(graded)),
        auto_accept_precision=_share(sum(g.right for g in auto), len(auto), empty=1.0),
    )


def _auto(graded: Graded, threshold: float) -> bool:
    if graded.source is Source.NONE:
        return False
    return graded.rule_auto or graded.confidence >= threshold


def _share(part: int, whole: int, *, empty: float = 0.0) -> float:
    return part / whole if whole else empty


@dataclass(frozen=True, slots=True)
class Run:
    ours: Scores
    base: Scores
    result: Replay
    replay_ms: float
    baseline_ms: float
    suggest_ms: float


def run(
    lines: Sequence[LabeledLine], *, repeat: int = 3, threshold: float = AUTO_ACCEPT_THRESHOLD
) -> Run:
    """Both replays `repeat` times: scores, baseline scores, our last replay, median times (ms)."""
    ours_ms: list[float] = []
    base_ms: list[float] = []
    suggest_ms: list[float] = []
    result = baseline = Replay()
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = replay(lines)
        ours_ms.append((time.perf_counter() - started) * 1000)
        suggest_ms.append(suggest_ms_per_line(lines, result))
        started = time.perf_counter()
        baseline = replay_baseline(lines)
        base_ms.append((time.perf_counter() - started) * 1000)
    return Run(
        scores(result, threshold),
        scores(baseline, 1.0),
        result,
        statistics.median(ours_ms),
        statistics.median(base_ms),
        statistics.median(suggest_ms),
    )


METRICS: Final = (
    "top1_accuracy",
    "repeat_payee_accuracy",
    "auto_accept_rate",
    "auto_accept_precision",
)


def values_of(done: Run) -> dict[str, float | int | str]:
    """What one file's run prints, by name."""
    ours, base = done.ours, done.base
    return {
        "lines": ours.lines,
        "top1_accuracy": ours.top1_accuracy,
        "repeat_payee_accuracy": ours.repeat_payee_accuracy,
        "auto_accept_rate": ours.auto_accept_rate,
        "auto_accept_precision": ours.auto_accept_precision,
        "rules_created": done.result.rules_created,
        "accounts_created": len(done.result.accounts_created),
        "replay_ms": f"{done.replay_ms:.1f}",
        "suggest_ms_per_line": f"{done.suggest_ms:.4f}",
        "baseline_top1_accuracy": base.top1_accuracy,
        "baseline_repeat_payee_accuracy": base.repeat_payee_accuracy,
        "baseline_auto_accept_rate": base.auto_accept_rate,
        "baseline_auto_accept_precision": base.auto_accept_precision,
        "baseline_replay_ms": f"{done.baseline_ms:.1f}",
    }


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out if out is not None else sys.stdout
    parser = argparse.ArgumentParser(description="Grade Pointage's suggestions on a labeled file.")
    parser.add_argument("file", type=Path, nargs="?")
    parser.add_argument("--all", type=Path, metavar="DIR", help="every *.csv stream of DIR")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=AUTO_ACCEPT_THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="auto-accept at other thresholds")
    parser.add_argument("--show-errors", action="store_true", help="list the wrong suggestions")
    args = parser.parse_args(argv)
    if (args.file is None) == (args.all is None):
        parser.error("give one FILE or --all DIR")

    def emit(name: str, value: object) -> None:
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        print(f"{name}={text}", file=stream)

    if args.all is not None:
        return _main_all(args.all, args.repeat, args.threshold, emit, sweep=args.sweep)
    lines = read_lines(args.file)
    done = run(lines, repeat=args.repeat, threshold=args.threshold)
    values = values_of(done)
    values_order = list(values)
    for name in values_order:
        emit(name, values[name])
        if name == "auto_accept_precision":
            emit("auto_accept_threshold", args.threshold)
    if args.sweep:
        for threshold in SWEEP:
            swept = scores(done.result, threshold)
            emit(f"sweep_{threshold:.2f}_auto_accept_rate", swept.auto_accept_rate)
            emit(f"sweep_{threshold:.2f}_auto_accept_precision", swept.auto_accept_precision)
    if args.show_errors:
        for line, suggestion in done.result.errors:
            print(
                f"# {line.booking_date} {line.amount.as_decimal():>9} {line.label[:60]:60} "
                f"true={line.account_code} got={suggestion.account_code} "
                f"{suggestion.source.value} {suggestion.confidence:.2f}",
                file=stream,
            )
    return 0


def _main_all(
    folder: Path,
    repeat: int,
    threshold: float,
    emit: Callable[[str, object], None],
    *,
    sweep: bool = False,
) -> int:
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise SampleError(f"no *.csv stream in {folder}")
    runs: dict[str, Run] = {}
    for path in paths:
        runs[path.stem] = run(read_lines(path), repeat=repeat, threshold=threshold)
        for name, value in values_of(runs[path.stem]).items():
            emit(f"{path.stem}.{name}", value)
    emit("streams", len(runs))
    emit("lines", sum(done.ours.lines for done in runs.values()))
    for metric in METRICS:
        emit(metric, statistics.fmean(getattr(done.ours, metric) for done in runs.values()))
    emit("auto_accept_threshold", threshold)
    emit("replay_ms_max", f"{max(done.replay_ms for done in runs.values()):.1f}")
    emit("suggest_ms_per_line", f"{max(done.suggest_ms for done in runs.values()):.4f}")
    for metric in METRICS:
        emit(
            f"baseline_{metric}",
            statistics.fmean(getattr(done.base, metric) for done in runs.values()),
        )
    for metric in METRICS:
        weakest = min(runs, key=lambda key: getattr(runs[key].ours, metric))
        emit(f"weakest_{metric}", getattr(runs[weakest].ours, metric))
        emit(f"weakest_{metric}_stream", weakest)
    for swept in SWEEP if sweep else ():
        graded = [scores(done.result, swept) for done in runs.values()]
        emit(
            f"sweep_{swept:.2f}_auto_accept_rate",
            statistics.fmean(s.auto_accept_rate for s in graded),
        )
        emit(
            f"sweep_{swept:.2f}_auto_accept_precision",
            statistics.fmean(s.auto_accept_precision for s in graded),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
