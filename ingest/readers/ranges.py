"""Where a large file can be cut into ranges that read to exactly its records.

Only what can be cut exactly is cut: uncompressed JSON lines (one record per line)
and text (records cut at paragraph or line breaks), in an encoding where a line's
bytes decode the same alone as in the whole file (`SEPARABLE`). CSV (a quoted field
may hold line breaks) and compressed files are read whole.

`plan` reads the file through, as the driver (a text file twice): it hashes it,
decides its encoding as a whole read would (on the head), and cuts it after a line
break every `split_bytes` or so. Each range (`Span`) carries what its records need from before
it: the number of its first line and the index of its first record.

- JSON lines: a range starts after any line break. A blank line gives no record, so
  the record index is the number of lines before minus the blank ones, counted on
  the bytes (`_Lines`), decoding only lines that may be blank.
- Text: records are cut where `text.read` cuts them, and that cut depends only on
  the text from the record's start, so a range that starts where a record starts
  gives the records of the whole file from there. The text is read once (decoded and
  cut into records as a worker would), then ranges end after a record that ends with
  a line break (the k-th "\\n" of the text is the k-th 0x0A byte of the file).
"""

from __future__ import annotations

import codecs
import functools
import hashlib
from typing import TYPE_CHECKING, BinaryIO

from ..decode import BinaryInputError, decode_bytes
from .stream import BLOCK, COMPRESSIONS, WHOLE, Source, Span, head_encoding

if TYPE_CHECKING:
    from . import ReadOptions

#: Encodings in which byte 0x0A is always a line break, and is never swallowed into a
#: replacement character with the bytes before it: the text of a line is then the
#: decoding of its bytes alone, whatever comes before (tests/test_split.py checks it
#: on random bytes). Not UTF-16/32, ISO-2022, UTF-7, HZ; not gb18030 or EUC-JP
#: either: with errors="replace" they read b"\\x81\\x30\\n" or b"\\x8f\\n" as one
#: U+FFFD, line break included.
SEPARABLE = frozenset(codecs.lookup(name).name for name in (
    "utf-8", "ascii", "latin-1", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254",
    "cp1255", "cp1256", "cp1257", "cp1258", "iso8859-2", "iso8859-5", "iso8859-6",
    "iso8859-7", "iso8859-8", "iso8859-9", "iso8859-13", "iso8859-15", "koi8-r",
    "koi8-u", "mac-roman", "mac-cyrillic", "cp437", "cp850", "cp866", "cp874", "tis-620",
    "gbk", "gb2312", "big5", "cp950", "big5hkscs", "cp932", "shift_jis", "cp949",
    "euc_kr", "johab",
))
_DOUBLE_BYTE = frozenset(codecs.lookup(name).name for name in (
    "gbk", "gb2312", "big5", "cp950", "big5hkscs", "cp932", "shift_jis", "cp949",
    "euc_kr", "johab",
))
_ASCII_SPACE = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f "   # str.strip() strips these; \n aside
_LONG_LINE = 2 * BLOCK    # a line this long without a sure character: not split


def splittable(name: str, kind: str) -> bool:
    return kind in ("jsonl", "text") and not name.lower().endswith(tuple(COMPRESSIONS))


def plan(raw: BinaryIO, name: str, kind: str, split_bytes: int,
         options: ReadOptions) -> tuple[str, tuple[Span, ...]] | None:
    """The file's SHA-256 and its ranges (several), or None: read it whole (a file
    that is not text, in an encoding that cannot be cut, or with nowhere to cut)."""
    try:
        head = raw.read(WHOLE)
        if len(head) < WHOLE:
            decoded = decode_bytes(head)
            skip = next((s for s in (0, 2, 3, 4) if head[s:].decode(
                decoded.encoding, "replace") == decoded.text), None)
            if skip is None:
                return None
        else:
            decoded, skip = head_encoding(head)
        del head
    except (BinaryInputError, LookupError):
        return None
    encoding = codecs.lookup(decoded.encoding).name
    if encoding not in SEPARABLE:
        return None
    ends = None
    if kind == "text":
        raw.seek(0)
        ends = _record_ends(Source(name, raw, 0, 1), options)
        if ends is None:
            return None
    raw.seek(0)
    scanned = _scan(raw, skip, encoding, split_bytes, ends)
    if scanned is None:
        return None
    sha256, cuts, size = scanned
    cuts = [c for c in cuts if c[0] < size]
    if not cuts:
        return None
    bounds = [(0, 1, 0), *cuts]
    return sha256, tuple(
        Span(start, bounds[i + 1][0] if i + 1 < len(bounds) else size, line, record,
             i + 1 == len(bounds), encoding, decoded.confidence, skip)
        for i, (start, line, record) in enumerate(bounds))


