"""Where a bank CSV keeps what: the Layout value, and detecting it from header names and content.

The service remembers a Layout per bank account (`to_dict`), so the next file from that bank
needs no question. When detection is not sure, `CsvImporter.extract` raises LayoutUnsure, which
the service catches before any other FileError: it carries the Detection a chat can ask about
("which column is the date?") and `Detection.answer` turns the user's choices into a Layout.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from bot.files.csv_cells import (
    HEADER_SEARCH_ROWS,
    NAME_CHARS,
    DateOrder,
    amount_decimals,
    clean,
    date_orders,
    decode,
    summary_kind,
)
from bot.files.csv_guess import (
    Looks,
    cells_of,
    date_order,
    decimal_of,
    guess_columns,
    looks_of,
    name_role,
)
from bot.files.importer import FileError, Problem

DELIMITERS: Final = (";", ",", "\t", "|")
_SAMPLE_CHARS: Final = 256 * 1024
_SAMPLE_ROWS: Final = 50
_PREVIEW_ROWS: Final = 5
_PREVIEW_CHARS: Final = 20
_MAX_COLUMNS: Final = 120
"""No bank table has more columns; detection looks at no more."""

__all__ = [
    "AmountStyle",
    "Column",
    "DateOrder",
    "Detection",
    "Layout",
    "LayoutUnsure",
    "Looks",
    "detect",
    "detect_text",
    "sniff_delimiter",
]


class AmountStyle(StrEnum):
    SIGNED = "signed"
    """One signed amount column."""
    DEBIT_CREDIT = "debit_credit"
    """A debit column (written positive or negative) and a credit column."""
    DIRECTION = "direction"
    """An amount column and a D/C column ("Sens")."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How to read one bank's CSV; column numbers count from 0, rows are CSV records."""

    encoding: str
    delimiter: str
    header_row: int | None
    """The header's row when the file has one; a later file is searched for `header` first,
    as banks add or drop title lines."""
    first_row: int
    """The first table row; without a header, a later file starts at its first dated row."""
    date: int
    label: tuple[int, ...]
    """The columns joined into the label ("Libellé" + "Détail"), in this order."""
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    direction: int | None = None
    date_order: DateOrder = DateOrder.DMY
    decimal: str = ","
    currency: str = "EUR"
    """The currency of every line, unless `currency_column` names one per line."""
    currency_column: int | None = None
    reference: int | None = None
    """A column of the bank's operation numbers, used as file_id when they are unique."""
    header: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.delimiter not in DELIMITERS or self.decimal not in (",", "."):
            raise ValueError("unknown delimiter or decimal separator")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError("currency is not an ISO code")
        shapes = (
            self.amount is not None and self.debit is None and self.credit is None,
            self.amount is None and self.debit is not None and self.credit is not None,
        )
        if not any(shapes) or (self.direction is not None and self.amount is None):
            raise ValueError("a layout has an amount, or a debit and a credit column")
        columns = (self.date, *self.label, self.amount, self.debit, self.credit, self.direction)
        extra = (self.currency_column, self.reference, self.header_row, self.first_row)
        if any(index is not None and not 0 <= index < 1000 for index in (*columns, *extra)):
            raise ValueError("column or row out of range")

    @property
    def width(self) -> int:
        """How many cells a table row needs to hold every column this layout reads."""
        columns = (self.date, *self.label, self.amount, self.debit, self.credit, self.direction)
        extra = (self.currency_column, self.reference)
        return 1 + max(index for index in (*columns, *extra) if index is not None)

    @property
    def style(self) -> AmountStyle:
        if self.amount is None:
            return AmountStyle.DEBIT_CREDIT
        return AmountStyle.SIGNED if self.direction is None else AmountStyle.DIRECTION

    def with_columns(
        self,
        *,
        date: int,
        label: Sequence[int],
        amount: int | None = None,
        debit: int | None = None,
        credit: int | None = None,
        direction: int | None = None,
    ) -> Layout:
        """The same file shape with the columns a user chose."""
        return replace(
            self,
            date=date,
            label=tuple(label),
            amount=amount,
            debit=debit,
            credit=credit,
            direction=direction,
        )

    def to_dict(self) -> dict[str, object]:
        """A short JSON-able form, without the fields left at their default."""
        values: dict[str, object] = {
            "v": 1,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "first_row": self.first_row,
            "date": self.date,
            "label": list(self.label),
            "amount": self.amount,
            "debit": self.debit,
            "credit": self.credit,
            "direction": self.direction,
            "date_order": self.date_order.value,
            "decimal": self.decimal,
            "currency": self.currency,
            "currency_column": self.currency_column,
            "reference": self.reference,
            "header": list(self.header),
        }
        return {key: value for key, value in values.items() if value not in (None, [])}

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> Layout:
        """The layout `to_dict` wrote; ValueError for anything else."""
        if values.get("v") != 1:
            raise ValueError("not a layout this version wrote")
        encoding = _text(values, "encoding")
        try:
            "".encode(encoding)
        except LookupError:
            raise ValueError("unknown encoding") from None
        header = values.get("header", [])
        if not isinstance(header, list) or not all(isinstance(name, str) for name in header):
            raise ValueError("header is not a list of names")
        return cls(
            encoding=encoding,
            delimiter=_text(values, "delimiter"),
            header_row=_index(values, "header_row"),
            first_row=_index(values, "first_row", required=True) or 0,
            date=_index(values, "date", required=True) or 0,
            label=_indexes(values, "label"),
            amount=_index(values, "amount"),
            debit=_index(values, "debit"),
            credit=_index(values, "credit"),
            direction=_index(values, "direction"),
            date_order=DateOrder(_text(values, "date_order")),
            decimal=_text(values, "decimal"),
            currency=_text(values, "currency"),
            currency_column=_index(values, "currency_column"),
            reference=_index(values, "reference"),
            header=tuple(header),
        )


