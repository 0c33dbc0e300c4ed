"""Readers: a source file to raw records, streaming.

`read_file` opens the file (decompressing .gz/.bz2/.xz with a cap on expansion),
decodes its bytes (`ingest.decode_bytes` on the head, then incrementally) and hands
the text to the reader for its kind: one record per text file (very large files in
chunks), one per CSV/TSV row, one per JSON line. Readers never repair: they say what
the record's text and other fields are, or why a record is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..decode import BinaryInputError
from . import jsonl, table, text
from .stream import COMPRESSIONS, Source, StreamError

KINDS = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
}   # anything else is read as text, if it decodes as text


@dataclass(frozen=True)
class ReadOptions:
    text_field: str | None = None       # CSV/JSON field that becomes the record's text
    max_expansion: int = 100            # decompressed size / compressed size
    chunk_chars: int = 8 * 1024 * 1024  # very large text files: records of about this size


@dataclass
class Raw:
    """One record as read: `text` to repair and `fields` (CSV/JSON values other than
    the text, also to be repaired), or `error` saying why it is quarantined (then
    `text` holds what raw text there is, unrepaired)."""
    text: str | None
    fields: dict[str, Any] | None = None
    error: str | None = None


def kind_of(name: str) -> str:
    """"csv", "tsv", "jsonl" or "text", from the name without its compression suffix."""
    lower = name.lower()
    for suffix in COMPRESSIONS:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    dot = lower.rfind(".")
    return KINDS.get(lower[dot:], "text") if dot >= 0 else "text"


def read_file(source: Source, options: ReadOptions) -> Iterator[Raw]:
    """The raw records of an opened source. Bytes that are not text, or a stream that
    breaks, end the file with a quarantined record after the records read before."""
    kind = kind_of(source.name)
    try:
        if kind == "text":
            yield from text.read(source, options)
        elif kind == "jsonl":
            yield from jsonl.read(source, options)
        else:
            yield from table.read(source, options, delimiter="\t" if kind == "tsv" else ",")
    except (BinaryInputError, StreamError) as exc:
        yield Raw(None, error=str(exc))


__all__ = ["KINDS", "Raw", "ReadOptions", "Source", "kind_of", "read_file"]
