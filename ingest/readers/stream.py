"""A source file's bytes: decompressed with a cap, decoded, split into lines.

Small files (up to WHOLE bytes after decompression) are decoded whole by
`ingest.decode_bytes`. Larger ones are decoded incrementally under the encoding that
`decode_bytes` finds for their first SAMPLE bytes, so a file of several gigabytes
never sits in memory: at most a block of bytes and its text do.

A large uncompressed file may be read in ranges (`Span`, planned by
`ingest.readers.ranges`): each range is decoded with the encoding decided once for
the whole file, in blocks that end where the whole file's blocks end, so that its
text is exactly that part of the whole file's text.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..decode import Decoded, decode_bytes

COMPRESSIONS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    ".bz2": lambda raw: bz2.BZ2File(raw, mode="rb"),
    ".xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),
}

WHOLE = 32 * 1024 * 1024     # decode whole below this; stream above
SAMPLE = 1024 * 1024         # what the encoding of a streamed file is judged on
BLOCK = 4 * 1024 * 1024      # streamed reads
MIN_CAP = 16 * 1024 * 1024   # a small archive may always expand this far

_BOM_LENGTH = {"utf-8": 3, "utf-16-le": 2, "utf-16-be": 2, "utf-32-le": 4, "utf-32-be": 4}


class StreamError(Exception):
    """The bytes of a file could not be read to the end: a corrupt or truncated
    compressed stream, or one that expands beyond the cap."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Span:
    """A range of an uncompressed file's bytes, cut after a line break, and what is
    known of the whole file that its records need: encoding, the byte-order mark's
    length, the number of its first line and the index of its first record."""
    start: int
    end: int
    line: int          # number of its first line in the file, from 1
    record: int        # index of its first record in the file
    last: bool         # the file's last range
    encoding: str
    confidence: float
    skip: int = 0      # byte-order mark at the start of the file (not text)


class Source:
    """A source file's bytes, opened for reading; `name` is its path relative to SRC.
    With a `span`, only that range of the file is read."""

    def __init__(self, name: str, raw: BinaryIO, size: int, max_expansion: int,
                 span: Span | None = None) -> None:
        self.name = name
        self.size = size
        self.span = span
        self.first_line = span.line if span else 1
        self.encoding: str | None = span.encoding if span else None
        self.encoding_confidence: float | None = span.confidence if span else None
        self._read = 0
        self._cap: int | None = None
        self.binary: BinaryIO = raw
        self._what = "file"
        lower = name.lower()
        for suffix, opener in COMPRESSIONS.items():
            if lower.endswith(suffix):
                self.binary = opener(raw)
                self._read1 = self.binary.read1
                self._cap = max(MIN_CAP, size * max_expansion)
                self._ratio = max_expansion
                self._what = f"{suffix} stream"
                break

    def read_bytes(self, size: int) -> bytes:
        """Up to `size` decompressed bytes; StreamError when the stream is broken."""
        try:
            # read1: a decompressor's read(size) drops what it decoded when the stream
            # breaks before `size`; read1 hands over each decoded piece as it comes.
            data = self._read1(size) if self._cap is not None else self.binary.read(size)
        except (EOFError, OSError, lzma.LZMAError, zlib.error, ValueError) as exc:
            raise StreamError(f"{self._what} broken after {self._read} bytes: "
                              f"{exc}") from exc
        self._read += len(data)
        if self._cap is not None and self._read > self._cap:
            raise StreamError(f"{self._what} expands beyond {self._cap} bytes (the cap: "
                              f"{self._ratio}x its compressed size, at least {MIN_CAP} bytes);"
                              " raise --max-expansion to read it")
        return data

    def chunks(self) -> Iterator[str]:
        """The decoded text, in one piece for small files, in blocks for large ones.

        Raises BinaryInputError (not text) before the first piece, StreamError at any
        point; `encoding` and `encoding_confidence` are set before the first piece.
        """
        if self.span is not None:
            yield from self._span_chunks(self.span)
            return
        broken: StreamError | None = None
        try:
            head = self._read_up_to(WHOLE)
        except StreamError as exc:   # decode what came before the break, then say so
            head, broken = exc.args[1], StreamError(exc.args[0])
        if len(head) < WHOLE or broken:
            decoded = decode_bytes(head)
            self.encoding, self.encoding_confidence = decoded.encoding, decoded.confidence
            if decoded.text or not broken:
                yield decoded.text
            if broken:
                raise broken
            return
        decoded, skip = head_encoding(head)
        self.encoding, self.encoding_confidence = decoded.encoding, decoded.confidence
        decoder = codecs.getincrementaldecoder(decoded.encoding)(errors="replace")
        for start in range(skip, len(head), BLOCK):
            yield decoder.decode(head[start:start + BLOCK])
        del head
        while block := self.read_bytes(BLOCK):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)

    def _span_chunks(self, span: Span) -> Iterator[str]:
        """The text of a range, decoded in pieces that end where a streamed read of
        the whole file ends its pieces (a line's length is judged at those ends)."""
        at = span.skip if span.start == 0 else span.start
        self.binary.seek(at)
        decoder = codecs.getincrementaldecoder(span.encoding)(errors="replace")
        while at < span.end:
            end = min(span.end, _piece_end(at, span.skip))
            block = self.binary.read(end - at)
            if not block:
                break
            at += len(block)
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)

    def _read_up_to(self, size: int) -> bytes:
        """Up to `size` bytes; a StreamError carries the bytes read before it."""
        parts, have = [], 0
        while have < size:
            try:
                data = self.read_bytes(min(BLOCK, size - have))
            except StreamError as exc:
                raise StreamError(str(exc), b"".join(parts)) from exc
            if not data:
                break
            parts.append(data)
            have += len(data)
        return b"".join(parts)


def head_encoding(head: bytes) -> tuple[Decoded, int]:
    """The encoding of a file too large to decode whole, judged on its first SAMPLE
    bytes (cut at a line break), and the length of its byte-order mark."""
    cut = head.rfind(b"\n", 0, SAMPLE)
    decoded = decode_bytes(head[: cut + 1 if cut > 0 else SAMPLE], final=False)
    return decoded, _BOM_LENGTH.get(decoded.encoding, 0) if decoded.bom else 0


def _piece_end(at: int, skip: int) -> int:
    """Where the streamed read of a whole file ends the piece holding byte `at`: the
    first WHOLE bytes go in BLOCKs from the mark's end, the rest in BLOCKs."""
    if at < WHOLE:
        return min(WHOLE, skip + ((at - skip) // BLOCK + 1) * BLOCK)
    return WHOLE + ((at - WHOLE) // BLOCK + 1) * BLOCK


def lines(chunks: Iterator[str], max_chars: int,
          first: int = 1) -> Iterator[tuple[int, str | None]]:
    """(line number from `first`, line with its "\\n") over decoded chunks; a line longer
    than `max_chars` comes as None (it is not kept in memory) so the caller can
    quarantine it."""
    number, buffer, overlong = first, "", False
    for chunk in chunks:
        buffer += chunk
        start = 0
        while (end := buffer.find("\n", start)) >= 0:
            if overlong:
                yield number, None
                overlong = False
            else:
                yield number, buffer[start:end + 1]
            number += 1
            start = end + 1
        buffer = buffer[start:]
        if len(buffer) > max_chars:
            buffer, overlong = "", True
    if overlong:
        yield number, None
    elif buffer:
        yield number, buffer