def _record_ends(source: Source, options: ReadOptions) -> list[tuple[int, int]] | None:
    """(k, n): the text's n-th record begins right after its k-th "\\n", for every
    record that begins after a line break. None: the bytes' line breaks and the
    text's do not match one for one (then the file is not cut)."""
    from . import text

    ends, newlines = [], 0
    last = ""
    for records, record in enumerate(text.read(source, options), 1):
        last = record.text or ""
        newlines += last.count("\n")
        if last.endswith("\n"):
            ends.append((newlines, records))
    if last.endswith("\n"):
        ends.pop()          # the last record: nothing begins after it
    ends.append((newlines, -1))   # the total, checked against the bytes
    return ends


def _scan(raw: BinaryIO, skip: int, encoding: str, split_bytes: int,
          ends: list[tuple[int, int]] | None) -> tuple[str, list[tuple[int, int, int]], int] | None:
    """Hash the file and cut it: (sha256, [(offset, first line, first record)], size).
    JSON lines (`ends` None) are cut after the first line break `split_bytes` or more
    past the last cut; text after the first record end that far."""
    digest = hashlib.sha256()
    counted = _Lines(encoding) if ends is None else None
    cuts: list[tuple[int, int, int]] = []
    offset = start = newlines = 0
    wanted = iter(ends or ())
    end = next(wanted, None)
    while block := raw.read(BLOCK):
        digest.update(block)
        at = max(0, skip - offset)
        if counted is not None:
            while (i := block.find(b"\n", max(at, start + split_bytes - 1 - offset))) >= 0:
                counted.feed(block[at:i + 1])
                at = i + 1
                start = offset + at
                cuts.append((start, counted.lines + 1, counted.lines - counted.blank))
            counted.feed(block[at:])
            if counted.broken:
                return None
        else:
            here = block.count(b"\n", at)
            while end is not None and end[1] >= 0 and end[0] <= newlines + here:
                cut = offset + _nth(block, end[0] - newlines, at) + 1
                if cut - start >= split_bytes:
                    cuts.append((cut, end[0] + 1, end[1]))
                    start = cut
                end = next(wanted, None)
            newlines += here
        offset += len(block)
    if ends is not None and (end is None or end[1] >= 0 or end[0] != newlines):
        return None
    return digest.hexdigest(), cuts, offset


def _nth(block: bytes, n: int, at: int) -> int:
    """Index of the n-th b"\\n" of `block` from `at` (n >= 1): a bisection on counts,
    at C speed however many lines there are."""
    lo, hi = at, len(block)
    while lo < hi:
        mid = (lo + hi) // 2
        if block.count(b"\n", at, mid + 1) >= n:
            hi = mid
        else:
            lo = mid + 1
    return lo


class _Lines:
    """Counts the lines of a file fed in pieces, and the blank ones among them (all
    whitespace once decoded: `jsonl.read` gives them no record), without decoding
    lines that hold a `_solid` byte (one that is part of no whitespace character)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.loose = _loose(encoding)
        self.lines = self.blank = 0
        self.carry = b""
        self.sure = False       # the line in `carry` is not blank (its start was dropped)
        self.broken = False     # a huge line that may be blank: give up cutting

    def feed(self, data: bytes) -> None:
        end = data.rfind(b"\n") + 1
        if end:
            lines = self.carry + data[:end]
            if self.sure:
                first = lines.index(b"\n") + 1
                self.lines += 1
                lines, self.sure = lines[first:], False
            self.lines += lines.count(b"\n")
            self.blank += self._blank(lines)
            self.carry = data[end:]
        else:
            self.carry += data
        if len(self.carry) > _LONG_LINE:
            if not self.carry.translate(None, self.loose):
                self.broken = True
            self.carry, self.sure = b"", True

    def _blank(self, lines: bytes) -> int:
        """Blank lines among complete `lines`: those without a solid byte are only
        candidates, unless all their bytes are ASCII whitespace."""
        n = lines.count(b"\n")
        maybe = n - lines.translate(_TO_X, self.loose).count(b"x\n")
        if not maybe:
            return 0
        spaces = n - lines.translate(_TO_X, _ASCII_SPACE).count(b"x\n")
        if maybe == spaces:
            return spaces
        return sum(not line.decode(self.encoding, "replace").strip()
                   for line in lines.split(b"\n")[:-1])


_TO_X = bytes(10 if b == 10 else 120 for b in range(256))   # every byte to b"x", \n kept


@functools.cache
def _loose(encoding: str) -> bytes:
    """The bytes that are not solid in `encoding`, \n aside. A solid byte is an
    ASCII byte that is not whitespace and is part of no character that is: in Big5
    U+3000 (ideographic space) is A1 40, so "@" is not solid there. Found by decoding
    every one-byte sequence, and every two-byte one in a double-byte code (the other
    separable codes are single-byte, or UTF-8, whose longer characters are all above
    0x7F)."""
    spaced = set(_ASCII_SPACE) | {10} | set(range(0x80, 0x100))
    if encoding != "utf-8":
        seconds = range(256) if encoding in _DOUBLE_BYTE else ()
        for first in range(256):
            for pair in [bytes([first])] + [bytes([first, b]) for b in seconds]:
                try:
                    decoded = pair.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if decoded.isspace():
                    spaced.update(pair)
    spaced.discard(10)
    return bytes(sorted(spaced))
