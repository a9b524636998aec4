"""OFX 1.x (SGML) and 2.x (XML) statements, QFX and QBO included: one Statement per account."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from typing import Final

from bot.files import ofx_reader
from bot.files.importer import MAX_FILE_BYTES, FileError, Problem, Statement
from bot.files.ofx_fallback import read_with_ofxparse
from bot.files.ofx_values import RawStatement, statement

_EXTENSIONS: Final = (".ofx", ".qfx", ".qbo", ".ofc")
_SNIFF: Final = re.compile(rb"OFXHEADER|<OFX[ \t\r\n]*>", re.IGNORECASE)
_MARK: Final = re.compile(r"OFXHEADER|<OFX[ \t\r\n]*>", re.IGNORECASE)
_OTHER_STATEMENTS: Final = re.compile(r"<INVSTMTRS[ \t\r\n]*>", re.IGNORECASE)


class OfxImporter:
    name = "OFX"

    def identify(self, filename: str, head: bytes) -> bool:
        if filename.lower().endswith(_EXTENSIONS):
            return True
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            head = head.decode("utf-16", "replace").encode("utf-8")
        return _SNIFF.search(head) is not None

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        if len(data) > MAX_FILE_BYTES:
            raise FileError(Problem.TOO_LARGE)
        text = decoded(data)
        if _MARK.search(text) is None:
            raise FileError(Problem.UNKNOWN_FORMAT)
        found = read_raw(text)
        if not found:
            problem = Problem.UNKNOWN_FORMAT if _OTHER_STATEMENTS.search(text) else Problem.DAMAGED
            raise FileError(problem, "STMTRS")
        return [statement(raw) for raw in found]


def read_raw(text: str) -> list[RawStatement]:
    """The fast reader's statements, or ofxparse's for a layout it does not read."""
    try:
        return ofx_reader.read(text)
    except ofx_reader.Unsupported as unsupported:
        return read_with_ofxparse(text, unsupported.where)


def decoded(data: bytes) -> str:
    """The file's text, whatever its header claims: UTF-8 if it is valid, else cp1252, else latin-1.

    Banks write CHARSET:1252 over UTF-8 and ENCODING:UTF-8 over cp1252, so the bytes decide.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileError(Problem.ENCODING) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
