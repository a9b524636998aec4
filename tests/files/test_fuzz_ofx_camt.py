"""Thousands of mangled OFX and CAMT files, from a fixed seed: each reads or raises FileError.

The mutations are what downloads, mail gateways and hand edits do to bank files: cut short,
bytes flipped, re-encoded, a field blown up, tags lost or doubled, nesting or entities gone mad.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.files.camt import CamtImporter
from bot.files.importer import MAX_LABEL_CHARS, FileError, FileLine, Importer, Statement
from bot.files.ofx import OfxImporter
from tests.files.make_ofx_camt import GOLDEN

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated method findAll")

Mutation = Callable[[random.Random, bytes], bytes]
ROUNDS = 8
PER_ROUND = {"ofx": 220, "camt": 200}
_TAG = re.compile(rb"</?[A-Za-z][A-Za-z0-9_.:]*/?>")


def corpus(folder: str) -> list[bytes]:
    """The golden files, the longer ones cut to a few lines so each try stays fast."""
    files = []
    for path in sorted((GOLDEN / folder).iterdir()):
        if not path.name.endswith(".json"):
            files.append(_shortened(path))
    return files


def _shortened(path: Path) -> bytes:
    data = path.read_bytes()
    marker = b"<STMTTRN>" if path.suffix != ".xml" else b"<Ntry>"
    starts = [m.start() for m in re.finditer(re.escape(marker), data)]
    if len(starts) <= 6:
        return data
    return data[: starts[3]] + data[data.rindex(marker.replace(b"<", b"</")) :]


def truncated(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def flipped(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def recoded(rng: random.Random, data: bytes) -> bytes:
    text = data.decode(rng.choice(["utf-8", "cp1252", "latin-1"]), "replace")
    return text.encode(
        rng.choice(["utf-16", "utf-16-be", "utf-8-sig", "cp1252", "utf-32"]), "replace"
    )


def huge_field(rng: random.Random, data: bytes) -> bytes:
    at = data.find(b">", rng.randrange(len(data))) + 1
    blob = rng.choice([b"X", b" ", b"9", b"&amp;", "É".encode()]) * rng.choice([5_000, 20_000])
    return data[:at] + blob + data[at:]


def deep(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    tag = rng.choice([b"STMTTRN", b"BANKTRANLIST", b"STMTRS", b"a", b"Ntry", b"TxDtls", b"OFX"])
    depth = rng.choice([70, 500, 3_000])
    closing = b"</" + tag + b">" if rng.random() < 0.5 else b""
    return data[:at] + (b"<" + tag + b">") * depth + closing * depth + data[at:]


def entities(rng: random.Random, data: bytes) -> bytes:
    bomb = (
        b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %c "%s">' % (98 + n, (b"&%c;" % (97 + n)) * 10) for n in range(8))
        + b"]>"
    )
    declaration = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    body = data[:declaration] + bomb + data[declaration:]
    at = body.find(b">", body.find(b"<Ntry") if b"<Ntry" in body else len(bomb) + declaration) + 1
    return (
        body[:at] + rng.choice([b"&i;", b"&a;", b"&undefined;", b"&#0;", b"&#x110000;"]) + body[at:]
    )


def tag_lost(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    for _ in range(rng.randint(1, 3)):
        if tags:
            tag = tags.pop(rng.randrange(len(tags)))
            data = data[: tag.start()] + data[tag.end() :]
            tags = list(_TAG.finditer(data))
    return data


def tag_doubled(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    first, second = sorted(rng.sample(range(len(tags)), 2)) if len(tags) > 1 else (0, 0)
    if rng.random() < 0.5 and tags:
        tag = tags[first]
        return data[: tag.end()] + tag[0] + data[tag.end() :]
    piece = data[tags[first].start() : tags[second].end()] if tags else data
    at = tags[second].end() if tags else 0
    return data[:at] + piece * rng.randint(1, 3) + data[at:]


def spliced(rng: random.Random, data: bytes) -> bytes:
    at, other = rng.randrange(len(data)), rng.randrange(len(data))
    return data[:at] + data[other : other + rng.randrange(1, 400)] + data[at:]


def junk(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    noise = rng.choice([b"<", b">", b"</", b"<!--", b"<![CDATA[", b"]]>", b"&", b"\x00", b"\r",
                        b"<?xml?>", b"<OFX>", b"</OFX>", b"<DTPOSTED>", b"<TRNAMT>1e9",
                        b"<Amt Ccy='XXX'>", b"NaN", b"-", b",", b"\xef\xbb\xbf"])  # fmt: skip
    return data[:at] + noise * rng.randint(1, 4) + data[at:]


TEXTS = ("", " ", "-1", "abc", "9" * 30, "1.5E+9", "2024-13-01", "2024-02-29T25:00:00", "DBIT",
         "CRDT", "BOOK", "PDNG", "CLBD", "XXX", "NaN", "0.001", "É" * 600)  # fmt: skip


def tree_edited(rng: random.Random, data: bytes) -> bytes:
    """Elements of a well-formed document dropped, doubled or given odd text: it stays XML."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return data
    for _ in range(rng.randint(1, 4)):
        parents = {child: parent for parent in root.iter() for child in parent}
        if not parents:
            break
        target = rng.choice(list(parents))
        parent, action = parents[target], rng.randrange(4)
        if action == 0:
            parent.remove(target)
        elif action == 1:
            parent.insert(list(parent).index(target), copy.deepcopy(target))
        elif action == 2:
            target.text = rng.choice(TEXTS)
        else:
            target.set("Ccy", rng.choice(["EUR", "usd", "", "CHF"]))
    edited: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return edited


COMMON: Sequence[Mutation] = (
    truncated, flipped, recoded, huge_field, deep, entities, tag_lost, tag_doubled, spliced, junk,
)  # fmt: skip
MUTATIONS: dict[str, Sequence[Mutation]] = {
    "ofx": COMMON,
    "camt": (*COMMON, *(tree_edited,) * 10),
}
IMPORTERS: dict[str, Importer] = {"ofx": OfxImporter(), "camt": CamtImporter()}


def valid(statement: Statement) -> None:
    assert isinstance(statement, Statement)
    assert re.fullmatch(r"[A-Z]{3}", statement.currency)
    for line in statement.lines:
        assert isinstance(line, FileLine)
        assert line.amount.currency == statement.currency
        assert len(line.label) <= MAX_LABEL_CHARS and line.label == line.label.strip()
        assert line.file_id is None or (isinstance(line.file_id, str) and line.file_id)
    if statement.balance is not None:
        assert statement.balance.currency == statement.currency


@pytest.mark.parametrize("fmt", ["ofx", "camt"])
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_mangled_files_read_or_raise_file_error_and_nothing_else(fmt: str, round_: int) -> None:
    rng = random.Random(f"{fmt}-{round_}")
    files = corpus(fmt)
    for attempt in range(PER_ROUND[fmt]):
        data = files[rng.randrange(len(files))]
        for mutation in rng.sample(MUTATIONS[fmt], rng.choice([1, 1, 2])):
            data = mutation(rng, data) or data
        importer = IMPORTERS[fmt] if attempt % 10 else IMPORTERS["camt" if fmt == "ofx" else "ofx"]
        try:
            statements = importer.extract(f"file.{fmt}", data)
        except FileError:
            continue
        for statement in statements:
            valid(statement)


def test_there_are_thousands_of_tries() -> None:
    assert ROUNDS * sum(PER_ROUND.values()) >= 3_000
