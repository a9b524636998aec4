"""Generates the CSV and MT940 golden files (tests/files/golden/{csv,mt940}) and big CSVs.

`python -m tests.files.make_csv_mt940` rewrites the golden files; a test checks that the committed
ones are exactly what this script makes. Each `<file>.expected.json` is written from the same
made-up operations as its file, never from what an importer reads.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.files.importer import Statement

GOLDEN = Path(__file__).parent / "golden"
Json = dict[str, object]


@dataclass(frozen=True)
class Op:
    """One made-up bank operation."""

    day: date
    value_day: date
    minor: int
    parts: tuple[str, str]
    """The label as two columns ("Libellé", "Détail"); most layouts write only the first."""
    ref: str

    @property
    def label(self) -> str:
        return self.parts[0]

    @property
    def full_label(self) -> str:
        return " ".join(" ".join(self.parts).split())


KINDS = ("CB", "PRLV SEPA", "VIR SEPA", "CARTE X4821", "PAIEMENT CB", "VIR INST", "RETRAIT DAB")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MERCHANTS = _words(
    "CARREFOUR MONOPRIX FNAC DARTY CASTORAMA PHARMACIE TOTALENERGIES AUCHAN LIDL PICARD DECATHLON "
    "IKEA BOUYGUES SFR UBER BLABLACAR BRASSERIE GARAGE RATP TABAC LIBRAIRIE OPTIQUE HÔTEL CAFÉ "
    "BOULANGERIE EDF ENGIE ORANGE FREE URSSAF AMAZON LEROY-MERLIN BRICORAMA SNCF AIR-FRANCE"
)
CITIES = _words(
    "PARIS LYON MARSEILLE LILLE NANTES RENNES BORDEAUX TOULOUSE NICE STRASBOURG MONTPELLIER DIJON "
    "ANGERS BREST GRENOBLE ROUEN METZ TOURS ÉVRY SAINT-ÉTIENNE"
)
DETAILS = ("Facture {ref}", "Échéance {month}", "Réf. {ref}", "", "Loyer {month}", "Note n° {ref}")
EN_PAYEES = (
    *("TESCO STORES {city}", "AMAZON MKTPLACE", "PAYROLL ACME LTD", "SHELL {city}", "BRITISH GAS"),
    *("PRET A MANGER", "TFL TRAVEL CHARGE", "DIRECT DEBIT COUNCIL TAX"),
)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août")


def iban(country: str, bban: str) -> str:
    """A valid IBAN (ISO 13616 check digits) for a made-up domestic account number."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def operations(seed: int, count: int, start: date, *, english: bool = False) -> tuple[Op, ...]:
    """Operations spread over a month or more, a fifth of them credits, in date order."""
    rng = random.Random(seed)
    ops = []
    for index in range(count):
        day = start + timedelta(days=index * 30 // max(count, 1))
        ref = f"{rng.randrange(10_000, 99_999)}"
        city = rng.choice(CITIES)
        if english:
            label = rng.choice(EN_PAYEES).format(city=city)
        else:
            label = f"{rng.choice(KINDS)} {rng.choice(MERCHANTS)} {city}"
        detail = rng.choice(DETAILS).format(ref=ref, month=MONTHS[day.month % len(MONTHS)])
        minor = rng.randrange(150, 350_000) * (1 if index % 5 == 3 else -1)
        value_day = day + timedelta(days=rng.randrange(3))
        ops.append(Op(day, value_day, minor, (label, detail), f"OP{seed:02d}{index:04d}{ref}"))
    return tuple(ops)


def fr_amount(minor: int, thousands: str = " ", *, signed: bool = True, point: str = ",") -> str:
    units = f"{abs(minor) // 100:,}".replace(",", thousands)
    return f"{'-' if minor < 0 and signed else ''}{units}{point}{abs(minor) % 100:02d}"


def en_amount(minor: int, thousands: str = ",", *, signed: bool = True) -> str:
    return fr_amount(minor, thousands, signed=signed, point=".")


def table(rows: Sequence[Sequence[str]], delimiter: str, newline: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def hint(iban: str | None = None, number: str | None = None, bank_id: str | None = None) -> Json:
    return {"iban": iban, "number": number, "bank_id": bank_id, "kind": "bank"}


def expected(ops: Sequence[Op], *, account: Json | None = None, currency: str = "EUR",
             balance: tuple[int, date] | None = None, notes: Sequence[str] = (),
             label: Callable[[Op], str] = lambda op: op.label,
             file_id: Callable[[Op], str | None] = lambda op: None,
             period: tuple[date, date] | None = None) -> Json:  # fmt: skip
    days = [op.day for op in ops]
    start, end = period or ((min(days), max(days)) if days else (None, None))
    lines: list[list[object]] = [
        [op.day.isoformat(), op.minor, label(op), file_id(op)] for op in ops
    ]
    return statement_json(account or hint(), currency, balance, start, end, notes, lines)


def statement_json(account: Json, currency: str, balance: tuple[int, date | None] | None,
                   start: date | None, end: date | None, notes: Sequence[str],
                   lines: list[list[object]]) -> Json:  # fmt: skip
    def day(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {"account": account, "currency": currency, "balance": balance[0] if balance else None,
            "balance_date": day(balance[1]) if balance else None, "start": day(start),
            "end": day(end), "notes": list(notes), "lines": lines}  # fmt: skip


def error(problem: str, where: str | None = None) -> Json:
    return {"error": {"problem": problem, "where": where}}


def statements_json(statements: Sequence[Statement]) -> list[Json]:
    """What an importer read, in the shape of the expected files."""
    return [
        statement_json(
            hint(s.account.iban, s.account.number, s.account.bank_id)
            | {"kind": s.account.kind.value},
            s.currency,
            (s.balance.minor, s.balance_date) if s.balance is not None else None,
            s.start,
            s.end,
            s.notes,
            [
                [ln.booking_date.isoformat(), ln.amount.minor, ln.label, ln.file_id]
                for ln in s.lines
            ],
        )
        for s in statements
    ]


# --- CSV ---------------------------------------------------------------------------------------

JAN = date(2024, 1, 1)


def fr_debit_credit() -> tuple[bytes, Json]:
    """A French bank's export: title lines, "Débit euros;Crédit euros", cp1252, CRLF."""
    ops = operations(1, 14, JAN)
    balance = 123_456
    rows = [
        ["Compte courant n° 12345678901", "", ""],
        ["Solde au 31/01/2024", fr_amount(balance), ""],
        [],
        ["Date", "Libellé", "Débit euros", "Crédit euros", ""],
        *(
            [f"{op.day:%d/%m/%Y}", op.label]
            + ([fr_amount(op.minor), ""] if op.minor < 0 else ["", fr_amount(op.minor)])
            + [""]
            for op in ops
        ),
    ]
    data = table(rows, ";").encode("cp1252")
    want = expected(ops, account=hint(number="12345678901"), balance=(balance, date(2024, 1, 31)))
    return data, {"statements": [want]}


def en_bom() -> tuple[bytes, Json]:
    """An English export: "Date,Description,Amount,Balance", UTF-8 with a BOM, "1,234.56"."""
    ops = operations(2, 12, JAN, english=True)
    running = 500_000
    rows = [["Date", "Description", "Amount", "Balance"]]
    for op in ops:
        running += op.minor
        rows.append([f"{op.day:%d/%m/%Y}", op.label, en_amount(op.minor), en_amount(running)])
    return ("\ufeff" + table(rows, ",")).encode("utf-8"), {"statements": [expected(ops)]}


def fr_two_dates() -> tuple[bytes, Json]:
    """ "Date opération;Date valeur;Libellé;Montant;Devise": dot thousands, a currency column."""
    ops = operations(3, 10, JAN)
    rows = [["Date opération", "Date valeur", "Libellé", "Montant", "Devise"]]
    rows += [
        [
            f"{op.day:%d/%m/%Y}",
            f"{op.value_day:%d/%m/%Y}",
            op.label,
            fr_amount(op.minor, "."),
            "EUR",
        ]
        for op in ops
    ]
    return table(rows, ";", "\n").encode("utf-8"), {"statements": [expected(ops)]}


def _sens(op: Op) -> str:
    return "Débit" if op.minor < 0 else "Crédit"


def fr_sens() -> tuple[bytes, Json]:
    """An amount and a "Sens" column (Débit/Crédit), dd.mm.yyyy dates, latin-1."""
    ops = operations(4, 9, JAN)
    rows = [["Date", "Libellé", "Montant", "Sens"]]
    rows += [
        [f"{op.day:%d.%m.%Y}", op.label, fr_amount(op.minor, signed=False), _sens(op)] for op in ops
    ]
    return table(rows, ";").encode("latin-1"), {"statements": [expected(ops)]}


def en_tab() -> tuple[bytes, Json]:
    """Tab-separated, ISO dates, "Debit" written positive and "Credit" columns."""
    ops = operations(5, 11, JAN, english=True)
    rows = [["Posted Date", "Payee", "Debit", "Credit"]]
    rows += [
        [op.day.isoformat(), op.label]
        + ([en_amount(op.minor, signed=False), ""] if op.minor < 0 else ["", en_amount(op.minor)])
        for op in ops
    ]
    return table(rows, "\t").encode("utf-8"), {"statements": [expected(ops)]}


def fr_pipe() -> tuple[bytes, Json]:
    """Pipe-separated, dd/mm/yy, "Libellé" + "Détail" joined, a "Référence" column as line ids."""
    ops = operations(6, 10, JAN)
    rows = [["Date", "Libellé", "Détail", "Montant (EUR)", "Référence"]]
    rows += [
        [f"{op.day:%d/%m/%y}", op.parts[0], op.parts[1], fr_amount(op.minor, ""), op.ref]
        for op in ops
    ]
    want = expected(ops, label=lambda op: op.full_label, file_id=lambda op: op.ref)
    return table(rows, "|").encode("utf-8"), {"statements": [want]}


def fr_totals() -> tuple[bytes, Json]:
    """An IBAN in the title, debit written positive, a totals row and a closing balance after."""
    ops = operations(7, 12, date(2024, 3, 1))
    account = iban("FR", "30004000031234567890143")
    debits = sum(-op.minor for op in ops if op.minor < 0)
    credits = sum(op.minor for op in ops if op.minor > 0)
    closing = 543_210
    rows = [
        ["Relevé de compte", "", "", "", ""],
        [f"IBAN : {' '.join(account[i : i + 4] for i in range(0, len(account), 4))}"],
        ["Période du 01/03/2024 au 31/03/2024"],
        ["Date", "Date valeur", "Libellé", "Débit", "Crédit"],
        *(
            [f"{op.day:%d/%m/%Y}", f"{op.value_day:%d/%m/%Y}", op.label]
            + ([fr_amount(-op.minor), ""] if op.minor < 0 else ["", fr_amount(op.minor)])
            for op in ops
        ),
        ["Total", "", "", fr_amount(debits, ""), fr_amount(credits, "")],
        ["Solde final au 31/03/2024", "", "", "", fr_amount(closing)],
    ]
    total_line = 5 + len(ops)
    notes = [f"line {total_line}: total skipped", f"line {total_line + 1}: balance skipped"]
    want = expected(
        ops, account=hint(iban=account), balance=(closing, date(2024, 3, 31)), notes=notes
    )
    return table(rows, ";").encode("cp1252"), {"statements": [want]}


def en_direction() -> tuple[bytes, Json]:
    """An amount with DBIT/CRDT marks and a USD currency column, a closing balance after."""
    ops = operations(8, 8, JAN, english=True)
    closing = -12_345
    rows = [["Booking Date", "Transaction Details", "Amount", "Currency", "Credit/Debit Indicator"]]
    rows += [
        [op.day.isoformat(), op.label, en_amount(op.minor, "", signed=False), "USD", mark]
        for op in ops
        for mark in ["DBIT" if op.minor < 0 else "CRDT"]
    ]
    rows += [["Closing balance 2024-01-31", "", en_amount(closing, ""), "USD", ""]]
    notes = [f"line {len(ops) + 2}: balance skipped"]
    want = expected(ops, currency="USD", balance=(closing, date(2024, 1, 31)), notes=notes)
    return table(rows, ",").encode("utf-8"), {"statements": [want]}


def fr_plus_minus() -> tuple[bytes, Json]:
    """ "Date;Opération;Sens;Montant" with +/- marks and dd/mm/yy dates."""
    ops = operations(9, 9, JAN)
    rows = [["Date", "Opération", "Sens", "Montant"]]
    rows += [
        [f"{op.day:%d/%m/%y}", op.label, "-" if op.minor < 0 else "+", unsigned]
        for op in ops
        for unsigned in [fr_amount(op.minor, "", signed=False)]
    ]
    return table(rows, ";").encode("cp1252"), {"statements": [expected(ops)]}


def headerless() -> tuple[bytes, Json]:
    """No header, two date and two amount columns: detection asks, the answer reads it."""
    ops = operations(10, 8, JAN)
    running = 100_000
    rows = []
    for op in ops:
        running += op.minor
        days = [f"{op.day:%d/%m/%Y}", f"{op.value_day:%d/%m/%Y}"]
        rows.append([*days, op.label, fr_amount(op.minor, ""), fr_amount(running, "")])
    answer = {"date": 0, "label": [2], "amount": 3}
    return table(rows, ";").encode("utf-8"), {"unsure": True, "answer": answer,
                                              "statements": [expected(ops)]}  # fmt: skip


def damaged_row() -> tuple[bytes, Json]:
    """A row dated 31/02 in an otherwise fine file: the error names its line."""
    ops = operations(11, 6, JAN)
    rows = [["Date", "Libellé", "Montant"]]
    rows += [[f"{op.day:%d/%m/%Y}", op.label, fr_amount(op.minor)] for op in ops]
    rows[4][0] = "31/02/2024"
    return table(rows, ";").encode("utf-8"), error("damaged", "line 5")


CSV_GOLDENS: dict[str, Callable[[], tuple[bytes, Json]]] = {
    "fr_debit_credit.csv": fr_debit_credit,
    "en_bom.csv": en_bom,
    "fr_two_dates.csv": fr_two_dates,
    "fr_sens_latin1.csv": fr_sens,
    "en_tab.tsv": en_tab,
    "fr_pipe.txt": fr_pipe,
    "fr_totals.csv": fr_totals,
    "en_direction.csv": en_direction,
    "fr_plus_minus.csv": fr_plus_minus,
    "headerless.csv": headerless,
    "damaged_row.csv": damaged_row,
}


def csv_statement(n: int, seed: int) -> bytes:
    """A French CSV export of `n` lines with many payees, references and dates (benchmarks)."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    rows = [
        ["Compte courant n° 00098765432", "", "", "", ""],
        ["Date", "Date valeur", "Libellé", "Débit euros", "Crédit euros"],
    ]
    days = sorted(start + timedelta(days=rng.randrange(365)) for _ in range(n))
    for day in days:
        payee = f"{rng.choice(KINDS)} {rng.choice(MERCHANTS)} {rng.choice(CITIES)}"
        label = (
            f"{payee} {day:%d/%m} REF{rng.randrange(10**6):06d}" if rng.random() < 0.7 else payee
        )
        minor = rng.randrange(100, 500_000)
        money = ["", fr_amount(minor)] if rng.random() < 0.2 else [fr_amount(-minor), ""]
        rows.append([f"{day:%d/%m/%Y}", f"{day + timedelta(days=1):%d/%m/%Y}", label, *money])
    return table(rows, ";").encode("cp1252")


# --- MT940 -------------------------------------------------------------------------------------


def mt_amount(minor: int) -> str:
    return f"{abs(minor) // 100},{abs(minor) % 100:02d}"


def mt_balance(tag: str, minor: int, day: date, currency: str = "EUR") -> str:
    return f":{tag}:{'D' if minor < 0 else 'C'}{day:%y%m%d}{currency}{mt_amount(minor)}"


def mt_block(
    reference: str,
    account: str,
    ops: Sequence[Op],
    opening: int,
    opening_day: date,
    details: Callable[[Op], str],
    number: str = "1/1",
) -> tuple[str, int, date]:
    """One :20: block; its text, closing balance and closing date."""
    lines = [f":20:{reference}", f":25:{account}", f":28C:{number}"]
    lines.append(mt_balance("60F", opening, opening_day))
    for op in ops:
        mark = "D" if op.minor < 0 else "C"
        amount = mt_amount(op.minor)
        lines.append(f":61:{op.value_day:%y%m%d}{op.day:%m%d}{mark}{amount}NTRFNONREF//{op.ref}")
        lines.append(f":86:{details(op)}")
    closing = opening + sum(op.minor for op in ops)
    end = max((op.value_day for op in ops), default=opening_day)
    lines.append(mt_balance("62F", closing, end))
    return "\r\n".join(lines) + "\r\n", closing, end


def mt_expected(account: Json, ops: Sequence[Op], closing: int, end: date, start: date,
                label: Callable[[Op], str]) -> Json:  # fmt: skip
    return expected(ops, account=account, balance=(closing, end), label=label,
                    file_id=lambda op: op.ref, period=(start, end))  # fmt: skip


def _free_text(op: Op) -> str:
    """A French bank's unstructured :86:, over two lines."""
    return f"{op.parts[0]}\r\n{op.parts[1] or 'SANS DETAIL'}"


def _free_label(op: Op) -> str:
    return f"{op.parts[0]} {op.parts[1] or 'SANS DETAIL'}"


def _structured(op: Op) -> str:
    """A German-style structured :86: (?00 posting text, ?20-?29 remittance in 27s, ?32 name)."""
    remittance = f"EREF+{op.ref}SVWZ+{op.parts[1] or 'Zahlung'} {op.ref}"
    chunks = [remittance[i : i + 27] for i in range(0, len(remittance), 27)][:10]
    sub = "".join(f"?{20 + i}{chunk}" for i, chunk in enumerate(chunks))
    text = f"166?00SEPA-UEBERWEISUNG?10931{sub}?30COBADEFFXXX?31DE89370400440532013000?32"
    text += op.parts[0][:27]
    lines = []
    while text:
        cut = 65 if len(text) <= 65 or text[64] != " " else 64
        lines.append(text[:cut])
        text = text[cut:]
    return "\r\n".join(lines)


def _structured_label(op: Op) -> str:
    return " ".join(f"{op.parts[0][:27]} {op.parts[1] or 'Zahlung'} {op.ref}".split())


def mt940_goldens() -> dict[str, tuple[bytes, Json]]:
    fr_iban = iban("FR", "30004000031234567890143")
    nl_iban = iban("NL", "INGB0001234567")
    files: dict[str, tuple[bytes, Json]] = {}
    ops = operations(21, 7, JAN)
    text, closing, end = mt_block(
        "STMT240131", f"INGBNL2A/{nl_iban}", ops, 150_000, JAN, _free_text
    )
    want = mt_expected(hint(nl_iban, None, "INGBNL2A"), ops, closing, end, JAN, _free_label)
    files["single.sta"] = (text.encode("cp1252"), {"statements": [want]})

    first, second = operations(22, 4, JAN), operations(23, 5, JAN)
    later = operations(24, 3, date(2024, 2, 1))
    de_iban = iban("DE", "370400440532013000")
    a1, c1, _ = mt_block("A1", fr_iban, first, 10_000, JAN, _free_text)
    b1, cb, end_b = mt_block("B1", de_iban + "EUR", second, 0, JAN, _free_text)
    a2, c2, end_a = mt_block("A2", fr_iban, later, c1, date(2024, 1, 31), _free_text, "2/1")
    want_a = mt_expected(hint(fr_iban), [*first, *later], c2, end_a, JAN, _free_label)
    want_b = mt_expected(hint(de_iban), second, cb, end_b, JAN, _free_label)
    files["multi_account.sta"] = ((a1 + b1 + a2).encode("cp1252"), {"statements": [want_a, want_b]})

    ops = operations(25, 6, date(2024, 5, 2))
    text, closing, end = mt_block("DE240531", "37040044/0532013000", ops, 99_000, date(2024, 5, 1),
                                  _structured)  # fmt: skip
    want = mt_expected(hint(None, "0532013000", "37040044"), ops, closing, end, date(2024, 5, 1),
                       _structured_label)  # fmt: skip
    files["structured_86.940"] = (text.encode("latin-1"), {"statements": [want]})

    ops = operations(26, 5, JAN)
    envelope = "{1:F01BNPAFRPPAXXX0000000000}{2:O9401200240131BNPAFRPPAXXXN}{4:\r\n"
    text, closing, end = mt_block("OVERDRAWN", fr_iban, ops, -300_000, JAN, _free_text)
    want = mt_expected(hint(fr_iban), ops, closing, end, JAN, _free_label)
    data = (envelope + text + "-}\r\n").encode("cp1252")
    files["debit_closing.mt940"] = (data, {"statements": [want]})

    good, *_ = mt_block("OK", fr_iban, operations(27, 3, JAN), 0, JAN, _free_text)
    bad, *_ = mt_block("BAD", fr_iban, operations(28, 3, JAN), 0, JAN, _free_text)
    bad = bad.replace(":60F:C240101EUR", ":60F:C241301EUR")
    files["damaged.sta"] = ((good + bad).encode("cp1252"), error("damaged", "statement 2"))
    return files


def all_goldens() -> dict[str, tuple[bytes, Json]]:
    """Every golden file by its path under golden/, with its expected content."""
    made = {f"csv/{name}": make() for name, make in CSV_GOLDENS.items()}
    made.update({f"mt940/{name}": value for name, value in mt940_goldens().items()})
    return made


def expected_text(value: Json) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    for path, (data, want) in all_goldens().items():
        target = GOLDEN / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.with_name(target.name + ".expected.json").write_text(
            expected_text(want), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
