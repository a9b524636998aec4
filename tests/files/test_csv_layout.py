"""Finding a CSV's layout: sure on known exports, unsure when content reads two ways."""

from __future__ import annotations

import json

import pytest

from bot.files.csv_cells import DateOrder, parse_amount, parse_date, parse_minor
from bot.files.csv_guess import Role, name_role
from bot.files.csv_import import CsvImporter
from bot.files.csv_layout import AmountStyle, Layout, Looks, detect
from tests.files.make_csv_mt940 import CSV_GOLDENS

CSV = CsvImporter()
KNOWN = [name for name in CSV_GOLDENS if name not in ("headerless.csv", "damaged_row.csv")]


@pytest.mark.parametrize("name", KNOWN)
def test_detection_is_sure_of_every_known_export(name: str) -> None:
    data, _ = CSV_GOLDENS[name]()
    detection = detect(data)
    assert detection.sure and detection.layout is not None
    assert detection.header and len(detection.columns) >= len(detection.header)
    assert 1 <= len(detection.preview) <= 5
    assert all(len(cell) <= 20 for row in detection.preview for cell in row)


@pytest.mark.parametrize("name", KNOWN)
def test_a_layout_survives_its_dict_and_reads_the_same_lines(name: str) -> None:
    data, _ = CSV_GOLDENS[name]()
    layout = detect(data).layout
    assert layout is not None
    stored = json.loads(json.dumps(layout.to_dict()))
    assert Layout.from_dict(stored) == layout
    assert CSV.extract_with(data, Layout.from_dict(stored)) == CSV.extract(name, data)


def test_the_known_layouts_read_as_their_banks_wrote_them() -> None:
    french = detect(CSV_GOLDENS["fr_debit_credit.csv"]()[0]).layout
    assert french is not None
    assert (french.encoding, french.delimiter, french.header_row) == ("cp1252", ";", 3)
    assert (french.style, french.debit, french.credit) == (AmountStyle.DEBIT_CREDIT, 2, 3)
    pipe = detect(CSV_GOLDENS["fr_pipe.txt"]()[0]).layout
    assert pipe is not None
    assert (pipe.delimiter, pipe.label, pipe.reference) == ("|", (1, 2), 4)
    sens = detect(CSV_GOLDENS["fr_sens_latin1.csv"]()[0]).layout
    assert sens is not None and (sens.style, sens.direction) == (AmountStyle.DIRECTION, 3)
    english = detect(CSV_GOLDENS["en_bom.csv"]()[0]).layout
    assert english is not None
    assert (english.decimal, english.amount, english.date_order) == (".", 2, DateOrder.DMY)
    two_dates = detect(CSV_GOLDENS["fr_two_dates.csv"]()[0]).layout
    assert two_dates is not None and (two_dates.date, two_dates.currency_column) == (0, 4)
    tab = detect(CSV_GOLDENS["en_tab.tsv"]()[0]).layout
    assert tab is not None and (tab.delimiter, tab.date_order) == ("\t", DateOrder.YMD)


def test_a_headerless_file_with_two_dates_and_two_amounts_is_not_sure() -> None:
    detection = detect(CSV_GOLDENS["headerless.csv"]()[0])
    assert not detection.sure
    assert detection.header == () and detection.header_row is None
    assert [column.looks for column in detection.columns] == [
        Looks.DATE,
        Looks.DATE,
        Looks.TEXT,
        Looks.AMOUNT,
        Looks.AMOUNT,
    ]
    layout = detection.answer(date=1, label=[2], amount=3)
    assert (layout.date, layout.label, layout.amount, layout.header) == (1, (2,), 3, ())


def test_two_unnamed_amount_columns_leave_a_doubt_even_under_a_header() -> None:
    data = b"Jour;Texte;A;B\n05/01/2024;CB;-12,50;100,00\n06/01/2024;VIR;5,00;105,00\n"
    assert not detect(data).sure


def test_an_unknown_header_over_clear_content_is_sure() -> None:
    data = b"Le;Quoi;Combien\n05/01/2024;CB ONE;-12,50\n06/01/2024;VIR TWO;5,00\n"
    detection = detect(data)
    assert detection.sure and detection.layout is not None
    assert (detection.layout.date, detection.layout.label, detection.layout.amount) == (0, (1,), 2)


