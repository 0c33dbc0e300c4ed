"""CSV and TSV: the first row names the fields, then one record per row.

A broken row is quarantined on its own and reading goes on after it. Python's csv
module, given an unbalanced quote, reads the rest of the file into one field; here
a row may span at most MAX_ROW_LINES lines and MAX_ROW_CHARS characters, and a row
that overruns them, or that csv rejects (strict mode: `"a"b`, a quote left open at
the end), is quarantined as its first line alone, and parsing restarts on the line
after it. A row with more or fewer fields than the header is quarantined too.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .jsonl import split_fields
from .stream import lines

if TYPE_CHECKING:
    from . import Raw, ReadOptions
    from .stream import Source

MAX_ROW_LINES = 10_000
MAX_ROW_CHARS = 256 * 1024 * 1024


class _Overrun(Exception):
    pass


class _Feed:
    """Lines for csv.reader, remembering those the current row took, with lines to
    read again (after a broken row) served first."""

    def __init__(self, source: Iterator[tuple[int, str | None]]) -> None:
        self.source = source
        self.again: deque[tuple[int, str | None]] = deque()
        self.taken: list[tuple[int, str | None]] = []
        self.chars = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        item = self.again.popleft() if self.again else next(self.source)
        self.taken.append(item)
        number, line = item
        if line is None:
            raise _Overrun(f"line {number}: longer than {MAX_ROW_CHARS} characters")
        self.chars += len(line)
        if len(self.taken) > MAX_ROW_LINES or self.chars > MAX_ROW_CHARS:
            raise _Overrun(f"line {self.taken[0][0]}: a quoted field runs on for more "
                           f"than {MAX_ROW_LINES} lines or {MAX_ROW_CHARS} characters "
                           "(unbalanced quote?)")
        return line

    def row_done(self) -> list[tuple[int, str | None]]:
        taken, self.taken, self.chars = self.taken, [], 0
        return taken


def read(source: Source, options: ReadOptions, delimiter: str) -> Iterator[Raw]:
    from . import Raw

    # The limit is process-wide in the csv module; ours is the same everywhere.
    csv.field_size_limit(MAX_ROW_CHARS)
    feed = _Feed(lines(source.chunks(), MAX_ROW_CHARS))
    header: list[str] | None = None
    while True:
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        try:
            for row in reader:
                taken = feed.row_done()
                if not row:
                    continue
                if header is None:
                    header = _unique(row)
                elif len(row) != len(header):
                    yield Raw(_joined(taken), error=(
                        f"line {taken[0][0]}: {len(row)} fields where the header "
                        f"has {len(header)}"))
                else:
                    yield split_fields(dict(zip(header, row)), options.text_field)
            return
        except (csv.Error, _Overrun) as exc:
            taken = feed.row_done()
            if not taken:
                return
            first, rest = taken[0], taken[1:]
            feed.again.extendleft(reversed(rest))
            reason = str(exc) if isinstance(exc, _Overrun) else (
                f"line {first[0]}: malformed CSV ({exc})")
            yield Raw(first[1], error=reason)


def _joined(taken: list[tuple[int, str | None]]) -> str:
    return "".join(line or "" for _, line in taken)


def _unique(names: list[str]) -> list[str]:
    """Header names made unique ("a", "a" → "a", "a_2") so no value is overwritten."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out
