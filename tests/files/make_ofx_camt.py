"""Makes the OFX and CAMT golden files and big OFX statements: python -m tests.files.make_ofx_camt

Each `<name>.expected.json` is written from the made-up accounts its file is made of, never from
what an importer reads; a test checks the committed files are exactly what this script makes.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from bot.files.importer import Statement

GOLDEN = Path(__file__).parent / "golden"
Json = dict[str, object]
Payees = Sequence[tuple[str, str | None, str]]


@dataclass(frozen=True)
class Txn:
    day: date
    minor: int
    name: str | None
    memo: str | None
    fitid: str
    label: str
    """What an importer should read: NAME and MEMO joined, a repeated MEMO left out."""


@dataclass(frozen=True)
class Account:
    card: bool
    acct_id: str
    iban: str | None
    currency: str
    balance: int
    start: date
    end: date
    txns: tuple[Txn, ...]
    bank_id: str = "30004"


@dataclass(frozen=True)
class Style:
    xml: bool = False
    empty: str = "sgml"
    """How an empty leaf is written: "sgml" (<MEMO>), "self" (<MEMO/>) or "pair"."""
    newline: str = "\r\n"
    header: str = ""
    date: Callable[[date, int], str] = lambda day, _: f"{day:%Y%m%d}"
    comma: bool = False
    intu: bool = False
    trnuid: str = "1001"


# Each payee: NAME, MEMO, and which the label shows ("join" both, "name" or "memo" alone).
FR_PAYEES: Payees = (
    ("PRLV SEPA EDF", "Électricité facture {ref}", "join"),
    ("CB CARREFOUR MARKET", "CB CARREFOUR MARKET", "name"),
    ("CARTE X4821", "CARTE X4821 {dd} BOULANGERIE SAINT-HONORÉ", "memo"),
    ("VIR SEPA M. DUPONT JEAN", "Loyer {month}", "join"),
    ("RETRAIT DAB", None, "name"),
    ("PRLV SEPA ORANGE SA", "Téléphone mobile réf {ref}", "join"),
    ("CB LA POSTE", "Affranchissement  colis", "join"),
    ("VIR URSSAF ÎLE-DE-FRANCE", "Cotisations T1", "join"),
    ("CB SNCF", "Billet Paris-Lyon", "join"),
    ("COMMISSION", "Frais de tenue de compte", "join"),
    ("CHQ N° {ref}", None, "name"),
    ("VIR CLIENT SARL MÉTIVIER", "Facture F-{ref} réglée", "join"),
)
EN_PAYEES: Payees = (
    ("AMAZON MKTPLACE PMTS", "AMZN Mktp US order {ref}", "join"),
    ("STARBUCKS STORE {ref}", None, "name"),
    ("MARKS &amp; SPENCER", "MARKS &amp; SPENCER", "name"),
    ("PAYROLL ACME CORP", "Direct deposit {month}", "join"),
    ("SHELL OIL", "SHELL OIL 57442", "memo"),
    ("COMCAST CABLE", "Internet {month}", "join"),
    ("CHECK {ref}", "", "name"),
    ("WHOLE FOODS", "Groceries", "join"),
)
CP1252_PAYEES: Payees = (
    ("VIR COMITÉ D'ŒUVRES SOCIALES", "Cotisation – 12 €", "join"),
    ("CB BOUTIQUE “LE BŒUF”", "Dépense … diverses", "join"),
)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin")
MERCHANTS = (
    "CARREFOUR", "MONOPRIX", "FNAC", "DARTY", "CASTORAMA", "PHARMACIE", "TOTALENERGIES", "AUCHAN",
    "LIDL", "PICARD", "DECATHLON", "IKEA", "BOUYGUES", "SFR", "UBER", "BLABLACAR", "BRASSERIE",
    "GARAGE", "RATP", "TABAC", "LIBRAIRIE", "OPTIQUE", "HÔTEL DE LA GARE", "CAFÉ DU COMMERCE",
)  # fmt: skip
CITIES = (
    "PARIS", "LYON", "MARSEILLE", "LILLE", "NANTES", "RENNES", "BORDEAUX", "TOULOUSE", "NICE",
    "STRASBOURG", "MONTPELLIER", "DIJON", "ANGERS", "BREST", "GRENOBLE", "ROUEN", "METZ", "TOURS",
)  # fmt: skip
KINDS = ("CB", "PRLV SEPA", "VIR SEPA", "CARTE", "PAIEMENT")
_AGGREGATES = (
    "OFX|SIGNONMSGSRSV1|SONRS|STATUS|FI|BANKMSGSRSV1|CREDITCARDMSGSRSV1|STMTTRNRS|CCSTMTTRNRS|"
    "STMTRS|CCSTMTRS|BANKACCTFROM|CCACCTFROM|BANKTRANLIST|STMTTRN|LEDGERBAL|AVAILBAL"
)
_LEAF = re.compile(rf"<(?!(?:{_AGGREGATES})>)([A-Z.]+)>([^<\n]*)\n")


def _words(text: str) -> str:
    return " ".join(text.replace("&amp;", "&").split())


def _txns(seed: int, payees: Payees, count: int, start: date) -> tuple[Txn, ...]:
    rng = random.Random(seed)
    txns = []
    for index in range(count):
        day = start + timedelta(days=index * 28 // max(count, 1))
        name, memo, keeps = payees[index % len(payees)]
        ref = str(rng.randrange(10_000, 99_999))
        fill = {"ref": ref, "dd": f"{day:%d/%m}", "month": MONTHS[day.month % 6]}
        name, memo = name.format(**fill), memo.format(**fill) if memo is not None else None
        minor = rng.randrange(150, 250_000) * (1 if index % 5 == 3 else -1)
        shown = {"name": name, "memo": memo or "", "join": f"{name} {memo}"}[keeps]
        txns.append(Txn(day, minor, name, memo, f"{seed:02d}{index:05d}{ref}", _words(shown)))
    return tuple(txns)


def _account(seed: int, count: int, *, card: bool = False, currency: str = "EUR",
             payees: Payees = FR_PAYEES, acct_id: str = "00012345678",
             iban: str | None = None) -> Account:  # fmt: skip
    start = date(2024, 1, 1)
    txns = _txns(seed, payees, count, start)
    balance = 250_000 + sum(txn.minor for txn in txns)
    return Account(card, acct_id, iban, currency, balance, start, start + timedelta(30), txns)


def _amount(minor: int, comma: bool = False) -> str:
    text = f"{'-' if minor < 0 else ''}{abs(minor) // 100}.{abs(minor) % 100:02d}"
    return text.replace(".", ",") if comma else text


def _stmttrn(txn: Txn, index: int, style: Style) -> str:
    kind = "CREDIT" if txn.minor > 0 else "DEBIT"
    text = f"<STMTTRN>\n<TRNTYPE>{kind}\n<DTPOSTED>{style.date(txn.day, index)}\n"
    text += f"<TRNAMT>{_amount(txn.minor, style.comma)}\n<FITID>{txn.fitid}\n"
    text += "".join(f"<{tag}>{value}\n" for tag, value in (("NAME", txn.name), ("MEMO", txn.memo))
                    if value is not None)  # fmt: skip
    return text + "</STMTTRN>\n"


def _trnrs(a: Account, style: Style) -> str:
    cc = "CC" if a.card else ""
    source = (f"<CCACCTFROM>\n<ACCTID>{a.acct_id}\n</CCACCTFROM>\n" if a.card else
              f"<BANKACCTFROM>\n<BANKID>{a.bank_id}\n<BRANCHID>00123\n<ACCTID>{a.acct_id}\n"
              "<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n")  # fmt: skip
    trns = "".join(_stmttrn(txn, index, style) for index, txn in enumerate(a.txns))
    balance = f"<BALAMT>{_amount(a.balance, style.comma)}\n<DTASOF>{a.end:%Y%m%d}\n"
    return (
        f"<{cc}STMTTRNRS>\n<TRNUID>{style.trnuid}\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
        f"<{cc}STMTRS>\n<CURDEF>{a.currency}\n{source}<BANKTRANLIST>\n"
        f"<DTSTART>{style.date(a.start, 0)}\n<DTEND>{style.date(a.end, 1)}\n{trns}</BANKTRANLIST>\n"
        f"<LEDGERBAL>\n{balance}</LEDGERBAL>\n<AVAILBAL>\n{balance}</AVAILBAL>\n"
        f"</{cc}STMTRS>\n</{cc}STMTTRNRS>\n"
    )


def sgml_header(encoding: str = "USASCII", charset: str = "1252") -> str:
    head = f"OFXHEADER:100 DATA:OFXSGML VERSION:102 ENCODING:{encoding} CHARSET:{charset}"
    return f"{head} SECURITY:NONE COMPRESSION:NONE OLDFILEUID:NONE NEWFILEUID:NONE  ".replace(
        " ", "\n"
    )


XML_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)


def ofx_text(accounts: Sequence[Account], style: Style, language: str = "FRA") -> str:
    """An OFX file: SGML with unclosed leaves, or XML when the style says so."""
    intu = "<FI>\n<ORG>B1\n<FID>10898\n</FI>\n<INTU.BID>10898\n" if style.intu else ""
    banks = "".join(_trnrs(a, style) for a in accounts if not a.card)
    cards = "".join(_trnrs(a, style) for a in accounts if a.card)
    body = (
        "<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
        f"<DTSERVER>20240201083000\n<LANGUAGE>{language}\n{intu}</SONRS>\n</SIGNONMSGSRSV1>\n"
        + (f"<BANKMSGSRSV1>\n{banks}</BANKMSGSRSV1>\n" if banks else "")
        + (f"<CREDITCARDMSGSRSV1>\n{cards}</CREDITCARDMSGSRSV1>\n" if cards else "")
        + "</OFX>\n"
    )

    def leaf(match: re.Match[str]) -> str:
        tag, value = match[1], match[2]
        if not value and style.empty == "self":
            return f"<{tag}/>\n"
        if style.xml or (not value and style.empty == "pair"):
            return f"<{tag}>{value}</{tag}>\n"
        return match[0]

    header = style.header or (XML_HEADER if style.xml else sgml_header())
    return (header + _LEAF.sub(leaf, body)).replace("\n", style.newline)


def iban(country: str, bban: str) -> str:
    """A valid IBAN (ISO 13616 check digits) for a made-up domestic account number."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _statement_json(account: Json, currency: str, balance: int | None, balance_date: date | None,
                    start: date | None, end: date | None, notes: list[str],
                    lines: list[list[object]]) -> Json:  # fmt: skip
    return {"account": account, "currency": currency, "balance": balance,
            "balance_date": _day(balance_date), "start": _day(start), "end": _day(end),
            "notes": notes, "lines": lines}  # fmt: skip


