"""Bank statements for the import benches: an OFX 1.x SGML file and a French CSV export of N
lines with the variety of a real account (hundreds of payees, references and dates), so no
cache of a few labels can stand in for the work."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("CB", "PRLV SEPA", "VIR SEPA", "CARTE", "PAIEMENT CB", "RETRAIT DAB")
SHOPS = (
    "CARREFOUR", "LECLERC", "MONOPRIX", "FNAC", "DARTY", "BOULANGERIE", "PHARMACIE", "TOTAL",
    "SHELL", "SNCF", "RATP", "UBER", "AMAZON", "CDISCOUNT", "DECATHLON", "IKEA", "LEROY MERLIN",
    "CASTORAMA", "ORANGE", "FREE MOBILE", "SFR", "EDF", "ENGIE", "URSSAF", "DGFIP", "AXA",
    "MAIF", "OVH", "GOOGLE", "MICROSOFT", "ADOBE", "LA POSTE", "CHRONOPOST", "METRO",
    "BRICO DEPOT", "RESTAURANT", "BRASSERIE", "CAFE", "HOTEL", "PARKING",
)  # fmt: skip
CITIES = (
    "PARIS", "LYON", "MARSEILLE", "TOULOUSE", "NANTES", "LILLE", "BORDEAUX", "RENNES", "NICE",
    "STRASBOURG", "GRENOBLE", "DIJON", "ANGERS", "NIMES", "REIMS",
)  # fmt: skip
START = date(2025, 1, 1)


@dataclass(frozen=True, slots=True)
class Line:
    day: date
    minor: int
    payee: str
    memo: str
    fitid: str


def lines(n: int, seed: int) -> list[Line]:
    """`n` lines over a year, oldest first: 6 kinds × 40 shops × 15 cities of payees."""
    rng = random.Random(seed)
    made = []
    for index in range(n):
        day = START + timedelta(days=rng.randrange(365))
        payee = f"{rng.choice(KINDS)} {rng.choice(SHOPS)} {rng.choice(CITIES)}"
        memo = f"{day:%d/%m} REF{rng.randrange(10**7):07d}"
        minor = rng.randrange(100, 300_000) * (1 if rng.random() < 0.25 else -1)
        made.append(Line(day, minor, payee, memo, f"{seed}{index:08d}"))
    made.sort(key=lambda line: (line.day, line.fitid))
    return made


def _amount(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def ofx(n: int, seed: int = 20261203) -> bytes:
    """An OFX 1.x SGML bank statement (leaf tags unclosed), as French banks export it."""
    body = [
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n"
        "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<DTSERVER>20260101120000<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>\n"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        "<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>30004<BRANCHID>00001"
        "<ACCTID>00012345678<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        "<BANKTRANLIST><DTSTART>20250101<DTEND>20251231\n"
    ]
    total = 0
    for line in lines(n, seed):
        total += line.minor
        kind = "CREDIT" if line.minor > 0 else "DEBIT"
        body.append(
            f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{line.day:%Y%m%d}"
            f"<TRNAMT>{_amount(line.minor)}<FITID>{line.fitid}"
            f"<NAME>{line.payee}<MEMO>{line.memo}</STMTTRN>\n"
        )
    body.append(
        f"</BANKTRANLIST><LEDGERBAL><BALAMT>{_amount(total)}<DTASOF>20251231</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    return "".join(body).encode("cp1252")


def csv(n: int, seed: int = 20261203) -> bytes:
    """A French bank's CSV export: title lines, `;`, dd/mm/yyyy, decimal commas, debit and
    credit columns, cp1252."""
    rows = [
        "Compte courant n° 00012345678;;;;",
        "Date;Libellé;Détail;Débit euros;Crédit euros;",
    ]
    for line in lines(n, seed):
        euros = f"{abs(line.minor) // 100},{abs(line.minor) % 100:02d}"
        debit, credit = (euros, "") if line.minor < 0 else ("", euros)
        rows.append(f"{line.day:%d/%m/%Y};{line.payee};{line.memo};{debit};{credit};")
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")
