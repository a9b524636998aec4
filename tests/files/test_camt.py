"""CAMT.053: the golden files in versions .02 to .08, booked entries only, hostile XML refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.files import camt as camt_module
from bot.files.camt import CamtImporter
from bot.files.importer import FileError, Problem, Statement
from tests.files.make_ofx_camt import GOLDEN, error, golden_files, statements_json

CAMT = CamtImporter()
GOLDENS = sorted(p for p in (GOLDEN / "camt").iterdir() if not p.name.endswith(".json"))
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def expected(path: Path) -> object:
    return json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))


def read(path: Path) -> object:
    try:
        return statements_json(CAMT.extract(path.name, path.read_bytes()))
    except FileError as problem:
        return error(problem.problem.value, problem.where)


def camt(entries: str, balance: str = "", account: str = "<IBAN>FR7630006000011234567890189</IBAN>",
         currency: str = "<Ccy>EUR</Ccy>") -> bytes:  # fmt: skip
    """A one-statement CAMT.053.001.02 document around the given Ntry text."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NAMESPACE}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>1</MsgId></GrpHdr><Stmt><Id>1</Id><Acct><Id>{account}</Id>{currency}"
        f"</Acct>{balance}{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


DAY = "<BookgDt><Dt>2024-03-05</Dt></BookgDt>"


def ntry(amount: str = "12.50", sign: str = "DBIT", status: str = "<Sts>BOOK</Sts>",
         booked: str = DAY, more: str = "") -> str:  # fmt: skip
    money = f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
    return f"<Ntry>{money}{status}{booked}{more}</Ntry>"


def only(data: bytes) -> Statement:
    (found,) = CAMT.extract("statement.xml", data)
    return found


def problem_of(data: bytes) -> tuple[Problem, str | None]:
    with pytest.raises(FileError) as raised:
        CAMT.extract("statement.xml", data)
    return raised.value.problem, raised.value.where


def test_the_generator_makes_exactly_the_committed_golden_files() -> None:
    made = {name: data for name, data in golden_files().items() if name.startswith("camt/")}
    committed = {f"camt/{p.name}": p.read_bytes() for p in (GOLDEN / "camt").iterdir()}
    assert made == committed


@pytest.mark.parametrize("path", GOLDENS, ids=[p.name for p in GOLDENS])
def test_each_golden_file_gives_its_expected_statements(path: Path) -> None:
    assert read(path) == expected(path)


