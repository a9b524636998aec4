"""OFX, QFX and QBO: the golden files, the quirks banks ship, ofxparse as a second opinion."""

from __future__ import annotations

import codecs
import json
from datetime import date
from pathlib import Path

import pytest

from bot.files import ofx_reader
from bot.files.importer import MAX_LABEL_CHARS, AccountKind, FileError, Problem, Statement
from bot.files.ofx import OfxImporter, decoded
from bot.files.ofx_fallback import read_with_ofxparse
from bot.files.ofx_values import label, minor_units, statement
from tests.files.make_ofx_camt import GOLDEN, error, golden_files, ofx_statement, statements_json

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated method findAll")
OFX = OfxImporter()
GOLDENS = sorted(p for p in (GOLDEN / "ofx").iterdir() if not p.name.endswith(".json"))
HEADER = b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"


def expected(path: Path) -> object:
    return json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))


def read(path: Path) -> object:
    try:
        return statements_json(OFX.extract(path.name, path.read_bytes()))
    except FileError as problem:
        return error(problem.problem.value, problem.where)


def ofx(transactions: str, account: str = "<ACCTID>123", currency: str = "EUR") -> bytes:
    """A one-account SGML statement around the given STMTTRN text."""
    return HEADER + (
        f"<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>{currency}"
        f"<BANKACCTFROM><BANKID>30004{account}</BANKACCTFROM><BANKTRANLIST>{transactions}"
        "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    ).encode("cp1252")


def trn(posted: str = "20240105", amount: str = "-12.50", **fields: str) -> str:
    extra = "".join(f"<{tag.upper()}>{value}" for tag, value in fields.items())
    return f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{posted}<TRNAMT>{amount}{extra}</STMTTRN>"


def only(data: bytes) -> Statement:
    (found,) = OFX.extract("bank.ofx", data)
    return found


def problem_of(data: bytes) -> tuple[Problem, str | None]:
    with pytest.raises(FileError) as raised:
        OFX.extract("bank.ofx", data)
    return raised.value.problem, raised.value.where


def test_the_generator_makes_exactly_the_committed_golden_files() -> None:
    made = {name: data for name, data in golden_files().items() if name.startswith("ofx/")}
    committed = {f"ofx/{p.name}": p.read_bytes() for p in (GOLDEN / "ofx").iterdir()}
    assert made == committed


@pytest.mark.parametrize("path", GOLDENS, ids=[p.name for p in GOLDENS])
def test_each_golden_file_gives_its_expected_statements(path: Path) -> None:
    assert read(path) == expected(path)


@pytest.mark.parametrize("path", GOLDENS, ids=[p.name for p in GOLDENS])
def test_ofxparse_reads_the_same_lines_wherever_it_can_read_the_file(path: Path) -> None:
    want = expected(path)
    try:
        found = [statement(raw) for raw in read_with_ofxparse(decoded(path.read_bytes()))]
    except FileError as problem:
        assert problem.problem is Problem.DAMAGED
        return
    assert statements_json(found) == want


def test_ofxparse_can_read_most_golden_files() -> None:
    readable = 0
    for path in GOLDENS:
        try:
            read_with_ofxparse(decoded(path.read_bytes()))
            readable += 1
        except FileError:
            pass
    assert readable >= 16


@pytest.mark.parametrize(
    ("filename", "head", "accepted"),
    [
        ("releve.ofx", b"", True),
        ("RELEVE.QFX", b"", True),
        ("export.qbo", b"", True),
        ("download.ofc", b"", True),
        (
            "download",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ofx\r\n\r\nOFXHEADER:100",
            True,
        ),
        ("download.txt", codecs.BOM_UTF8 + b"<?xml version='1.0'?>\n<ofx>\n", True),
        ("download.dat", codecs.BOM_UTF16_LE + "OFXHEADER:100".encode("utf-16-le"), True),
        ("statement.csv", b"Date;Libelle;Montant\n05/01/2024;CB;-12,50\n", False),
        (
            "statement.xml",
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>",
            False,
        ),
    ],
)
def test_ofx_is_known_by_its_extension_or_its_header(
    filename: str, head: bytes, accepted: bool
) -> None:
    assert OFX.identify(filename, head) is accepted


def test_a_file_with_a_bank_and_a_card_statement_gives_both() -> None:
    bank, card = OFX.extract("x.ofx", (GOLDEN / "ofx" / "multi_bank_card.ofx").read_bytes())
    assert (bank.account.kind, card.account.kind) == (AccountKind.BANK, AccountKind.CREDIT_CARD)
    assert bank.account.bank_id == "30004" and card.account.bank_id is None
    assert len(bank.lines) == 30 and len(card.lines) == 12


def test_an_iban_as_account_id_is_given_as_the_iban_too() -> None:
    found = only(ofx(trn(), account="<ACCTID>fr76 3000 6000 0112 3456 7890 189"))
    assert found.account.iban == "FR7630006000011234567890189"
    assert only(ofx(trn())).account.iban is None


def test_an_empty_statement_is_a_statement_without_lines() -> None:
    found = only(ofx(""))
    assert found.lines == () and found.currency == "EUR" and found.start is None


def test_dates_keep_the_banks_calendar_day_whatever_their_zone() -> None:
    for posted in (
        "20240105000000[+1:CET]",
        "20240105235959.000[-5:EST]",
        "20240105",
        "202401051200",
    ):
        assert only(ofx(trn(posted))).lines[0].booking_date == date(2024, 1, 5)


@pytest.mark.parametrize(
    ("text", "minor"),
    [("-12,50", -1250), ("+3", 300), ("1.025,53", 102553), ("1,025.53", 102553), ("-0.5", -50),
     ("12.3400", 1234), ("null", 0), (" 7 ", 700), ("-000000012.00", -1200)],
)  # fmt: skip
def test_amounts_are_read_as_banks_write_them(text: str, minor: int) -> None:
    assert minor_units(text, "EUR", "TRNAMT") == minor


@pytest.mark.parametrize("text", ["12.345", "abc", "", "-", "1e5", "1" * 40, "--1", "1.2.3"])
def test_an_amount_that_is_not_money_is_damage(text: str) -> None:
    with pytest.raises(FileError):
        minor_units(text, "EUR", "TRNAMT")


def test_a_yen_amount_has_no_minor_digits() -> None:
    assert minor_units("1500", "JPY", "TRNAMT") == 1500


@pytest.mark.parametrize(
    ("name", "memo", "shown"),
    [("PRLV SEPA EDF", "Électricité  janvier", "PRLV SEPA EDF Électricité janvier"),
     ("CB CARREFOUR", "cb carrefour", "CB CARREFOUR"),
     ("CARTE X1234", "CARTE X1234 05/01 PAUL", "CARTE X1234 05/01 PAUL"),
     ("", "  VIR   LOYER ", "VIR LOYER"), ("RETRAIT DAB", "", "RETRAIT DAB"), ("", "", "DEBIT")],
)  # fmt: skip
def test_the_label_joins_name_and_memo_without_repeating(name: str, memo: str, shown: str) -> None:
    assert label(name, memo, "DEBIT") == shown


def test_a_long_label_is_cut() -> None:
    found = only(ofx(trn(name="A" * 300, memo="B" * 300)))
    assert len(found.lines[0].label) == MAX_LABEL_CHARS


def test_empty_and_self_closing_fields_are_read_as_absent() -> None:
    data = ofx(trn(fitid="", name="", memo="") + "<STMTTRN><DTPOSTED>20240106<TRNAMT>5<FITID/>"
               "<NAME>VIR<MEMO></MEMO></STMTTRN>")  # fmt: skip
    first, second = only(data).lines
    assert (first.file_id, first.label, second.file_id, second.label) == (
        None,
        "DEBIT",
        None,
        "VIR",
    )


def test_entities_in_text_are_unescaped() -> None:
    assert only(ofx(trn(name="M&amp;S &lt;PARIS&gt;"))).lines[0].label == "M&S <PARIS>"


def test_a_payee_aggregate_gives_the_name() -> None:
    line = only(ofx(trn(fitid="F1") + "")).lines[0]
    assert line.file_id == "F1"
    payee = "<STMTTRN><DTPOSTED>20240105<TRNAMT>-1<PAYEE><NAME>EDF<ADDR1>1 rue</PAYEE></STMTTRN>"
    assert only(ofx(payee)).lines[0].label == "EDF"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + ofx(trn(name="Électricité")).decode("cp1252").encode("utf-8"),
        ofx(trn(name="Électricité")),
        codecs.BOM_UTF16_LE + ofx(trn(name="Électricité")).decode("cp1252").encode("utf-16-le"),
    ],
    ids=["utf-8 with BOM", "cp1252", "utf-16"],
)
def test_the_text_is_decoded_whatever_the_header_says(data: bytes) -> None:
    assert only(data).lines[0].label == "Électricité"


