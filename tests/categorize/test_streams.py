"""The bench's evaluation streams: generated, deterministic, and what the repo holds."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bench import categorize as bench
from bench import make_streams
from bot.categorize.payees import normalize_payee


def test_the_same_seed_writes_the_same_streams_and_the_repo_holds_them(tmp_path: Path) -> None:
    written = make_streams.write_all(tmp_path, make_streams.DEFAULT_SEED)
    assert len(written) == 6
    for path in written:
        shipped = make_streams.STREAMS / path.name
        assert path.read_bytes() == shipped.read_bytes(), path.name
        assert len(bench.read_lines(path)) > 250


def test_another_seed_writes_other_lines(tmp_path: Path) -> None:
    first = make_streams.write_all(tmp_path / "a", 1)[0].read_text(encoding="utf-8")
    other = make_streams.write_all(tmp_path / "b", 2)[0].read_text(encoding="utf-8")
    assert first != other


def test_the_streams_hold_the_hard_cases() -> None:
    lines = [
        line
        for path in sorted(make_streams.STREAMS.glob("*.csv"))
        for line in bench.read_lines(path)
    ]
    dgfip = {line.account_code for line in lines if "DGFIP" in line.label}
    assert {"44551", "4421", "444", "63511", "108"} <= dgfip
    urssaf = {line.account_code for line in lines if "URSSAF" in line.label}
    assert {"645", "646"} <= urssaf
    by_payee: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        by_payee[normalize_payee(line.label)].add(line.account_code)
    assert sum(len(codes) > 1 for codes in by_payee.values()) >= 8
    engie = {line.account_code for line in lines if "ENGIE" in line.label and line.amount.minor > 0}
    assert engie == {"706"}
    deferred = [line for line in lines if line.label.startswith("CB****")]
    assert deferred and all(line.booking_date.day >= 26 for line in deferred)
    assert any("USD" in line.label for line in lines)
