"""Replays a labeled bank file as a new French user would, and grades the suggestions.

`python -m bench.categorize FILE [--repeat N] [--sweep] [--show-errors]`

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
none), rules_created, accounts_created, replay_ms; then the same-run baseline, "remember
normalized payees alone": the last account used for the payee, auto-accepted once its last two
lines agree.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
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
from bot.categorize.payees import normalize_payee
from bot.charts import TEMPLATES, ChartTemplate
from bot.domain.money import Money

HEADER: Final = ("date", "amount", "label", "account_code")
CURRENCY: Final = "EUR"
SWEEP: Final = (0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0)

PCG_NAMES: Final[dict[str, str]] = {
    "2154": "Matériel industriel",
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
    return result


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


def run(
    lines: Sequence[LabeledLine], *, repeat: int = 3, threshold: float = AUTO_ACCEPT_THRESHOLD
) -> tuple[Scores, Scores, Replay, float, float]:
    """Both replays `repeat` times: scores, baseline scores, our last replay, median times (ms)."""
    ours_ms: list[float] = []
    base_ms: list[float] = []
    result = baseline = Replay()
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = replay(lines)
        ours_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline = replay_baseline(lines)
        base_ms.append((time.perf_counter() - started) * 1000)
    return (
        scores(result, threshold),
        scores(baseline, 1.0),
        result,
        statistics.median(ours_ms),
        statistics.median(base_ms),
    )


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out if out is not None else sys.stdout
    parser = argparse.ArgumentParser(description="Grade Pointage's suggestions on a labeled file.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=AUTO_ACCEPT_THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="auto-accept at other thresholds")
    parser.add_argument("--show-errors", action="store_true", help="list the wrong suggestions")
    args = parser.parse_args(argv)
    lines = read_lines(args.file)
    ours, base, result, ours_ms, base_ms = run(lines, repeat=args.repeat, threshold=args.threshold)

    def emit(name: str, value: object) -> None:
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        print(f"{name}={text}", file=stream)

    emit("lines", ours.lines)
    emit("top1_accuracy", ours.top1_accuracy)
    emit("repeat_payee_accuracy", ours.repeat_payee_accuracy)
    emit("auto_accept_rate", ours.auto_accept_rate)
    emit("auto_accept_precision", ours.auto_accept_precision)
    emit("auto_accept_threshold", args.threshold)
    emit("rules_created", result.rules_created)
    emit("accounts_created", len(result.accounts_created))
    emit("replay_ms", f"{ours_ms:.1f}")
    emit("baseline_top1_accuracy", base.top1_accuracy)
    emit("baseline_repeat_payee_accuracy", base.repeat_payee_accuracy)
    emit("baseline_auto_accept_rate", base.auto_accept_rate)
    emit("baseline_auto_accept_precision", base.auto_accept_precision)
    emit("baseline_replay_ms", f"{base_ms:.1f}")
    if args.sweep:
        for threshold in SWEEP:
            swept = scores(result, threshold)
            emit(f"sweep_{threshold:.2f}_auto_accept_rate", swept.auto_accept_rate)
            emit(f"sweep_{threshold:.2f}_auto_accept_precision", swept.auto_accept_precision)
    if args.show_errors:
        for line, suggestion in result.errors:
            print(
                f"# {line.booking_date} {line.amount.as_decimal():>9} {line.label[:60]:60} "
                f"true={line.account_code} got={suggestion.account_code} "
                f"{suggestion.source.value} {suggestion.confidence:.2f}",
                file=stream,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