def _text(values: Mapping[str, object], key: str) -> str:
    value = values.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is missing")
    return value


def _index(values: Mapping[str, object], key: str, *, required: bool = False) -> int | None:
    value = values.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} is not a number")
    return value


def _indexes(values: Mapping[str, object], key: str) -> tuple[int, ...]:
    value = values.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise ValueError(f"{key} is not a list of numbers")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    name: str
    """The header's name for it, "" without a header."""
    looks: Looks


@dataclass(frozen=True, slots=True)
class Detection:
    """What detection found in a CSV: its best guess, whether it is sure, and what to ask with."""

    layout: Layout | None
    sure: bool
    encoding: str
    delimiter: str
    header_row: int | None
    first_row: int
    header: tuple[str, ...]
    columns: tuple[Column, ...]
    preview: tuple[tuple[str, ...], ...]
    """The first table rows, each cell cut to 20 characters."""
    sample: tuple[tuple[str, ...], ...] = field(repr=False)
    """The first 50 table rows in full, to read the formats of the columns a user picks."""

    def answer(
        self,
        *,
        date: int,
        label: Sequence[int],
        amount: int | None = None,
        debit: int | None = None,
        credit: int | None = None,
        direction: int | None = None,
    ) -> Layout:
        """The layout of the columns a user chose; ValueError when they do not make one."""
        chosen = (date, *label, amount, debit, credit, direction)
        if any(index is not None and not 0 <= index < len(self.columns) for index in chosen):
            raise ValueError("no such column")
        amounts = [index for index in (amount, debit, credit) if index is not None]
        order, _ = date_order(cells_of(self.sample, date))
        decimal, _ = decimal_of(self.sample, amounts)
        base = self.layout
        return Layout(
            encoding=self.encoding,
            delimiter=self.delimiter,
            header_row=self.header_row,
            first_row=self.first_row,
            date=date,
            label=tuple(label),
            amount=amount,
            debit=debit,
            credit=credit,
            direction=direction,
            date_order=order,
            decimal=decimal,
            currency=base.currency if base else "EUR",
            currency_column=base.currency_column if base else None,
            reference=base.reference if base else None,
            header=self.header,
        )


class LayoutUnsure(FileError):
    """The CSV's columns are not certain: the service catches it first and asks the user."""

    def __init__(self, detection: Detection) -> None:
        super().__init__(Problem.DAMAGED, "layout")
        self.detection = detection


# --- detection ---------------------------------------------------------------------------------


