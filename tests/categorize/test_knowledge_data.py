"""The knowledge files: their schema, codes the charts hold, and no entry written twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.categorize.knowledge import DATA, ENTRIES, LANGUAGES, Known, TableError, load_table
from bot.charts import TEMPLATES, ChartTemplate

FILES = sorted(DATA.glob("knowledge_*.toml"))
CHARTS = {"fr": TEMPLATES["fr_pcg"], "en": TEMPLATES["en_generic"]}
GOOD = 'names = ["ACME"]\nfr = ["6061"]\nen = ["6150"]\nconfidence = 0.5\n'


def resolves(code: str, chart: ChartTemplate) -> bool:
    """The code, or a parent of a PCG code, is an account of the chart."""
    if code in ("@owner", "@transfer"):
        return True
    codes = {account.code for account in chart.accounts}
    return any(code[:end] in codes for end in range(len(code), 2, -1))


def test_there_is_one_file_per_language_and_all_are_read() -> None:
    assert [path.name for path in FILES] == sorted(f"knowledge_{lang}.toml" for lang in LANGUAGES)
    assert len(ENTRIES) == sum(len(load_table(path)) for path in FILES) > 500


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_code_is_an_account_of_its_chart(path: Path) -> None:
    missing = {
        (entry.phrase, language, code)
        for entry in load_table(path)
        for language in LANGUAGES
        for code in (
            *entry.codes(language, payroll=False),
            *entry.codes(language, payroll=True),
        )
        if not resolves(code, CHARTS[language])
    }
    assert missing == set()


def test_no_entry_is_written_twice() -> None:
    def matching(entry: Known) -> object:
        return (entry.phrase, entry.scope, entry.requires, entry.direction, entry.exact)

    twice = [key for key, count in Counter(map(matching, ENTRIES)).items() if count > 1]
    assert twice == []


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (GOOD + "colour = 1\n", "unknown keys ['colour']"),
        (GOOD.replace("0.5", '"high"'), "confidence"),
        (GOOD.replace("0.5", "1.5"), "confidence"),
        (GOOD.replace('["6061"]', '"6061"'), "lists of words"),
        (GOOD + 'group = "offices"\n', "either names or group"),
        (GOOD.replace('names = ["ACME"]', 'group = "nowhere"'), "nowhere"),
        (GOOD + "strict = 1\n", "true or false"),
        (GOOD + 'direction = "sideways"\n', "direction"),
        (GOOD.replace('["ACME"]', '[""]'), "lists of words"),
        (GOOD + "names = [\n", "not TOML"),
    ],
)
def test_a_file_off_the_schema_is_refused_with_where(
    tmp_path: Path, body: str, complaint: str
) -> None:
    path = tmp_path / "knowledge_xx.toml"
    path.write_text("[[entry]]\n" + body, encoding="utf-8")
    with pytest.raises(TableError) as refused:
        load_table(path)
    assert "knowledge_xx.toml" in str(refused.value)
    assert complaint in str(refused.value)


def test_a_group_is_shared_by_the_entries_that_name_it(tmp_path: Path) -> None:
    path = tmp_path / "knowledge_xx.toml"
    path.write_text(
        '[groups]\noffices = ["DGFIP", "SIE"]\n\n[[entry]]\n'
        + GOOD.replace('names = ["ACME"]', 'group = "offices"'),
        encoding="utf-8",
    )
    assert [entry.phrase for entry in load_table(path)] == [("DGFIP",), ("SIE",)]
