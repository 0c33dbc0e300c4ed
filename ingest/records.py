"""The record: one row of the output dataset, and its declared, versioned schema.

A record is one text of a source file (a whole text file, a CSV row, a JSON line,
or a chunk of a very large text file) after decoding and repair. The schema is
declared here, never inferred from the first record, and stored with its version in
every Parquet file's metadata.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pyarrow as pa

from .repair import Repair

SCHEMA_VERSION = 1

_SURROGATE = re.compile("[\ud800-\udfff]")

STATUSES = ("clean", "repaired", "quarantined")

REPAIR_TYPE = pa.struct([
    ("kind", pa.string()),          # mojibake, lossy, unrecoverable
    ("chain", pa.list_(pa.string())),
    ("start", pa.int64()),          # span in `original`
    ("end", pa.int64()),
    ("before", pa.string()),
    ("after", pa.string()),
    ("confidence", pa.float64()),
])

SCHEMA = pa.schema([
    ("id", pa.string()),
    ("source", pa.string()),
    ("record", pa.int64()),
    ("text", pa.string()),
    ("original", pa.string()),
    ("encoding", pa.string()),
    ("encoding_confidence", pa.float64()),
    ("status", pa.string()),
    ("mojibake", pa.bool_()),
    ("lossy", pa.bool_()),
    ("confidence", pa.float64()),
    ("repairs", pa.list_(REPAIR_TYPE)),
    ("error", pa.string()),
    ("meta", pa.string()),
    ("raw_sha256", pa.string()),
    ("size", pa.int64()),
    ("run_id", pa.string()),
    ("ingested_at", pa.timestamp("us", tz="UTC")),
], metadata={"ingest.schema_version": str(SCHEMA_VERSION)})

COLUMNS = SCHEMA.names


def record_id(source: str, record: int) -> str:
    """Stable across runs and machines: the same file and index give the same id."""
    return hashlib.blake2b(f"{source}\x00{record}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def valid_text(text: str) -> tuple[str, bool]:
    """Text Parquet can hold: lone surrogates (from a JSON escape like "\\ud800" or a
    file name that is not UTF-8) become U+FFFD. Returns the text and whether it changed."""
    if _SURROGATE.search(text) is None:
        return text, False
    return _SURROGATE.sub("\ufffd", text), True


def repaired_row(result: Repair, *, meta: dict[str, Any] | None = None,
                 meta_repaired: bool = False, meta_lossy: bool = False,
                 meta_steps: int = 0) -> dict[str, Any]:
    """The repair-dependent columns of a record whose text was repaired by `result`.

    `meta_*` tell what the repair of the other fields (CSV columns, JSON values) did:
    a record whose text was clean but whose title field was mojibake is `repaired`.
    """
    changed = result.changed or meta_repaired
    return {
        "text": result.text,
        "original": result.original if result.changed else None,
        "status": "repaired" if changed else "clean",
        "mojibake": bool(result.steps) or meta_steps > 0,
        "lossy": result.lossy or meta_lossy,
        "confidence": result.confidence,
        "repairs": [
            {"kind": s.kind, "chain": list(s.chain), "start": s.start, "end": s.end,
             "before": s.before, "after": s.after, "confidence": s.confidence}
            for s in result.steps
        ],
        "error": None,
        "meta": None if meta is None else json.dumps(meta, ensure_ascii=False),
    }


def quarantined_row(error: str, *, text: str | None = None) -> dict[str, Any]:
    """A record that could not be read as intended: `text` keeps what raw text there is
    (the broken CSV row, the JSON line as written), `error` says why."""
    return {
        "text": text, "original": None, "status": "quarantined", "mojibake": False,
        "lossy": False, "confidence": None, "repairs": [], "error": error, "meta": None,
    }
