"""ingest: repair mojibake and ingest cleaned text.

    >>> import ingest
    >>> ingest.fix_text("they鈥檙e")
    'they’re'
"""

from __future__ import annotations

from .dataset import compact, read
from .decode import BinaryInputError, Decoded, decode_bytes
from .pipeline import OutputLocked, UsageError, run
from .repair import Repair, Step, apply_steps, repair
from .report import RunReport


def fix_text(text: str) -> str:
    """The repaired text; clean text comes back identical."""
    if text.isascii():
        return text
    return repair(text).text


def clean_bytes(data: bytes) -> str:
    """Decode raw bytes (`decode_bytes`) and repair the mojibake in the result."""
    return fix_text(decode_bytes(data).text)


__all__ = [
    "BinaryInputError",
    "Decoded",
    "OutputLocked",
    "Repair",
    "RunReport",
    "Step",
    "UsageError",
    "apply_steps",
    "clean_bytes",
    "compact",
    "decode_bytes",
    "fix_text",
    "read",
    "repair",
    "run",
]