def expected_ofx(accounts: Sequence[Account]) -> Json:
    return {"statements": [_statement_json(
        {"iban": a.iban, "number": a.acct_id, "bank_id": None if a.card else a.bank_id,
         "kind": "credit_card" if a.card else "bank"}, a.currency, a.balance, a.end, a.start, a.end,
        [], [[t.day.isoformat(), t.minor, t.label, t.fitid or None] for t in a.txns],
    ) for a in accounts]}  # fmt: skip


def error(problem: str, where: str | None = None) -> Json:
    return {"error": {"problem": problem, "where": where}}


def statements_json(statements: Sequence[Statement]) -> Json:
    """What an importer read, in the shape of the expected files."""
    return {"statements": [_statement_json(
        {"iban": s.account.iban, "number": s.account.number, "bank_id": s.account.bank_id,
         "kind": s.account.kind.value},
        s.currency, s.balance.minor if s.balance is not None else None, s.balance_date, s.start,
        s.end, list(s.notes), [[line.booking_date.isoformat(), line.amount.minor, line.label,
                                line.file_id] for line in s.lines],
    ) for s in statements]}  # fmt: skip


def _zoned(day: date, index: int) -> str:
    zones = ("000000[+1:CET]", "120000.000[-5:EST]", "", "235959[-8:PST]", "000000.000[+14]")
    return f"{day:%Y%m%d}{zones[index % len(zones)]}"


