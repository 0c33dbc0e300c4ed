"""The work on one task (a batch of source files), the same whatever engine runs it.

For each file: open it, hash it, skip it if its content is what the state database
already holds, read its raw records, repair every string, build the records and
write them into the task's part files. Returns what was done, file by file, for the
driver to commit. Nothing here touches the state database: workers only write parts.
Files on an fsspec file system (a `Remote` SRC) are opened through it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from .readers import Raw, ReadOptions, read_file
from .readers.stream import BLOCK, WHOLE, Source
from .records import quarantined_row, record_id, repaired_row, valid_text
from .repair import repair
from .sink import Part, PartWriter
from .storage import Remote


@dataclass(frozen=True)
class FileJob:
    source: str                  # path relative to SRC, as shown in records
    path: str                    # where to open it
    previous_sha256: str | None  # content committed before, if any
    size: int = 0                # as discovered: a remote file's size and mtime
    mtime_ns: int | None = None  # (a local file's come from fstat when opened)


@dataclass(frozen=True)
class Task:
    index: int
    files: tuple[FileJob, ...]
    out: str | Remote            # a local folder's path, or a remote folder
    directory: str               # partition folder under OUT, e.g. "ingested_date=2026-11-23"
    run_id: str
    ingested_at: datetime
    options: ReadOptions
    part_bytes: int
    dry_run: bool = False
    src: Remote | None = None    # the file system of FileJob.path; None: local


@dataclass
class FileResult:
    source: str
    status: str                  # clean, repaired, partial, quarantined, unreadable, vanished, unchanged
    size: int = 0
    mtime_ns: int | None = 0
    sha256: str | None = None
    encoding: str | None = None
    records: int = 0
    repaired: int = 0
    lossy: int = 0
    quarantined: int = 0
    chains: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)   # the first few, for the report


@dataclass
class TaskResult:
    index: int
    files: list[FileResult]
    parts: list[Part]


MAX_ERRORS = 5


def run_task(task: Task) -> TaskResult:
    out = Path(task.out) if isinstance(task.out, str) else task.out
    writer = None if task.dry_run else PartWriter(
        out, task.directory, f"part-{task.run_id}-{task.index:05d}", task.part_bytes)
    results = []
    try:
        for job in task.files:
            results.append(_one_file(job, task, writer))
        parts = writer.close() if writer else []
    except BaseException:
        if writer:
            writer.abort()
        raise
    return TaskResult(task.index, results, parts)


def _one_file(job: FileJob, task: Task, writer: PartWriter | None) -> FileResult:
    try:
        with _open(job, task.src) as raw:
            size, mtime_ns = _stat(raw, job, task.src)
            result = FileResult(job.source, "clean", size, mtime_ns)
            if size <= WHOLE:
                data = raw.read()
                result.sha256 = hashlib.sha256(data).hexdigest()
                source = Source(job.source, BytesIO(data), len(data), task.options.max_expansion)
            else:
                result.sha256 = _hash_file(raw)
                raw.seek(0)
                source = Source(job.source, raw, size, task.options.max_expansion)
            if result.sha256 == job.previous_sha256:
                result.status = "unchanged"
                return result
            _records(source, result, task, writer)
    except FileNotFoundError:
        return FileResult(job.source, "vanished", errors=["vanished before it could be read"])
    except OSError as exc:
        return _failed(job, "unreadable", f"cannot read: {exc.strerror or exc}", task, writer)
    except Exception as exc:   # noqa: BLE001  a bug must not stop the run; it is recorded
        return _failed(job, "quarantined", f"internal error, please report: "
                       f"{type(exc).__name__}: {exc}", task, writer, result)
    return result


def _open(job: FileJob, src: Remote | None) -> BinaryIO:
    return open(job.path, "rb") if src is None else src.fs.open(job.path, "rb")


def _stat(raw: BinaryIO, job: FileJob, src: Remote | None) -> tuple[int, int | None]:
    """Size and mtime: of the open file, or as listed (before reading, so a file
    changed meanwhile is seen as changed by the next run, never the reverse)."""
    if src is not None:
        return job.size, job.mtime_ns
    stat = os.fstat(raw.fileno())
    return stat.st_size, stat.st_mtime_ns


def _failed(job: FileJob, status: str, error: str, task: Task, writer: PartWriter | None,
            partial: FileResult | None = None) -> FileResult:
    """A file that could not be read to the end: one more record, quarantined, after
    whatever records it gave (none if it could not be opened)."""
    result = partial or FileResult(job.source, status)
    result.status = status if not result.records else "partial"
    result.errors.append(error)
    if writer:
        writer.add(_row(job.source, result.records, quarantined_row(error), result, task))
    result.records += 1
    result.quarantined += 1
    return result


def _hash_file(raw: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := raw.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()


def _records(source: Source, result: FileResult, task: Task, writer: PartWriter | None) -> None:
    """The file's records; a file with none (a CSV of a header alone, JSON lines that
    are all blank) still gets one, empty and clean, so that no input disappears."""
    raws = read_file(source, task.options)
    first = next(raws, None)
    if first is None:
        first = Raw("")
    for index, raw in enumerate(itertools.chain([first], raws)):
        row = _build(raw)
        _count(result, row, row.pop("chains", None))
        if writer:
            writer.add(_row(result.source, index, row, result, task,
                            source.encoding, source.encoding_confidence))
        result.records = index + 1
    result.encoding = source.encoding
    if result.quarantined:
        result.status = "quarantined" if result.quarantined == result.records else "partial"
    elif result.repaired:
        result.status = "repaired"


def _build(raw: Raw) -> dict[str, Any]:
    """The record for a raw record: its text and fields repaired, or quarantined."""
    if raw.error is not None:
        text = None if raw.text is None else valid_text(raw.text)[0]
        return quarantined_row(raw.error, text=text)
    text, fixed_surrogates = valid_text(raw.text or "")
    result = repair(text)
    walk = _FieldRepair()
    fields = None if raw.fields is None else walk.value(raw.fields)
    row = repaired_row(result, meta=fields, meta_repaired=walk.changed,
                       meta_lossy=walk.lossy, meta_steps=walk.steps)
    row["chains"] = walk.chains
    if raw.text is None:
        row["text"] = None
    notes = ["lone surrogates in the text replaced by U+FFFD"] if fixed_surrogates else []
    notes += walk.notes
    if notes:
        row["lossy"] = True
        row["error"] = "; ".join(notes)
    return row


class _FieldRepair:
    """Repairs every string in a CSV row or JSON value, nested ones included."""

    def __init__(self) -> None:
        self.changed = False
        self.lossy = False
        self.steps = 0
        self.chains: Counter = Counter()
        self.notes: list[str] = []

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def text(self, text: str) -> str:
        text, fixed = valid_text(text)
        if fixed and not self.notes:
            self.notes.append("lone surrogates in a field replaced by U+FFFD")
        if text.isascii():
            return text
        result = repair(text)
        if result.steps:
            self.steps += len(result.steps)
            self.changed |= result.changed
            self.lossy |= result.lossy
            self.chains.update(chain_key(step.chain, step.kind) for step in result.steps)
        return result.text


def _count(result: FileResult, row: dict[str, Any], field_chains: Counter | None) -> None:
    if row["status"] == "quarantined":
        result.quarantined += 1
        if len(result.errors) < MAX_ERRORS:
            result.errors.append(row["error"])
        return
    if row["status"] == "repaired":
        result.repaired += 1
    result.lossy += bool(row["lossy"])
    result.chains.update(chain_key(s["chain"], s["kind"]) for s in row["repairs"])
    result.chains.update(field_chains or ())


def chain_key(chain: Any, kind: str) -> str:
    """How a repaired span is counted in the report: "utf-8 → gbk"."""
    return " → ".join(chain) or kind


def _row(source: str, index: int, row: dict[str, Any], result: FileResult, task: Task,
         encoding: str | None = None, encoding_confidence: float | None = None) -> dict[str, Any]:
    return {
        "id": record_id(source, index), "source": source, "record": index, **row,
        "encoding": encoding, "encoding_confidence": encoding_confidence,
        "raw_sha256": result.sha256, "size": result.size,
        "run_id": task.run_id, "ingested_at": task.ingested_at,
    }
