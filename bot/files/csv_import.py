"""The CSV importer: one statement per file, read with a detected or remembered Layout."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from bot.domain.money import Money, minor_digits
from bot.files.csv_cells import (
    HEADER_SEARCH_ROWS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    NAME_CHARS,
    Summary,
    clean,
    decode,
    decode_as,
    find_account_number,
    find_date,
    find_iban,
    name_key,
    parse_amount,
    parse_date,
    parse_direction,
    parse_minor,
    summary_kind,
)
from bot.files.csv_layout import (
    Layout,
    LayoutUnsure,
    detect_text,
    sniff_delimiter,
)
from bot.files.importer import MAX_LABEL_CHARS, AccountHint, FileError, FileLine, Problem, Statement

_EXTENSIONS: Final = (".csv", ".tsv", ".txt")
_NOT_TABLES: Final = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"<?xml", b"OFXHEADER", b"<OFX")
_BIC: Final = re.compile(r"\b(?:BIC|SWIFT)\W{0,5}([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
_MAX_NOTES: Final = 20

Row = tuple[int, list[str]]
"""A CSV record and the file line it starts on (1-based)."""


class CsvImporter:
    """Bank CSV exports, French and English; see csv_layout for how their columns are found.

    The service catches LayoutUnsure before any other FileError and asks which column is which,
    then calls `extract_with` with the answer, and remembers the layout for the bank account.
    """

    name = "CSV"

    def identify(self, filename: str, head: bytes) -> bool:
        if head.lstrip().startswith(_NOT_TABLES) or b"\x00" in head[:1024]:
            return False
        text = head.decode("utf-8", errors="replace")
        lines = re.split(r"\r\n|\r|\n", text)
        if len(head) >= 4096:
            lines = lines[:-1]
        if filename.lower().endswith(_EXTENSIONS[:2]):
            return True
        if re.search(r"^:20:", text, re.MULTILINE) and re.search(r"^:(25|61):", text, re.M):
            return False
        sniffed = sniff_delimiter([line for line in lines if line.strip()])
        return sniffed is not None and _rows_alike(lines, sniffed[0], sniffed[1])

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        """The file's statement with the detected layout; LayoutUnsure when it is a guess."""
        return self.extract_detected(data)[0]

    def extract_detected(self, data: bytes) -> tuple[Sequence[Statement], Layout]:
        """`extract`, with the layout it detected (the service remembers it for the account)."""
        text, encoding = decode(data)
        detection = detect_text(text, encoding)
        if detection.layout is None or not detection.sure:
            if len(detection.columns) < 2:
                raise FileError(Problem.UNKNOWN_FORMAT)
            raise LayoutUnsure(detection)
        return (read_statement(text, detection.layout),), detection.layout

    def extract_with(self, data: bytes, layout: Layout) -> Sequence[Statement]:
        """The file's statement with a layout the user chose or the service remembered.

        LayoutUnsure (with a fresh detection) when the file no longer has that shape: its
        header is not found, or no row is dated where the layout says.
        """
        return (read_statement(decode_as(data, layout.encoding), layout),)


