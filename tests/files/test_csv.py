"""The CSV importer: golden exports, encodings, skipped rows, damage named by line, bounds."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from bot.files.csv_import import CsvImporter
from bot.files.csv_layout import Layout, LayoutUnsure, detect
from bot.files.importer import FileError, Problem, Statement
from tests.files.make_csv_mt940 import (
    GOLDEN,
    all_goldens,
    csv_statement,
    expected_text,
    statements_json,
)

CSV = CsvImporter()
GOLDEN_CSV = sorted(path.name for path in (GOLDEN / "csv").glob("*") if path.suffix != ".json")


def read(data: bytes, name: str = "export.csv") -> Statement:
    statements = CSV.extract(name, data)
    assert len(statements) == 1
    return statements[0]


def test_the_generator_makes_exactly_the_committed_golden_files() -> None:
    made = all_goldens()
    committed = {
        str(path.relative_to(GOLDEN))
        for folder in ("csv", "mt940")
        for path in (GOLDEN / folder).iterdir()
        if path.suffix != ".json"
    }
    assert committed == set(made)
    for name, (data, want) in made.items():
        assert (GOLDEN / name).read_bytes() == data, name
        expected_file = GOLDEN / f"{name}.expected.json"
        assert expected_file.read_text(encoding="utf-8") == expected_text(want), name


@pytest.mark.parametrize("name", GOLDEN_CSV)
def test_every_golden_csv_gives_its_expected_lines(name: str) -> None:
    data = (GOLDEN / "csv" / name).read_bytes()
    want = json.loads(Path(f"{GOLDEN / 'csv' / name}.expected.json").read_text(encoding="utf-8"))
    assert CSV.identify(name, data[:4096])
    if "error" in want:
        with pytest.raises(FileError) as raised:
            CSV.extract(name, data)
        assert not isinstance(raised.value, LayoutUnsure)
        assert [raised.value.problem.value, raised.value.where] == [
            want["error"]["problem"],
            want["error"]["where"],
        ]
        return
    if want.get("unsure"):
        with pytest.raises(LayoutUnsure) as unsure:
            CSV.extract(name, data)
        layout = unsure.value.detection.answer(**want["answer"])
        assert statements_json(CSV.extract_with(data, layout)) == want["statements"]
        return
    assert statements_json(CSV.extract(name, data)) == want["statements"]


def test_a_csv_is_identified_by_its_extension_or_a_consistent_delimiter() -> None:
    table = b"Date;Libell\xe9;Montant\n01/02/2024;CB;-1,00\n02/02/2024;VIR;2,00\n"
    assert CSV.identify("releve.CSV", b"anything")
    assert CSV.identify("releve.tsv", b"")
    assert CSV.identify("releve.txt", table)
    assert CSV.identify("download", table)
    assert not CSV.identify("download", b"just one line of prose, nothing more\n")
    assert not CSV.identify("statement.txt", b":20:REF\n:25:FR76\n:61:2401010101C1,00NTRF\n")
    assert not CSV.identify("releve.csv", b"%PDF-1.7 ...")
    assert not CSV.identify("export.txt", b"OFXHEADER:100\nDATA:OFXSGML\n")


def test_utf8_with_a_bom_cp1252_and_latin1_are_all_read() -> None:
    text = "Date;Libellé;Montant\n05/01/2024;{label};-12,50\n"
    bom = read(("\ufeff" + text.format(label="Café – crème")).encode("utf-8"))
    assert bom.lines[0].label == "Café – crème"
    cp1252 = read(text.format(label="Œuvre € “quoted”").encode("cp1252"))
    assert cp1252.lines[0].label == "Œuvre € “quoted”"
    latin1 = read(text.format(label="Ça coûte\x81").encode("latin-1"))
    assert latin1.lines[0].label == "Ça coûte\x81"
    utf16 = read(text.format(label="Noël").encode("utf-16"))
    assert utf16.lines[0].label == "Noël"


def test_binary_content_is_no_csv() -> None:
    with pytest.raises(FileError) as raised:
        CSV.extract("x.csv", b"Date;Montant\n\x00\x01\x02\x03;1\n")
    assert raised.value.problem is Problem.UNKNOWN_FORMAT
    with pytest.raises(FileError) as prose:
        CSV.extract("x.csv", b"nothing tabular here\nat all\n")
    assert prose.value.problem is Problem.UNKNOWN_FORMAT


def test_title_blank_total_and_balance_rows_are_skipped() -> None:
    data = (
        "Banque Exemple\nCompte courant n° 12345678901;;\n\n"
        "Date;Libellé;Montant\n"
        "05/01/2024;TOTAL MARKETING FRANCE;-40,00\n\n"
        "06/01/2024;VIR SALAIRE;1 500,00\n"
        "Totaux;;1 460,00\n"
        "Solde créditeur au 31/01/2024;;2 460,00\n"
    ).encode("cp1252")
    statement = read(data)
    assert [line.label for line in statement.lines] == ["TOTAL MARKETING FRANCE", "VIR SALAIRE"]
    assert statement.account.number == "12345678901"
    assert statement.balance is not None and statement.balance.minor == 246_000
    assert statement.balance_date == date(2024, 1, 31)
    assert statement.notes == ("line 8: total skipped", "line 9: balance skipped")


def test_a_debit_balance_is_negative() -> None:
    data = b"Solde debiteur au 31/01/2024;1 234,56\nDate;Libelle;Montant\n05/01/2024;CB;-4,00\n"
    statement = read(data)
    assert statement.balance is not None and statement.balance.minor == -123_456


@pytest.mark.parametrize(
    ("row", "line"),
    [
        ("32/01/2024;CB;-1,00", 4),
        ("05/01/2024;CB;douze", 4),
        ("05/01/2024;CB;", 4),
        (";CB;-1,00", 4),
        ("05/01/2024;CB;1,005", 4),
    ],
)
def test_a_data_row_that_does_not_parse_names_its_line(row: str, line: int) -> None:
    data = f"Date;Libellé;Montant\n01/01/2024;A;1,00\n02/01/2024;B;2,00\n{row}\n".encode()
    with pytest.raises(FileError) as raised:
        read(data)
    assert (raised.value.problem, raised.value.where) == (Problem.DAMAGED, f"line {line}")


def test_the_line_named_counts_the_lines_of_quoted_multiline_cells() -> None:
    data = b'Date;Libell\xe9;Montant\n01/01/2024;"two\nlines";1,00\n02/01/2024;B;x\n'
    with pytest.raises(FileError) as raised:
        read(data)
    assert raised.value.where == "line 4"


def test_a_huge_cell_is_damage_and_too_many_rows_too_large() -> None:
    huge = f"Date;Libellé;Montant\n01/01/2024;{'x' * 10_001};1,00\n".encode()
    with pytest.raises(FileError) as cell:
        read(huge)
    assert (cell.value.problem, cell.value.where) == (Problem.DAMAGED, "line 2")
    many = b"Date;Libelle;Montant\n" + b"01/01/2024;CB;1,00\n" * 200_001
    with pytest.raises(FileError) as rows:
        read(many)
    assert rows.value.problem is Problem.TOO_LARGE


def test_unique_references_are_line_ids_and_repeated_ones_are_not() -> None:
    head = "Date;Libellé;Montant;Référence\n"
    unique = read((head + "01/01/2024;A;1,00;R1\n02/01/2024;B;2,00;R2\n").encode())
    assert [line.file_id for line in unique.lines] == ["R1", "R2"]
    repeated = read((head + "01/01/2024;A;1,00;R1\n02/01/2024;B;2,00;R1\n").encode())
    assert [line.file_id for line in repeated.lines] == [None, None]
    assert "references repeat: not used as line ids" in repeated.notes


def test_a_currency_column_sets_the_currency_and_a_second_one_is_damage() -> None:
    head = "Date;Libellé;Montant;Devise\n"
    usd = read((head + "01/01/2024;A;1,00;USD\n02/01/2024;B;2,00;usd\n").encode())
    assert usd.currency == "USD" and usd.lines[1].amount.currency == "USD"
    with pytest.raises(FileError) as mixed:
        read((head + "01/01/2024;A;1,00;USD\n02/01/2024;B;2,00;EUR\n").encode())
    assert mixed.value.where == "line 3"


def test_a_header_naming_the_currency_sets_it() -> None:
    statement = read(b"Date,Description,Amount (GBP)\n2024-01-05,Tesco,-3.20\n")
    assert statement.currency == "GBP" and statement.lines[0].amount.minor == -320


def test_an_iban_in_the_title_is_the_account() -> None:
    data = b"IBAN;FR76 3000 4000 0312 3456 7890 143\nDate;Libelle;Montant\n01/01/2024;A;1,00\n"
    statement = read(data)
    assert statement.account.iban == "FR7630004000031234567890143"
    assert statement.account.number is None


def test_a_remembered_layout_reads_the_next_file_with_more_title_lines() -> None:
    first = b"Compte 123456789;;\nDate;Libelle;Valeur;Somme\n01/01/2024;A;02/01/2024;1,00\n"
    layout = detect(first).layout
    assert layout is not None
    later = b"Banque;;\nCompte 123456789;;\nPeriode;;\nDate;Libelle;Valeur;Somme\n"
    later += b"03/02/2024;B;03/02/2024;-2,50\n"
    (statement,) = CSV.extract_with(later, Layout.from_dict(layout.to_dict()))
    assert [(line.booking_date, line.amount.minor) for line in statement.lines] == [
        (date(2024, 2, 3), -250)
    ]


def test_a_remembered_layout_that_no_longer_fits_asks_again() -> None:
    layout = detect(b"Date;Libelle;Montant\n01/01/2024;A;1,00\n").layout
    assert layout is not None
    with pytest.raises(LayoutUnsure) as unsure:
        CSV.extract_with(b"Booking date,Details,Amount\n2024-01-01,A,1.00\n", layout)
    assert unsure.value.detection.delimiter == ","


def test_a_remembered_layout_in_another_encoding_is_an_encoding_problem() -> None:
    layout = detect(b"Date;Libelle;Montant\n01/01/2024;A;1,00\n").layout
    assert layout is not None
    with pytest.raises(FileError) as raised:
        CSV.extract_with("Date;Libellé;Montant\n".encode("cp1252"), layout)
    assert raised.value.problem is Problem.ENCODING


def test_a_generated_big_statement_is_varied_and_read_quickly() -> None:
    data = csv_statement(10_000, seed=3)
    assert data == csv_statement(10_000, seed=3)
    started = time.perf_counter()
    statement = read(data)
    elapsed = time.perf_counter() - started
    assert len(statement.lines) == 10_000
    payees = {" ".join(line.label.split()[:3]) for line in statement.lines}
    assert len(payees) >= 500
    assert len({line.booking_date for line in statement.lines}) >= 300
    assert elapsed < 1.5
