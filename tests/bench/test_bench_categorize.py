"""The categorization bench: its replay, what it prints, and the sample it ships."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import categorize as bench
from bench import make_sample
from bot.categorize.cascade import Source
from bot.charts import TEMPLATES

KEYS = (
    "lines",
    "top1_accuracy",
    "repeat_payee_accuracy",
    "auto_accept_rate",
    "auto_accept_precision",
    "replay_ms",
    "baseline_top1_accuracy",
    "baseline_auto_accept_rate",
    "baseline_auto_accept_precision",
)
SHARES = [key for key in KEYS if key not in ("lines", "replay_ms")]


def printed(argv: list[str]) -> dict[str, str]:
    out = io.StringIO()
    assert bench.main(argv, out=out) == 0
    pairs = [row.split("=", 1) for row in out.getvalue().splitlines() if not row.startswith("#")]
    return dict((name, value) for name, value in pairs)


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months of the demo bank, labeled the way make_sample labels the shipped file."""
    lines = asyncio.run(make_sample.demo_lines(2, datetime(2025, 6, 18, 12, tzinfo=UTC)))
    path = tmp_path_factory.mktemp("bench") / "sample.csv"
    make_sample.write_csv(lines, path)
    return path


def test_the_bench_prints_every_key_with_values_in_range(small_sample: Path) -> None:
    values = printed([str(small_sample), "--repeat", "2"])
    assert set(KEYS) <= set(values)
    lines = len(bench.read_lines(small_sample))
    assert int(values["lines"]) == lines > 100
    for key in SHARES:
        assert 0.0 <= float(values[key]) <= 1.0, key
    assert float(values["replay_ms"]) > 0


def test_the_sweep_and_the_errors_are_printed_on_request(small_sample: Path) -> None:
    values = printed([str(small_sample), "--repeat", "1", "--sweep", "--show-errors"])
    assert "sweep_0.95_auto_accept_rate" in values


def test_accounts_the_chart_lacks_are_created_and_a_second_correction_makes_a_rule(
    tmp_path: Path,
) -> None:
    rows = ["date;amount;label;account_code"]
    for month in range(1, 7):
        rows.append(f"2025-{month:02d}-05;-1299.00;CB DELLSTORE PRO 05/{month:02d};2183")
    path = tmp_path / "equipment.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = bench.replay(bench.read_lines(path))
    assert result.accounts_created == {"2183": bench.PCG_NAMES["2183"]}
    assert result.graded[0].right is False
    assert all(graded.right for graded in result.graded[1:])

    taxes = "\n".join(
        (
            "date;amount;label;account_code",
            "2025-03-15;-900.00;PRLV SEPA DGFIP IMPOT IS ACOMPTE 03/2025;695",
            "2025-05-15;-300.00;PRLV SEPA DGFIP IMPOT IS SOLDE 2024;695",
            "2025-06-15;-900.00;PRLV SEPA DGFIP IMPOT IS ACOMPTE 06/2025;695",
            "2025-06-19;-2100.00;PRLV SEPA DGFIP IMPOT TVA CA3 05/2025;44551",
            "2025-07-19;-2000.00;PRLV SEPA DGFIP IMPOT TVA CA3 06/2025;44551",
        )
    )
    path.write_text(taxes + "\n", encoding="utf-8")
    result = bench.replay(bench.read_lines(path))
    assert result.rules_created == 1
    assert [graded.source for graded in result.graded[2:4]] == [Source.RULE, Source.RULE]
    assert [graded.right for graded in result.graded] == [False, False, True, False, True]


def test_the_baseline_remembers_the_last_account_of_a_payee(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "date;amount;label;account_code\n"
        "2025-01-01;-10.00;CB ZEDSHOP 01/01;6064\n"
        "2025-01-02;-10.00;CB ZEDSHOP 02/01;6064\n"
        "2025-01-03;-10.00;CB ZEDSHOP 03/01;6064\n",
        encoding="utf-8",
    )
    scores = bench.scores(bench.replay_baseline(bench.read_lines(path)), 1.0)
    assert scores.top1_accuracy == pytest.approx(2 / 3)
    assert scores.auto_accept_rate == pytest.approx(1 / 3)
    assert scores.auto_accept_precision == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day;amount;label;account_code\n", "first row"),
        ("date;amount;label;account_code\n2025-01-01;-1,50;CB X;6064\n", "row 2"),
        ("date;amount;label;account_code\n2025-13-01;-1.50;CB X;6064\n", "row 2"),
        ("date;amount;label;account_code\n2025-01-01;-1.50;CB X\n", "fields"),
        (
            "date;amount;label;account_code\n"
            "2025-01-02;-1.50;CB X;6064\n"
            "2025-01-01;-1.50;CB X;6064\n",
            "date order",
        ),
    ],
)
def test_a_malformed_file_is_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(bench.SampleError, match=message):
        bench.read_lines(path)


def test_the_shipped_sample_exists_parses_and_uses_pcg_accounts() -> None:
    lines = bench.read_lines(make_sample.SAMPLE)
    assert len(lines) > 2_000
    assert (lines[-1].booking_date - lines[0].booking_date).days >= 700
    codes = {line.account_code for line in lines}
    assert codes <= TEMPLATES["fr_pcg"].codes
    assert {"706", "580", "108", "646", "44551"} <= codes


def test_the_sample_truth_follows_the_demo_templates() -> None:
    assert make_sample.true_account("CB AMAZON PAYMENTS 12/03", -7_999) == "6064"
    assert make_sample.true_account("CB AMAZON PAYMENTS 12/03", -8_000) == "6063"
    assert make_sample.true_account("PRLV SEPA DGFIP IMPOT CFE 2025", -40_000) == "63511"
    assert make_sample.true_account("VIR INTERNE /VERS LIVRET PRO", -40_000) == "580"
    with pytest.raises(KeyError):
        make_sample.true_account("CB SOMEWHERE ELSE 12/03", -100)


def test_all_streams_of_a_folder_are_graded_and_averaged(tmp_path: Path) -> None:
    rows = "date;amount;label;account_code\n" + "".join(
        f"2025-01-{day:02d};-10.00;CB ZEDSHOP {day:02d}/01;6064\n" for day in range(1, 9)
    )
    (tmp_path / "a.csv").write_text(rows, encoding="utf-8")
    (tmp_path / "b.csv").write_text(rows.replace("ZEDSHOP", "YOKSHOP"), encoding="utf-8")
    values = printed(["--all", str(tmp_path), "--repeat", "1"])
    assert values["streams"] == "2"
    assert values["lines"] == "16"
    assert values["a.top1_accuracy"] == values["top1_accuracy"] == values["b.top1_accuracy"]
    assert float(values["suggest_ms_per_line"]) > 0
    assert values["weakest_top1_accuracy_stream"] in ("a", "b")
