"""The MT940 importer: golden statements, accounts, booking dates, and damage as FileError."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.files.importer import FileError, Problem, Statement
from bot.files.mt940 import Mt940Importer
from tests.files.make_csv_mt940 import GOLDEN, iban, statements_json

MT940 = Mt940Importer()
GOLDEN_MT940 = sorted(path.name for path in (GOLDEN / "mt940").glob("*") if path.suffix != ".json")
FR_IBAN = iban("FR", "30004000031234567890143")


def statement(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def read(data: bytes) -> Statement:
    (only,) = MT940.extract("x.sta", data)
    return only


@pytest.mark.parametrize("name", GOLDEN_MT940)
def test_every_golden_mt940_gives_its_expected_statements(name: str) -> None:
    data = (GOLDEN / "mt940" / name).read_bytes()
    want = json.loads(Path(f"{GOLDEN / 'mt940' / name}.expected.json").read_text("utf-8"))
    assert MT940.identify(name, data[:4096])
    if "error" in want:
        with pytest.raises(FileError) as raised:
            MT940.extract(name, data)
        assert [raised.value.problem.value, raised.value.where] == [
            want["error"]["problem"],
            want["error"]["where"],
        ]
        return
    assert statements_json(MT940.extract(name, data)) == want["statements"]


def test_several_blocks_of_one_account_make_one_statement_with_the_last_balance() -> None:
    data = (GOLDEN / "mt940" / "multi_account.sta").read_bytes()
    first, second = MT940.extract("multi.sta", data)
    assert first.account.iban == FR_IBAN and second.account.iban != FR_IBAN
    last_closing = data.decode("cp1252").rsplit(":62F:", 1)[1].split("\r\n")[0]
    sign = -1 if last_closing[0] == "D" else 1
    assert first.balance is not None
    assert first.balance.minor == sign * int(last_closing[10:].replace(",", ""))
    assert first.balance_date == first.end
    assert len(first.lines) == 7 and len(second.lines) == 5


def test_identify_needs_the_extension_and_the_tags() -> None:
    head = b":20:REF\r\n:25:FR76\r\n:28C:1\r\n"
    assert MT940.identify("releve.sta", head)
    assert MT940.identify("RELEVE.MT940", head)
    assert MT940.identify("export.txt", b"{1:F01}{4:\r\n" + head)
    assert not MT940.identify("releve.csv", head)
    assert not MT940.identify("releve.sta", b"Date;Libelle;Montant\r\n")
    assert not MT940.identify("releve.txt", b":20:REF only\r\n")


def test_the_entry_date_is_the_booking_date_even_across_the_new_year() -> None:
    data = statement(
        ":20:X",
        f":25:{FR_IBAN}",
        ":28C:1",
        ":60F:C231229EUR100,00",
        ":61:2312310102D10,00NTRFNONREF//B1",
        ":86:CB BOULANGERIE",
        ":61:240103C5,00NTRFREF42",
        ":86:VIR RECU",
        ":62F:C240103EUR95,00",
    )
    lines = read(data).lines
    assert [(line.booking_date, line.amount.minor) for line in lines] == [
        (date(2024, 1, 2), -1000),
        (date(2024, 1, 3), 500),
    ]
    assert [line.file_id for line in lines] == ["B1", "REF42"]


def test_a_reversal_of_a_credit_leaves_the_account() -> None:
    data = statement(
        ":20:X",
        ":25:12345678",
        ":60F:C240101EUR100,00",
        ":61:240102RC10,00NTRFNONREF",
        ":61:240103RD4,00NTRFNONREF",
        ":62F:C240103EUR94,00",
    )
    found = read(data)
    assert [line.amount.minor for line in found.lines] == [-1000, 400]
    assert [line.file_id for line in found.lines] == [None, None]
    assert (found.account.number, found.account.iban) == ("12345678", None)


@pytest.mark.parametrize(
    ("account", "iban_", "number", "bank_id"),
    [
        (FR_IBAN, FR_IBAN, None, None),
        (f"{FR_IBAN[:18]}", None, FR_IBAN[:18], None),
        (f"{iban('NL', 'INGB0001234567')}EUR", iban("NL", "INGB0001234567"), None, None),
        (
            f"INGBNL2A/{iban('NL', 'INGB0001234567')}",
            iban("NL", "INGB0001234567"),
            None,
            "INGBNL2A",
        ),
        ("10020030/1234567890", None, "1234567890", "10020030"),
        ("30003/00050/00012345678", None, "00012345678", "30003/00050"),
        ("1234567890EUR", None, "1234567890", None),
    ],
)
def test_the_account_line(
    account: str, iban_: str | None, number: str | None, bank_id: str | None
) -> None:
    data = statement(":20:X", f":25:{account}", ":60F:C240101EUR0,00", ":62F:C240101EUR0,00")
    hint = read(data).account
    assert (hint.iban, hint.number, hint.bank_id) == (iban_, number, bank_id)


def test_a_balance_without_lines_is_an_empty_statement() -> None:
    found = read(statement(":20:X", ":25:1", ":60F:D240101EUR7,00", ":62F:D240131EUR7,00"))
    assert found.lines == () and found.balance is not None and found.balance.minor == -700
    assert (found.start, found.end, found.balance_date) == (
        date(2024, 1, 1),
        date(2024, 1, 31),
        date(2024, 1, 31),
    )


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (statement(":20:X", ":25:1", ":61:240102C1,00NTRF"), "statement 1 / :60F:"),
        (statement(":20:X", ":25:1", ":60F:C240101EUR0,00", ":61:24010C1,00"), "statement 1"),
        (statement(":20:X", ":25:1", ":60F:C240101EUR0,00", ":61:240102C1,2,3NTRF"), "statement 1"),
        (statement(":20:X", ":25:1", ":60F:C240101E1R0,00"), "statement 1 / :60F:"),
        (statement(":20:X", ":25:1", ":60F:C240101EUR0,00", ":62F:C240101USD1,00"), "statement 1"),
        (statement("no tags at all"), "statement 1"),
        (statement(":20:A", ":25:1", ":60F:C240101EUR0,00", ":20:B", ":60F:X"), "statement 2"),
    ],
)
def test_malformed_statements_are_damaged_and_say_where(data: bytes, where: str) -> None:
    with pytest.raises(FileError) as raised:
        MT940.extract("x.sta", data)
    assert raised.value.problem is Problem.DAMAGED
    assert raised.value.where is not None and raised.value.where.startswith(where)


def test_binary_is_no_mt940() -> None:
    with pytest.raises(FileError) as raised:
        MT940.extract("x.sta", b":20:X\x00\x00")
    assert raised.value.problem is Problem.UNKNOWN_FORMAT


def test_a_long_free_text_is_cut_to_the_label_limit() -> None:
    data = statement(
        ":20:X",
        ":25:1",
        ":60F:C240101EUR0,00",
        ":61:240102C1,00NTRFNONREF",
        *(f":86:{'word ' * 12}" if i == 0 else "word " * 12 for i in range(20)),
        ":62F:C240102EUR1,00",
    )
    label = read(data).lines[0].label
    assert len(label) == 500 and "  " not in label