def _emptied(txn: Txn, index: int) -> Txn:
    """An empty NAME, MEMO or FITID in turn, as some banks write them."""
    if index % 3 == 0:
        fallback = "CREDIT" if txn.minor > 0 else "DEBIT"
        return replace(txn, name="", memo=txn.memo or "", label=_words(txn.memo or fallback))
    if index % 3 == 1:
        return replace(txn, memo="", label=_words(txn.name or ""))
    return replace(txn, fitid="")


def ofx_goldens() -> dict[str, tuple[bytes, Json]]:
    fr, us = _account(1, 30), _account(2, 20, currency="USD", payees=EN_PAYEES, acct_id="12345678")
    card = _account(3, 12, card=True, acct_id="4970XXXXXXXX1234")
    us_card = _account(4, 9, card=True, currency="USD", payees=EN_PAYEES, acct_id="41112222")
    second = _account(5, 7, acct_id=(ib := iban("FR", "30004001230009876543299")), iban=ib)
    empty, quirky = replace(_account(6, 0), balance=120_000), _account(7, 10)
    emptied = replace(quirky, txns=tuple(_emptied(t, i) for i, t in enumerate(quirky.txns)))
    windows = _account(8, 6, payees=CP1252_PAYEES)
    sgml, xml, lf = Style(), Style(xml=True, newline="\n"), "\n"
    http = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ofx\r\nDate: Thu, 01 Feb 2024\r\n\r\n"
    made: list[tuple[str, str, str, list[Account]]] = [
        ("fr_bank.ofx", ofx_text([fr], sgml), "cp1252", [fr]),
        ("en_bank_v2.ofx", ofx_text([us], xml, "ENG"), "utf-8", [us]),
        ("en_quicken.qfx", ofx_text([us], Style(intu=True, newline=lf), "ENG"), "utf-8", [us]),
        ("en_quickbooks.qbo", ofx_text([us_card], Style(intu=True), "ENG"), "utf-8", [us_card]),
        ("multi_bank_card.ofx", ofx_text([fr, card], sgml), "cp1252", [fr, card]),
        ("multi_two_banks.ofx", ofx_text([fr, second], xml), "utf-8", [fr, second]),
        ("empty_statement.ofx", ofx_text([empty], sgml), "cp1252", [empty]),
        ("quirk_empty_fields.ofx", ofx_text([emptied], Style(trnuid="")), "cp1252", [emptied]),
        ("quirk_self_closing.ofx", ofx_text([emptied], replace(xml, empty="self")), "utf-8",
         [emptied]),
        ("quirk_empty_pair.ofx", ofx_text([emptied], Style(empty="pair")), "cp1252", [emptied]),
        ("quirk_http_header.ofc", http + ofx_text([quirky], sgml), "cp1252", [quirky]),
        ("quirk_comma_decimals.ofx", ofx_text([quirky], Style(comma=True)), "cp1252", [quirky]),
        ("quirk_dates_timezone.ofx", ofx_text([quirky], Style(date=_zoned)), "cp1252", [quirky]),
        ("quirk_encoding_windows_1252.ofx",
         ofx_text([windows], Style(header=sgml_header("WINDOWS-1252"))), "cp1252", [windows]),
    ]  # fmt: skip
    for name, header, codec in (
        ("charset_none", sgml_header("USASCII", "NONE"), "utf-8"),
        ("charset_8859_1", sgml_header("USASCII", "8859-1"), "latin-1"),
        ("encoding_utf8_is_cp1252", sgml_header("UTF-8", "NONE"), "cp1252"),
        ("encoding_iso_is_utf8", sgml_header("ISO-8859-1", "NONE"), "utf-8"),
    ):
        made.append(
            (f"quirk_{name}.ofx", ofx_text([quirky], Style(header=header)), codec, [quirky])
        )
    files = {name: (text.encode(codec), expected_ofx(a)) for name, text, codec, a in made}
    whole = ofx_text([fr], sgml)
    cut = whole[: whole.index("<NAME>", len(whole) // 2) + 3]
    where = f"STMTTRN {cut.count('<STMTTRN>')}"
    files["truncated.ofx"] = (cut.encode("cp1252"), error("damaged", where))
    end = whole[: whole.rindex("</OFX>")]
    files["truncated_before_end.ofx"] = (end.encode("cp1252"), error("damaged", "OFX"))
    return files


def ofx_statement(n: int, seed: int) -> bytes:
    """An OFX 1.x SGML statement of `n` lines, many payees, references and dates (benchmarks)."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    txns = []
    for index in range(n):
        day = start + timedelta(days=rng.randrange(365))
        payee = f"{rng.choice(KINDS)} {rng.choice(MERCHANTS)} {rng.choice(CITIES)}"
        memo = f"{payee} {day:%d/%m} REF{rng.randrange(10**6):06d}" if index % 3 else None
        minor = rng.randrange(100, 500_000) * (1 if rng.random() < 0.2 else -1)
        txns.append(Txn(day, minor, payee, memo, f"{seed}-{index:07d}", ""))
    txns.sort(key=lambda txn: txn.day)
    account = Account(False, "00098765432", None, "EUR", 0, start, date(2023, 12, 31), tuple(txns))
    return ofx_text([account], Style()).encode("cp1252")


@dataclass(frozen=True)
class Entry:
    day: date
    minor: int
    label: str
    status: str = "BOOK"
    ref: str | None = None
    party: str | None = None
    ustrd: tuple[str, ...] = ()
    addtl: str | None = None
    batch: tuple[int, ...] = ()


@dataclass(frozen=True)
class CamtStmt:
    iban: str | None
    other: str | None
    currency: str
    closing: int
    start: date
    end: date
    entries: tuple[Entry, ...]
    bic: str = "AGRIFRPP882"


def camt_xml(version: str, stmts: Sequence[CamtStmt], prefix: str = "", kind: str = "053") -> str:
    """A CAMT.05x document of `version` ("02" to "08"), its tags under `prefix` when given."""
    p, new = f"{prefix}:" if prefix else "", version >= "08"

    def x(tag: str, *content: str, ccy: str = "") -> str:
        attrs = f' Ccy="{ccy}"' if ccy else ""
        return f"<{p}{tag}{attrs}>{''.join(content)}</{p}{tag}>"

    def when(day: date, hour: str = "10:00:00") -> str:
        return x("DtTm", f"{day.isoformat()}T{hour}-05:00") if new else x("Dt", day.isoformat())

    def party(name: str, minor: int) -> str:
        inner = x("Pty", x("Nm", name)) if new else x("Nm", name)
        return x("RltdPties", x("Cdtr" if minor < 0 else "Dbtr", inner))

    def entry(e: Entry, index: int, ccy: str) -> str:
        details = [x("TxDtls", x("Refs", x("EndToEndId", f"E2E{index}-{n}")),
                     x("Amt", _amount(abs(m)), ccy=ccy), party(f"Salarié {n}", m))
                   for n, m in enumerate(e.batch)]  # fmt: skip
        if not e.batch and (e.party or e.ustrd):
            remittance = x("RmtInf", *(x("Ustrd", line) for line in e.ustrd)) if e.ustrd else ""
            named = party(e.party, e.minor) if e.party else ""
            details = [x("TxDtls", x("Refs", x("EndToEndId", f"E2E{index}")), named, remittance)]
        batch = x("Btch", x("NbOfTxs", str(len(e.batch)))) if e.batch else ""
        code = x("Domn", x("Cd", "PMNT"), x("Fmly", x("Cd", "RCDT"), x("SubFmlyCd", "ESCT")))
        return x("Ntry", x("NtryRef", str(index)), x("Amt", _amount(abs(e.minor)), ccy=ccy),
                 x("CdtDbtInd", "DBIT" if e.minor < 0 else "CRDT"),
                 x("Sts", x("Cd", e.status)) if new else x("Sts", e.status),
                 x("BookgDt", when(e.day, "23:30:00")), x("ValDt", x("Dt", e.day.isoformat())),
                 x("AcctSvcrRef", e.ref) if e.ref else "", x("BkTxCd", code),
                 x("NtryDtls", batch, *details) if details else "",
                 x("AddtlNtryInf", e.addtl) if e.addtl else "")  # fmt: skip

    def stmt(s: CamtStmt, number: int) -> str:
        account_id = x("IBAN", s.iban) if s.iban else x("Othr", x("Id", s.other or ""))
        bic = x("BICFI" if version >= "04" else "BIC", s.bic)
        sign = x("CdtDbtInd", "DBIT" if s.closing < 0 else "CRDT")
        amount = x("Amt", _amount(abs(s.closing)), ccy=s.currency)
        closing = x(
            "Bal", x("Tp", x("CdOrPrtry", x("Cd", "CLBD"))), amount, sign, x("Dt", when(s.end))
        )
        opening = closing.replace("CLBD", "OPBD").replace(s.end.isoformat(), s.start.isoformat())
        period = x("FrToDt", x("FrDtTm", f"{s.start}T00:00:00+01:00"),
                   x("ToDtTm", f"{s.end}T23:59:59+01:00"))  # fmt: skip
        return x({"052": "Rpt", "054": "Ntfctn"}.get(kind, "Stmt"),
                 x("Id", f"STMT-{s.end:%Y%m%d}-{number}"), x("CreDtTm", f"{s.end}T06:00:00"),
                 period, x("Acct", x("Id", account_id), x("Ccy", s.currency),
                           x("Svcr", x("FinInstnId", bic))),
                 opening, closing,
                 *(entry(e, i, s.currency) for i, e in enumerate(s.entries, start=1)))  # fmt: skip

    message = {"052": "BkToCstmrAcctRpt", "054": "BkToCstmrDbtCdtNtfctn"}.get(kind, "BkToCstmrStmt")
    header = x("GrpHdr", x("MsgId", f"MSG{kind}{version}"), x("CreDtTm", "2024-02-01T06:00:00"))
    body = x(message, header, *(stmt(s, n) for n, s in enumerate(stmts, start=1)))
    space = f"urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}"
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{space}"'
    document = f"<{p}Document {xmlns}>{body}</{p}Document>".replace("><", ">\n<")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{document}\n'


def _entries(seed: int, count: int, start: date) -> tuple[Entry, ...]:
    """Entries with remittance lines, a party alone, the bank's words alone, or all three."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        day = start + timedelta(days=index * 27 // max(count, 1))
        minor = rng.randrange(200, 300_000) * (1 if index % 4 == 1 else -1)
        ref = f"{seed}{day:%y%m%d}{index:04d}" if index % 6 != 5 else None
        name, memo, _ = FR_PAYEES[index % len(FR_PAYEES)]
        fill = {"ref": str(index), "dd": "01/02", "month": "mai"}
        name, memo = name.format(**fill), (memo or "").format(**fill)
        made.append([
            Entry(day, minor, _words(f"{memo} /REF {index}"), ref=ref, party=name,
                  ustrd=(memo, f"/REF {index}")),
            Entry(day, minor, name, ref=ref, party=name, addtl=f"VIR {name}"),
            Entry(day, minor, f"PRLV {name}", ref=ref, addtl=f"PRLV  {name}"),
            Entry(day, minor, _words(memo) or "Autre", ref=ref, party="Autre",
                  ustrd=(memo,) if memo else (), addtl="pas lu"),
        ][index % 4])  # fmt: skip
    return tuple(made)


def _camt_stmt(seed: int, entries: tuple[Entry, ...], *, other: str | None = None,
               currency: str = "EUR", closing: int | None = None,
               start: date = date(2024, 3, 1)) -> CamtStmt:  # fmt: skip
    booked = sum(e.minor for e in entries if e.status == "BOOK")
    account = None if other else iban("FR", f"3000600001{seed:011d}89")
    total = 500_000 + booked if closing is None else closing
    return CamtStmt(account, other, currency, total, start, start + timedelta(30), entries)


def expected_camt(stmts: Sequence[CamtStmt]) -> Json:
    def notes(s: CamtStmt) -> list[str]:
        counts = Counter(e.status for e in s.entries if e.status != "BOOK")
        return [f"{n} {status} entries skipped" for status, n in counts.items()]

    return {"statements": [_statement_json(
        {"iban": s.iban, "number": s.other, "bank_id": s.bic, "kind": "bank"}, s.currency,
        s.closing, s.end, s.start, s.end, notes(s),
        [[e.day.isoformat(), e.minor, e.label, e.ref] for e in s.entries if e.status == "BOOK"],
    ) for s in stmts]}  # fmt: skip


def camt_goldens() -> dict[str, tuple[bytes, Json]]:
    march, april, day = date(2024, 3, 1), date(2024, 4, 1), date(2024, 3, 15)
    fr = _camt_stmt(11, _entries(11, 12, march))
    chf = _camt_stmt(12, _entries(12, 5, march), other="00123", currency="CHF", closing=-12_345)
    new = _camt_stmt(13, _entries(13, 8, april), start=april)
    batched = _camt_stmt(14, (
        Entry(day, -150_000, "VIREMENTS SALAIRES MARS", ref="B1", batch=(-50_000, -60_000, -40_000),
              addtl="VIREMENTS SALAIRES MARS"),
        Entry(day, 12_000, "2 transactions", ref="B2", batch=(5_000, 7_000)),
        *_entries(14, 3, day)))  # fmt: skip
    pending = _camt_stmt(15, (
        *_entries(15, 3, day), Entry(day, -999, "", status="PDNG"),
        Entry(day, 5_000, "", status="INFO"), Entry(day, -1_000, "", status="PDNG")))  # fmt: skip
    empty = _camt_stmt(16, ())
    return {
        "camt053_v02.xml": (camt_xml("02", [fr]).encode(), expected_camt([fr])),
        "camt053_v04_prefix.xml": (camt_xml("04", [fr, chf], "ns2").encode(),
                                   expected_camt([fr, chf])),
        "camt053_v08.xml": (camt_xml("08", [new]).encode(), expected_camt([new])),
        "camt053_batch.xml": (camt_xml("02", [batched]).encode(), expected_camt([batched])),
        "camt053_pending.xml": (camt_xml("04", [pending]).encode(), expected_camt([pending])),
        "camt053_empty.xml": (camt_xml("02", [empty]).encode(), expected_camt([empty])),
        "camt053_cp1252_says_utf8.xml": (camt_xml("02", [fr]).encode("cp1252"),
                                         expected_camt([fr])),
        "camt052.xml": (camt_xml("02", [fr], kind="052").encode(), error("not_a_statement")),
        "camt054.xml": (camt_xml("02", [fr], kind="054").encode(), error("not_a_statement")),
    }  # fmt: skip


def golden_files() -> dict[str, bytes]:
    """Every golden file and its expected result, by path under golden/."""
    files: dict[str, bytes] = {}
    for folder, goldens in (("ofx", ofx_goldens()), ("camt", camt_goldens())):
        for name, (data, expected) in goldens.items():
            files[f"{folder}/{name}"] = data
            text = json.dumps(expected, ensure_ascii=False, indent=1) + "\n"
            files[f"{folder}/{name}.expected.json"] = text.encode()
    return files


def main() -> None:
    for relative, data in golden_files().items():
        (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
        (GOLDEN / relative).write_bytes(data)


if __name__ == "__main__":
    main()
