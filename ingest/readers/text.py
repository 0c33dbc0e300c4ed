"""Text files: one record per file; a very large file in records of about
`chunk_chars` characters, cut after a blank line where there is one, else after a
line, else anywhere (a 100 MB line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .stream import StreamError

if TYPE_CHECKING:
    from . import Raw, ReadOptions
    from .stream import Source


def read(source: Source, options: ReadOptions) -> Iterator[Raw]:
    from . import Raw

    buffer, count = "", 0
    try:
        for chunk in source.chunks():
            buffer += chunk
            while len(buffer) >= options.chunk_chars:
                cut = _cut(buffer, options.chunk_chars)
                yield Raw(buffer[:cut])
                buffer, count = buffer[cut:], count + 1
    except StreamError:   # keep the text read before the break; read_file says why
        if buffer:
            yield Raw(buffer)
        raise
    if buffer or not count:   # an empty file is one empty record
        yield Raw(buffer)


def _cut(text: str, size: int) -> int:
    """Where to end a record of about `size` characters: after the last paragraph
    break in its second half, else after the last line break, else at `size`."""
    for mark in ("\n\n", "\n"):
        at = text.rfind(mark, size // 2, size)
        if at >= 0:
            return at + len(mark)
    return size
