"""Mutated CSV and MT940 files: each one reads into valid statements or raises FileError.

The mutations come from a fixed seed: cuts, flipped bytes, wrong encodings, huge fields, other
delimiters, and deleted, doubled or swapped lines. LayoutUnsure is a FileError; its guessed layout
must hold to the same rule.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from bot.files.csv_import import CsvImporter
from bot.files.csv_layout import LayoutUnsure
from bot.files.importer import MAX_LABEL_CHARS, FileError, Importer, Statement
from bot.files.mt940 import Mt940Importer
from tests.files.make_csv_mt940 import CSV_GOLDENS, csv_statement, mt940_goldens

CSV = CsvImporter()
MT940 = Mt940Importer()
ROUNDS = 16
PER_ROUND = 200
Mutation = Callable[[random.Random, bytes], bytes]


def _cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _flip(rng: random.Random, data: bytes) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if mutable:
            mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return bytes(mutable)


def _recode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("latin-1")
    codec = rng.choice(("utf-8", "utf-16-le", "utf-16", "cp1252", "utf-32"))
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _huge(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    filler = rng.choice((b"x", b"9", b'"', b";", b":86:", b" ", b"?2"))
    return data[:at] + filler * rng.choice((500, 10_001, 40_000)) + data[at:]


def _delimiters(rng: random.Random, data: bytes) -> bytes:
    old, new = rng.choice(b";,\t|:"), rng.choice(b";,\t|: /\"'")
    return data.replace(bytes([old]), bytes([new]))


def _lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        at = rng.randrange(len(lines))
        action = rng.randrange(3)
        if action == 0:
            del lines[at]
        elif action == 1:
            lines.insert(at, lines[at])
        else:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
    return b"\n".join(lines)


def _splice(rng: random.Random, data: bytes) -> bytes:
    noise = rng.choice((b"\x00", b"\r", b'"', b"\xef\xbb\xbf", b"\xff\xfe", b"-", b"\xc3", b"??"))
    at = rng.randrange(len(data) + 1)
    return data[:at] + noise * rng.randint(1, 3) + data[at:]


MUTATIONS: Sequence[Mutation] = (_cut, _flip, _recode, _huge, _delimiters, _lines, _splice)


def _seeds() -> tuple[list[bytes], list[bytes]]:
    csvs = [make()[0] for make in CSV_GOLDENS.values()]
    csvs += [csv_statement(25, seed) for seed in range(3)]
    mt940s = [data for data, _ in mt940_goldens().values()]
    return csvs, mt940s


CSVS, MT940S = _seeds()


def _valid(statements: Sequence[Statement]) -> None:
    for statement in statements:
        assert isinstance(statement, Statement)
        assert re.fullmatch(r"[A-Z]{3}", statement.currency)
        for line in statement.lines:
            assert type(line.booking_date) is date
            assert line.amount.currency == statement.currency
            assert isinstance(line.amount.minor, int)
            assert len(line.label) <= MAX_LABEL_CHARS
            assert line.file_id is None or isinstance(line.file_id, str)
        if statement.balance is not None:
            assert statement.balance.currency == statement.currency
            assert type(statement.balance_date) is date


def _holds(importer: Importer, name: str, data: bytes) -> None:
    """The importer's contract: statements, or a FileError; nothing else, whatever the bytes."""
    importer.identify(name, data[:4096])
    try:
        _valid(importer.extract(name, data))
    except LayoutUnsure as unsure:
        guess = unsure.detection.layout
        if guess is not None:
            with contextlib.suppress(FileError):
                _valid(CSV.extract_with(data, guess))
    except FileError:
        pass


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_mutated_files_parse_or_raise_file_error(round_: int) -> None:
    rng = random.Random(9_400 + round_)
    for index in range(PER_ROUND):
        mt940 = index % 3 == 0
        data = rng.choice(MT940S if mt940 else CSVS)
        for _ in range(rng.randint(1, 3)):
            data = rng.choice(MUTATIONS)(rng, data)
        if mt940:
            _holds(MT940, "statement.sta", data)
        else:
            _holds(CSV, "export.csv", data)
        if index % 8 == 0:
            _holds(CSV if mt940 else MT940, "other.txt", data)