@pytest.mark.parametrize(
    ("filename", "head", "accepted"),
    [
        (
            "statement.xml",
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">',
            True,
        ),
        ("report.xml", b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">', True),
        ("notice.bin", b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04">', True),
        ("releve.053", b"<Document><BkToCstmrStmt>", True),
        ("releve.CAMT", b"<x>camt.053</x>", True),
        ("orders.xml", b"<orders><order/></orders>", False),
        ("bank.ofx", b"OFXHEADER:100", False),
        ("releve.txt", b"<BkToCstmrStmt>", False),
    ],
)
def test_camt_is_known_by_its_namespace_or_its_extension_and_message(
    filename: str, head: bytes, accepted: bool
) -> None:
    assert CAMT.identify(filename, head) is accepted


def test_a_debit_is_negative_and_a_credit_positive() -> None:
    found = only(camt(ntry("12.50", "DBIT") + ntry("100", "CRDT")))
    assert [line.amount.minor for line in found.lines] == [-1250, 10000]
    assert found.account.iban == "FR7630006000011234567890189" and found.currency == "EUR"


def test_the_closing_booked_balance_is_the_balance_and_a_debit_one_is_negative() -> None:
    balance = (
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>"
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">42.10</Amt>'
        "<CdtDbtInd>DBIT</CdtDbtInd><Dt><DtTm>2024-03-31T23:59:00-08:00</DtTm></Dt></Bal>"
    )
    found = only(camt("", balance))
    assert found.balance is not None and found.balance.minor == -4210
    assert found.balance_date == date(2024, 3, 31) and found.lines == ()


def test_the_currency_comes_from_the_amounts_when_the_account_has_none() -> None:
    found = only(
        camt(ntry().replace("EUR", "CHF"), currency="", account="<Othr><Id>12</Id></Othr>")
    )
    assert found.currency == "CHF" and found.account.number == "12" and found.account.iban is None


def test_pending_and_information_entries_are_left_out_and_noted() -> None:
    found = only(
        camt(ntry() + ntry(status="<Sts>PDNG</Sts>") + ntry(status="<Sts><Cd>INFO</Cd></Sts>"))
    )
    assert len(found.lines) == 1 and found.notes == (
        "1 PDNG entries skipped",
        "1 INFO entries skipped",
    )


def test_a_booking_date_and_time_keeps_its_calendar_day() -> None:
    booked = "<BookgDt><DtTm>2024-03-05T23:30:00-05:00</DtTm></BookgDt>"
    assert only(camt(ntry(booked=booked))).lines[0].booking_date == date(2024, 3, 5)


def test_the_label_prefers_the_remittance_then_the_other_party_then_the_banks_words() -> None:
    remittance = (
        "<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>EDF</Nm></Cdtr></RltdPties><RmtInf>"
        "<Ustrd>Facture  12</Ustrd><Ustrd>janvier</Ustrd></RmtInf></TxDtls></NtryDtls>"
    )
    party = (
        "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>ACME</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>"
    )
    words = "<AddtlNtryInf>FRAIS   BANCAIRES</AddtlNtryInf><AcctSvcrRef>R1</AcctSvcrRef>"
    found = only(camt(ntry(more=remittance) + ntry(sign="CRDT", more=party) + ntry(more=words)))
    assert [line.label for line in found.lines] == ["Facture 12 janvier", "ACME", "FRAIS BANCAIRES"]
    assert [line.file_id for line in found.lines] == [None, None, "R1"]


def test_a_batch_is_one_line_for_its_total() -> None:
    details = "".join(f"<TxDtls><Amt Ccy='EUR'>{n}.00</Amt></TxDtls>" for n in (1, 2, 3))
    (line,) = only(camt(ntry("6.00", more=f"<NtryDtls>{details}</NtryDtls>"))).lines
    assert (line.amount.minor, line.label) == (-600, "3 transactions")


def test_an_unprefixed_or_prefixed_document_reads_alike() -> None:
    plain = camt(ntry())
    prefixed = plain.replace(b"<", b"<c:").replace(b"<c:/", b"</c:").replace(b"<c:?", b"<?")
    prefixed = prefixed.replace(b"xmlns=", b"xmlns:c=")
    assert only(prefixed) == only(plain)


@pytest.mark.parametrize("message", ["BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn"])
def test_a_report_or_a_notification_is_not_a_statement(message: str) -> None:
    data = camt(ntry()).replace(b"BkToCstmrStmt", message.encode())
    assert problem_of(data) == (Problem.NOT_A_STATEMENT, None)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<Document><BkToCstmrStmt><GrpHdr><MsgId>&b;</MsgId></GrpHdr></BkToCstmrStmt></Document>",
        b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.invalid/camt.dtd"><Document/>',
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
    ],
    ids=["entity bomb", "external DTD", "external entity"],
)
def test_a_dtd_or_an_entity_is_damage_never_expanded(data: bytes) -> None:
    assert problem_of(data) == (Problem.DAMAGED, None)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (camt(ntry(sign="")), "Ntry 1 / CdtDbtInd"),
        (camt(ntry(amount="-1.00")), "Ntry 1 / Amt"),
        (camt(ntry(amount="1.001")), "Ntry 1 / Amt"),
        (camt(ntry(amount="1E+999999999")), "Ntry 1 / Amt"),
        (camt(ntry(amount="douze")), "Ntry 1 / Amt"),
        (camt(ntry().replace("EUR", "USD")), "Ntry 1 / Amt"),
        (camt(ntry(booked="")), "Ntry 1 / BookgDt"),
        (camt(ntry(booked="<BookgDt><Dt>2024-02-30</Dt></BookgDt>")), "Ntry 1 / BookgDt / Dt"),
        (camt(ntry(more=f"<AddtlNtryInf>{'x' * 10_001}</AddtlNtryInf>")), "AddtlNtryInf"),
        (camt(ntry(), currency="<Ccy>euro</Ccy>"), "Acct / Ccy"),
        (camt(ntry())[:-30], None),
        (b"\x00\xff garbage", None),
    ],
)
def test_a_broken_file_is_damaged_and_says_where(data: bytes, where: str | None) -> None:
    assert problem_of(data) == (Problem.DAMAGED, where)


def test_an_xml_file_that_is_not_camt_is_not_a_format_we_read() -> None:
    assert problem_of(b"<orders><order/></orders>") == (Problem.UNKNOWN_FORMAT, None)


def test_absurd_nesting_or_too_many_entries_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = b"<Document>" + b"<x:a>" * 100 + b"</x:a>" * 100 + b"</Document>"
    assert problem_of(deep) == (Problem.TOO_LARGE, "a")
    monkeypatch.setattr(camt_module, "MAX_ENTRIES", 2)
    prefixed = camt(ntry() * 3).replace(b"<Ntry>", b"<c:Ntry>").replace(b"</Ntry>", b"</c:Ntry>")
    assert problem_of(prefixed) == (Problem.TOO_LARGE, "Ntry")


def test_a_latin_file_that_says_utf_8_is_read() -> None:
    data = camt(ntry(more="<AddtlNtryInf>Électricité</AddtlNtryInf>")).decode().encode("cp1252")
    assert only(data).lines[0].label == "Électricité"