def test_answers_read_the_formats_of_the_chosen_columns() -> None:
    data = b"2024-01-05;5,00;CB;01.05.2024;1.234,50\n2024-01-06;6,00;VIR;02.05.2024;-0,50\n"
    detection = detect(data)
    layout = detection.answer(date=3, label=[2], amount=4)
    assert (layout.date_order, layout.decimal) == (DateOrder.DMY, ",")
    (statement,) = CSV.extract_with(data, layout)
    assert [line.amount.minor for line in statement.lines] == [123_450, -50]
    with pytest.raises(ValueError, match="no such column"):
        detection.answer(date=9, label=[2], amount=4)
    with pytest.raises(ValueError, match="amount"):
        detection.answer(date=0, label=[2])


def test_with_columns_changes_only_the_columns() -> None:
    layout = Layout("utf-8-sig", ";", 0, 1, date=0, label=(1,), amount=2)
    changed = layout.with_columns(date=1, label=[0, 3], debit=2, credit=4)
    assert (changed.style, changed.label, changed.encoding) == (
        AmountStyle.DEBIT_CREDIT,
        (0, 3),
        "utf-8-sig",
    )


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"v": 2},
        {"v": 1, "encoding": "nope", "delimiter": ";", "first_row": 0, "date": 0},
        {"v": 1, "encoding": "utf-8", "delimiter": ";", "first_row": 0, "date": "0"},
        {"v": 1, "encoding": "utf-8", "delimiter": "x", "first_row": 0, "date": 0, "amount": 1},
        {"v": 1, "encoding": "utf-8", "delimiter": ";", "first_row": 0, "date": 0},
    ],
)
def test_a_stored_layout_that_is_not_one_is_refused(stored: dict[str, object]) -> None:
    complete = {"date_order": "dmy", "decimal": ",", "currency": "EUR", **stored}
    with pytest.raises(ValueError):
        Layout.from_dict(complete)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Date opération", Role.DATE),
        ("Date de valeur", Role.VALUE_DATE),
        ("Booking Date", Role.DATE),
        ("Libellé", Role.LABEL),
        ("Détail", Role.LABEL),
        ("Description", Role.LABEL),
        ("Montant (EUR)", Role.AMOUNT),
        ("Débit euros", Role.DEBIT),
        ("Crédit", Role.CREDIT),
        ("Paid out", Role.DEBIT),
        ("Sens", Role.DIRECTION),
        ("Débit/Crédit", Role.DIRECTION),
        ("Devise", Role.CURRENCY),
        ("Solde", Role.BALANCE),
        ("Numéro d'opération", Role.REFERENCE),
        ("Référence", Role.REFERENCE),
        ("Catégorie", None),
    ],
)
def test_header_names_in_french_and_english(name: str, role: Role | None) -> None:
    assert name_role(name) is role


@pytest.mark.parametrize(
    ("cell", "decimal", "minor"),
    [
        ("1 234,56", ",", 123_456),
        ("1.234,56", ",", 123_456),
        ("-12,50", ",", -1_250),
        ("12,50-", ",", -1_250),
        ("(12,50)", ",", -1_250),
        ("1,234.56", ".", 123_456),
        ("€ 3,00", ",", 300),
        ("+7", ",", 700),
        ("1\u00a0000,00 EUR", ",", 100_000),
        ("12.50", ",", None),
        ("1,5,0", ",", None),
        ("abc", ",", None),
    ],
)
def test_amount_cells(cell: str, decimal: str, minor: int | None) -> None:
    assert parse_minor(cell, decimal, 2) == minor
    value = parse_amount(cell, decimal)
    assert (None if value is None else int(value * 100)) == minor


@pytest.mark.parametrize(
    ("cell", "order", "iso"),
    [
        ("05/01/2024", DateOrder.DMY, "2024-01-05"),
        ("05/01/24", DateOrder.DMY, "2024-01-05"),
        ("05.01.2024", DateOrder.DMY, "2024-01-05"),
        ("2024-01-05", DateOrder.YMD, "2024-01-05"),
        ("01/05/2024", DateOrder.MDY, "2024-01-05"),
        ("5 janv. 2024", DateOrder.DMY, "2024-01-05"),
        ("05-Jan-2024", DateOrder.DMY, "2024-01-05"),
        ("2024-01-05 10:22:00", DateOrder.YMD, "2024-01-05"),
        ("31/02/2024", DateOrder.DMY, None),
        ("2024-01-05", DateOrder.DMY, None),
    ],
)
def test_date_cells(cell: str, order: DateOrder, iso: str | None) -> None:
    found = parse_date(cell, order)
    assert (found.isoformat() if found else None) == iso