def test_a_layout_the_fast_reader_does_not_read_goes_to_ofxparse() -> None:
    data = ofx("<!-- exported by MyBank -->" + trn(fitid="A1", name="EDF"))
    with pytest.raises(ofx_reader.Unsupported):
        ofx_reader.read(decoded(data))
    (line,) = only(data).lines
    assert (line.booking_date, line.amount.minor, line.label, line.file_id) == (
        date(2024, 1, 5), -1250, "EDF", "A1")  # fmt: skip


def test_a_big_file_in_a_layout_only_ofxparse_reads_is_refused_not_left_to_crawl() -> None:
    data = ofx("<!-- -->" + trn(fitid="A1", name="EDF") * 2_001)
    assert problem_of(data) == (Problem.DAMAGED, "BANKTRANLIST")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (ofx(trn() + trn())[:-60], "STMTTRN 2"),
        (ofx(trn())[:-6], "OFX"),
        (ofx(trn()).replace(b"</BANKTRANLIST>", b""), "BANKTRANLIST"),
        (ofx(trn(posted="")), "STMTTRN 1 / DTPOSTED"),
        (ofx(trn(posted="20241301")), "STMTTRN 1 / DTPOSTED"),
        (ofx(trn(amount="12.345")), "STMTTRN 1 / TRNAMT"),
        (ofx("<STMTTRN><DTPOSTED>20240105</STMTTRN>"), "STMTTRN 1 / TRNAMT"),
        (ofx(trn(), currency="EURO"), "CURDEF"),
        (ofx(trn(memo="x" * 10_001)), "STMTTRN 1 / MEMO"),
        (HEADER, "OFX"),
    ],
)
def test_a_cut_or_broken_file_is_damaged_and_says_where(data: bytes, where: str) -> None:
    assert problem_of(data) == (Problem.DAMAGED, where)


def test_a_file_without_any_ofx_is_not_ofx() -> None:
    assert problem_of(b"Date;Montant\n") == (Problem.UNKNOWN_FORMAT, None)


def test_an_investment_only_file_is_not_a_format_we_read() -> None:
    data = HEADER + b"<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS></INVSTMTRS>"
    data += b"</INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>"
    assert problem_of(data) == (Problem.UNKNOWN_FORMAT, "STMTRS")


def test_too_many_transactions_or_too_deep_nesting_is_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert problem_of(ofx("<STMTTRN>" * 100)) == (Problem.TOO_LARGE, "STMTTRN")
    monkeypatch.setattr(ofx_reader, "MAX_TRANSACTIONS", 3)
    assert problem_of(ofx(trn() * 4)) == (Problem.TOO_LARGE, "STMTTRN")


def test_a_ten_thousand_line_statement_is_read_whole() -> None:
    (found,) = OFX.extract("big.ofx", ofx_statement(10_000, seed=7))
    assert len(found.lines) == 10_000
    assert len({line.file_id for line in found.lines}) == 10_000
    assert len({line.label.split(" 0")[0] for line in found.lines}) >= 500
    assert found.start == date(2023, 1, 1) and found.end == date(2023, 12, 31)