def read_rows(text: str, delimiter: str) -> list[list[str]]:
    """The CSV records of a text; a cut or malformed end is the last record."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    with contextlib.suppress(csv.Error):
        rows.extend(reader)
    return rows


def _is_blank(row: Sequence[str]) -> bool:
    return not "".join(row).strip()


def sniff_delimiter(lines: Sequence[str]) -> tuple[str, int] | None:
    """The delimiter splitting most lines into the same number of cells, and that number."""
    forced = re.fullmatch(r'"?sep=(.)"?[;,]*', lines[0].strip()) if lines else None
    best: tuple[int, str, int] | None = None
    for delimiter in DELIMITERS:
        if forced is not None and forced[1] != delimiter:
            continue
        try:
            counts = Counter(
                len(row) for row in csv.reader(lines, delimiter=delimiter) if not _is_blank(row)
            )
        except csv.Error:
            continue
        wide = [(rows, width) for width, rows in counts.items() if width >= 2]
        if not wide:
            continue
        rows, width = max(wide)
        score = rows * (width - 1)
        if best is None or score > best[0]:
            best = (score, delimiter, width)
    return None if best is None else (best[1], best[2])


def detect(data: bytes) -> Detection:
    """The layout a CSV most likely has; FileError when the bytes are no table of text."""
    text, encoding = decode(data)
    return detect_text(text, encoding)


def detect_text(text: str, encoding: str) -> Detection:
    head = text[:_SAMPLE_CHARS]
    lines = re.split(r"\r\n|\r|\n", head)[: HEADER_SEARCH_ROWS + 20]
    if len(head) < len(text) and len(lines) > 1:
        lines = lines[:-1]
    sniffed = sniff_delimiter(lines)
    if sniffed is None:
        raise FileError(Problem.UNKNOWN_FORMAT)
    delimiter, width = sniffed
    rows = [row[:_MAX_COLUMNS] for row in read_rows("\n".join(lines), delimiter)]
    header_row, first_row = _find_table(rows)
    header = () if header_row is None else tuple(cell[:NAME_CHARS] for cell in rows[header_row])
    width = min(max(width, len(header)), _MAX_COLUMNS)
    sample = tuple(
        tuple(clean(cell) for cell in row) + ("",) * (width - len(row))
        for row in rows[first_row:]
        if not _is_blank(row) and summary_kind(row) is None
    )[:_SAMPLE_ROWS]
    looks = tuple(looks_of(cells_of(sample, index)) for index in range(width))
    names = header + ("",) * (width - len(header))
    guess = guess_columns(names, looks, sample)
    layout = None
    if guess is not None:
        layout = Layout(
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            first_row=first_row,
            date=guess.date,
            label=guess.label,
            amount=guess.amount,
            debit=guess.debit,
            credit=guess.credit,
            direction=guess.direction,
            date_order=guess.date_order,
            decimal=guess.decimal,
            currency=guess.currency,
            currency_column=guess.currency_column,
            reference=guess.reference,
            header=header,
        )
    return Detection(
        layout=layout,
        sure=guess is not None and header_row is not None and not guess.doubt,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        first_row=first_row,
        header=header,
        columns=tuple(Column(i, names[i], looks[i]) for i in range(width)),
        preview=tuple(tuple(_cut(cell) for cell in row) for row in sample[:_PREVIEW_ROWS]),
        sample=sample,
    )


def _cut(cell: str) -> str:
    return cell if len(cell) <= _PREVIEW_CHARS else cell[: _PREVIEW_CHARS - 1] + "…"


def _is_data(row: Sequence[str]) -> bool:
    cells = [clean(cell) for cell in row]
    dates = {i for i, cell in enumerate(cells) if date_orders(cell)}
    return bool(dates) and any(
        i not in dates and amount_decimals(cell) for i, cell in enumerate(cells)
    )


def _find_table(rows: Sequence[Sequence[str]]) -> tuple[int | None, int]:
    """The header's row (None without one) and the first table row."""
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = sum(name_role(cell) is not None for cell in row[:100])
        if known >= 2 and not _is_data(row) and (best is None or known > best[0]):
            best = (known, index)
    if best is not None:
        return best[1], best[1] + 1
    first = next((i for i, row in enumerate(rows) if _is_data(row)), None)
    if first is None:
        return None, 0
    previous = next((i for i in range(first - 1, -1, -1) if not _is_blank(rows[i])), None)
    if previous is not None and len(rows[previous]) == len(rows[first]):
        cells = [clean(cell) for cell in rows[previous]]
        if all(cells) and not any(date_orders(c) or amount_decimals(c) for c in cells):
            return previous, previous + 1
    return None, first
