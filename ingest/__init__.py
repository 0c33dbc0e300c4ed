"""ingest: repair mojibake and ingest cleaned text.

    >>> import ingest
    >>> ingest.fix_text("they鈥檙e")
    'they’re'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .decode import BinaryInputError, Decoded, decode_bytes
from .repair import Repair, Step, apply_steps, repair

if TYPE_CHECKING:
    from .dataset import compact, read
    from .pipeline import OutputLocked, UsageError, run
    from .report import RunReport

# The pipeline's names load pyarrow; `fix_text` users and `ingest fix` never pay for it.
_PIPELINE = {"compact": "dataset", "read": "dataset", "run": "pipeline",
             "OutputLocked": "pipeline", "UsageError": "pipeline", "RunReport": "report"}


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from importlib import import_module
        return getattr(import_module(f".{_PIPELINE[name]}", __name__), name)
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")


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