def _rows_alike(lines: Sequence[str], delimiter: str, width: int) -> bool:
    try:
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if "".join(row).strip()]
    except csv.Error:
        return False
    return len(rows) >= 2 and sum(len(row) == width for row in rows) >= max(2, len(rows) // 2)


def read_rows(text: str, delimiter: str) -> list[Row]:
    """Every record of the file with its line; FileError when there are too many or a bad one."""
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for record in reader:
            rows.append((line + 1, record))
            line = reader.line_num
            if len(rows) > MAX_ROWS:
                raise FileError(Problem.TOO_LARGE)
    except csv.Error:
        raise FileError(Problem.DAMAGED, f"line {line + 1}") from None
    return rows


def read_statement(text: str, layout: Layout) -> Statement:
    """The statement a CSV's text holds, read with `layout`."""
    rows = read_rows(text, layout.delimiter)
    start = _table_start(rows, layout)
    if start is None:
        raise LayoutUnsure(detect_text(text, layout.encoding))
    reading = _Reading(layout)
    for row in rows[: start - 1 if layout.header_row is not None else start]:
        reading.title(row)
    reading.table(rows[start:])
    return reading.statement()


def _table_start(rows: Sequence[Row], layout: Layout) -> int | None:
    """The index of the first table row: after the header, or the first dated row without one."""
    if layout.header_row is not None:
        wanted = [name_key(name) for name in layout.header]
        candidates: list[int] = [layout.header_row, *range(min(len(rows), HEADER_SEARCH_ROWS))]
        for index in candidates:
            if index < len(rows) and _same_names(rows[index][1], wanted):
                return index + 1
        return None
    order = layout.date_order
    candidates = [layout.first_row, *range(min(len(rows), HEADER_SEARCH_ROWS))]
    for index in candidates:
        if index < len(rows):
            cells = rows[index][1]
            dated = layout.date < len(cells) and parse_date(clean(cells[layout.date]), order)
            if dated:
                return index
    return None


def _same_names(cells: Sequence[str], wanted: Sequence[str]) -> bool:
    if len(cells) > len(wanted) + 20:
        return False
    found = [name_key(cell[:NAME_CHARS]) for cell in cells]
    while found and not found[-1]:
        found.pop()
    wanted = list(wanted)
    while wanted and not wanted[-1]:
        wanted.pop()
    return found == wanted


@dataclass(slots=True)
class _Balance:
    amount: Decimal
    day: date | None


_Line = tuple[date, int, str, str | None]
"""A line read: its date, amount in minor units, label and reference."""


@dataclass(slots=True)
class _Reading:
    """The statement being read, row by row."""

    layout: Layout
    lines: list[_Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    iban: str | None = None
    number: str | None = None
    bank_id: str | None = None
    balance: _Balance | None = None
    currency: str | None = None

    def title(self, row: Row) -> None:
        """A row before the table: the account's name, number or balance."""
        text = " ".join(cell.strip() for cell in row[1] if cell.strip())[:MAX_CELL_CHARS]
        if not text:
            return
        self.iban = self.iban or find_iban(text)
        self.number = self.number or find_account_number(text)
        bic = _BIC.search(text.upper())
        self.bank_id = self.bank_id or (bic[1] if bic else None)
        if summary_kind(row[1]) is Summary.BALANCE:
            self._balance(row[1], in_table=False)

    def table(self, rows: Sequence[Row]) -> None:
        """The table's rows; the loop binds what it uses, as it runs once per line."""
        layout = self.layout
        date_column, order, labels = layout.date, layout.date_order, layout.label
        reference = layout.reference
        needed = layout.width
        digits = minor_digits(layout.currency)
        amount_of = self._amount
        add = self.lines.append
        for line, cells in rows:
            if len(cells) < needed or layout.currency_column is not None:
                self._row(line, cells)
                continue
            day = parse_date(cells[date_column].strip(), order)
            minor = amount_of(cells, digits) if day is not None else None
            if day is None or minor is None:
                self._row(line, cells)
                continue
            if max(map(len, cells)) > MAX_CELL_CHARS:
                raise FileError(Problem.DAMAGED, f"line {line}")
            label = " ".join(" ".join(cells[i] for i in labels).split())[:MAX_LABEL_CHARS]
            ref = cells[reference].strip()[:MAX_LABEL_CHARS] or None if reference else None
            add((day, minor, label, ref))

    def _row(self, line: int, cells: list[str]) -> None:
        """A row off the fast path: short, with a currency column, a summary, or damaged."""
        if not "".join(cells).strip():
            return
        if max(map(len, cells)) > MAX_CELL_CHARS:
            raise FileError(Problem.DAMAGED, f"line {line}")
        layout = self.layout
        cells = cells + [""] * (layout.width - len(cells))
        day = parse_date(clean(cells[layout.date]), layout.date_order)
        currency = self._currency(line, cells) if day is not None else layout.currency
        minor = self._amount(cells, minor_digits(currency)) if day is not None else None
        if day is None or minor is None:
            self._not_a_line(line, cells)
            return
        label = " ".join(" ".join(cells[i] for i in layout.label).split())[:MAX_LABEL_CHARS]
        ref = None
        if layout.reference is not None:
            ref = cells[layout.reference].strip()[:MAX_LABEL_CHARS] or None
        self.lines.append((day, minor, label, ref))

    def _not_a_line(self, line: int, cells: list[str]) -> None:
        """A row of the table without a date or amount: a total, a balance, or damage."""
        kind = summary_kind(cells)
        if kind is Summary.BALANCE:
            self._balance(cells, in_table=True)
        elif kind is None and self._has_amount_cells(cells):
            raise FileError(Problem.DAMAGED, f"line {line}")
        if len(self.notes) < _MAX_NOTES:
            self.notes.append(f"line {line}: {kind.value if kind else 'row'} skipped")

    def _has_amount_cells(self, cells: list[str]) -> bool:
        layout = self.layout
        columns = (layout.date, layout.amount, layout.debit, layout.credit)
        return any(i is not None and cells[i].strip() for i in columns)

    def _amount(self, cells: list[str], digits: int) -> int | None:
        layout = self.layout
        decimal = layout.decimal
        if layout.amount is not None:
            value = parse_minor(clean(cells[layout.amount]), decimal, digits)
            if value is None or layout.direction is None:
                return value
            sign = parse_direction(cells[layout.direction])
            return None if sign is None else sign * abs(value)
        assert layout.debit is not None and layout.credit is not None
        debit, credit = clean(cells[layout.debit]), clean(cells[layout.credit])
        if not debit and not credit:
            return None
        out = parse_minor(debit, decimal, digits) if debit else 0
        into = parse_minor(credit, decimal, digits) if credit else 0
        if out is None or into is None:
            return None
        return abs(into) - abs(out)

    def _currency(self, line: int, cells: list[str]) -> str:
        column = self.layout.currency_column
        if column is None:
            return self.layout.currency
        code = cells[column].strip().upper()
        if not code:
            return self.currency or self.layout.currency
        if not re.fullmatch(r"[A-Z]{3}", code) or (self.currency and code != self.currency):
            raise FileError(Problem.DAMAGED, f"line {line}")
        self.currency = code
        return code

    def _balance(self, cells: list[str], *, in_table: bool) -> None:
        """A balance row ("Solde au 31/01/2024;1 234,56"): its last amount, and date if any."""
        for index in range(len(cells) - 1, -1, -1):
            cell = clean(cells[index])
            value = parse_amount(cell, self.layout.decimal)
            if value is None:
                continue
            text = name_key(" ".join(cells))
            if (in_table and index == self.layout.debit) or "debiteur" in text.split():
                value = -abs(value)
            self.balance = _Balance(value, find_date(" ".join(cells)))
            return

    def statement(self) -> Statement:
        currency = self.currency or self.layout.currency
        counts = Counter(ref for *_, ref in self.lines if ref is not None)
        unique = not counts or max(counts.values()) == 1
        if not unique:
            self.notes.append("references repeat: not used as line ids")
        lines = tuple(
            FileLine(day, Money(minor, currency), label, ref if unique else None)
            for day, minor, label, ref in self.lines
        )
        days = [line[0] for line in self.lines]
        balance = balance_date = None
        if self.balance is not None:
            try:
                balance = Money.from_decimal(self.balance.amount, currency)
            except ValueError:
                raise FileError(Problem.DAMAGED, "balance") from None
            balance_date = self.balance.day or (max(days) if days else None)
        return Statement(
            account=AccountHint(
                iban=self.iban,
                number=None if self.iban else self.number,
                bank_id=self.bank_id,
            ),
            currency=currency,
            lines=lines,
            balance=balance,
            balance_date=balance_date,
            start=min(days) if days else None,
            end=max(days) if days else None,
            notes=tuple(self.notes),
        )
