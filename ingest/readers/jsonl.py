"""JSON lines: one record per line. A line that is not JSON, or not an object or a
string, is quarantined on its own with its line number; the rest of the file is kept.

Numbers JSON allows but Python cannot hold exactly as a float or int (1e999, a
5,000-digit integer) and the NaN/Infinity constants are kept as their literal text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .stream import lines

if TYPE_CHECKING:
    from . import Raw, ReadOptions
    from .stream import Source

MAX_LINE = 256 * 1024 * 1024   # characters; a longer line is quarantined unread


def read(source: Source, options: ReadOptions) -> Iterator[Raw]:
    from . import Raw

    for number, line in lines(source.chunks(), MAX_LINE, source.first_line):
        if line is None:
            yield Raw(None, error=f"line {number}: longer than {MAX_LINE} characters")
        elif line.strip():
            yield parse(line, number, options.text_field)


def parse(line: str, number: int, text_field: str | None) -> Raw:
    from . import Raw

    try:
        value = json.loads(line, parse_float=_float, parse_int=_int, parse_constant=_Literal)
    except RecursionError:
        return Raw(line, error=f"line {number}: JSON nested too deeply to read")
    except ValueError as exc:
        return Raw(line, error=f"line {number}: not valid JSON ({exc})")
    if isinstance(value, str) and not isinstance(value, _Literal):
        return Raw(value)
    if not isinstance(value, dict):
        kind = "array" if isinstance(value, list) else "boolean" if isinstance(
            value, bool) else "null" if value is None else "number"
        return Raw(line, error=f"line {number}: a JSON {kind}, not an object or a string")
    return split_fields(value, text_field)


def split_fields(fields: dict[str, Any], text_field: str | None) -> Raw:
    """The record's text is `text_field` if the row has it as a string, else `text`,
    else the longest string field; the other fields stay in `fields`."""
    from . import Raw

    strings = [k for k, v in fields.items() if isinstance(v, str)]
    for name in (text_field, "text"):
        if name in strings:
            break
    else:
        name = max(strings, key=lambda k: len(fields[k]), default=None)
    if name is None:
        return Raw(None, fields=fields)
    rest = {k: v for k, v in fields.items() if k != name}
    return Raw(fields[name], fields=rest)


class _Literal(str):
    """A number kept as its JSON text (it is written back into `meta` as a string)."""


def _float(literal: str) -> float | str:
    value = float(literal)
    return value if math.isfinite(value) else _Literal(literal)


def _int(literal: str) -> int | str:
    return int(literal) if len(literal) <= 4000 else _Literal(literal)
