"""Which importer reads a file: the formats in the order they are tried, and the one entry
point the service calls (in a worker thread: parsing is pure CPU)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.files.camt import CamtImporter
from bot.files.csv_import import CsvImporter
from bot.files.csv_layout import Layout
from bot.files.importer import MAX_FILE_BYTES, FileError, Importer, Problem, Statement
from bot.files.mt940 import Mt940Importer
from bot.files.ofx import OfxImporter

HEAD_BYTES = 4096
CSV = CsvImporter()
IMPORTERS: tuple[Importer, ...] = (OfxImporter(), CamtImporter(), Mt940Importer(), CSV)
"""Most specific first: CSV, which takes any table, comes last (and is read with its layout)."""


@dataclass(frozen=True, slots=True)
class Read:
    """A file read: its format, its statements and, for a CSV, the layout it was read with."""

    format: str
    statements: Sequence[Statement]
    layout: Layout | None = None


def read(filename: str, data: bytes, layout: Layout | None = None) -> Read:
    """The statements of a bank file; FileError (LayoutUnsure for a CSV whose columns are a
    guess) when it cannot be read. `layout` is a CSV layout chosen or remembered before."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(Problem.TOO_LARGE)
    head = data[:HEAD_BYTES]
    if head.lstrip().startswith(b"%PDF") or filename.lower().endswith(".pdf"):
        raise FileError(Problem.PDF)
    if layout is not None and CSV.identify(filename, head):
        return Read(CSV.name, CSV.extract_with(data, layout), layout)
    for importer in IMPORTERS[:-1]:
        if importer.identify(filename, head):
            return Read(importer.name, importer.extract(filename, data))
    if CSV.identify(filename, head):
        statements, detected = CSV.extract_detected(data)
        return Read(CSV.name, statements, detected)
    raise FileError(Problem.UNKNOWN_FORMAT)
