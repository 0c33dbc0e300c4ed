"""The work on one task (a batch of source files), the same whatever engine runs it.

For each file: open it, hash it, skip it if its content is what the state database
already holds, read its raw records, repair every string, build the records and
write them into the task's part files. Returns what was done, file by file, for the
driver to commit. Nothing here touches the state database: workers only write parts.
Files on an fsspec file system (a `Remote` SRC) are opened through it.

A large file may come as ranges (`FileJob.span`, one per task, planned by the
driver with `split`): each range's records are numbered from the range's first
record, under the file's hash, size and encoding found by the driver, and its
result is one piece of the file's, which the driver `merge`s once all have come.
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

from .readers import Raw, ReadOptions, kind_of, ranges, read_file
from .readers.stream import BLOCK, WHOLE, Source, Span
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
    span: Span | None = None     # a range of the file, read with what the driver found:
    sha256: str | None = None    # the file's hash (size and mtime as above, from fstat)


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
            results.append(_one_range(job, task, writer) if job.span else
                           _one_file(job, task, writer))
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
        return _failed(job, "quarantined", _internal(exc), task, writer, result)
    return result


def _internal(exc: Exception) -> str:
    return f"internal error, please report: {type(exc).__name__}: {exc}"


def split(job: FileJob, src: Remote | None, options: ReadOptions,
          split_bytes: int) -> tuple[FileJob, ...] | FileResult | None:
    """In the driver: a file larger than `split_bytes` that can be cut into ranges
    (`ingest.readers.ranges`), as one job per range; or its result if its content is
    the one committed before; or None: it is read whole, by one task, as usual."""
    if not split_bytes or job.size <= split_bytes or not ranges.splittable(
            job.source, kind_of(job.source)):
        return None
    try:
        with _open(job, src) as raw:
            size, mtime_ns = _stat(raw, job, src)
            if size <= split_bytes:
                return None
            planned = ranges.plan(raw, job.source, kind_of(job.source), split_bytes, options)
    except OSError:
        return None     # read whole: the task says what is wrong with it
    if planned is None:
        return None
    sha256, spans = planned
    if sha256 == job.previous_sha256:
        return FileResult(job.source, "unchanged", size, mtime_ns, sha256)
    return tuple(FileJob(job.source, job.path, None, size, mtime_ns, span, sha256)
                 for span in spans)


def _one_range(job: FileJob, task: Task, writer: PartWriter | None) -> FileResult:
    """One range of a split file. If it cannot be read as planned (it changed, or the
    disk failed), the file is not committed this run (its other ranges' parts are
    left to the next run's clean-up, which reads it again): status "vanished", with
    the reason. A bug ends the range with a quarantined record instead."""
    assert job.span is not None
    span = job.span
    result = FileResult(job.source, "clean", job.size, job.mtime_ns, job.sha256, span.encoding)
    try:
        with _open(job, task.src) as raw:
            if _stat(raw, job, task.src) != (job.size, job.mtime_ns):
                return FileResult(job.source, "vanished", errors=[
                    "changed while being read; the next run reads it again"])
            source = Source(job.source, raw, job.size, task.options.max_expansion, span)
            _records(source, result, task, writer, span)
            return result
    except FileNotFoundError:
        return FileResult(job.source, "vanished", errors=["vanished before it could be read"])
    except OSError as exc:     # the disk or the network: the next run tries the file again
        why = f"bytes {span.start}-{span.end}: {exc.strerror or exc}"
        return FileResult(job.source, "vanished", errors=[f"{why}; the next run reads it again"])
    except Exception as exc:   # noqa: BLE001  a bug: reading again would meet it again
        # The range ends in a quarantined record, as a whole file does: the file is
        # committed with the rest, not read again by every run for ever.
        return _failed(job, "quarantined", f"bytes {span.start}-{span.end}: {_internal(exc)}",
                       task, writer, result, span.record)


def merge(pieces: list[FileResult]) -> FileResult:
    """A split file's result from its ranges' results, in file order: what reading it
    whole gives (counts summed, the first errors kept, the status of the whole)."""
    failed = next((p for p in pieces if p.status == "vanished"), None)
    if failed is not None:
        return failed
    first = pieces[0]
    result = FileResult(first.source, "clean", first.size, first.mtime_ns, first.sha256,
                        first.encoding)
    for piece in pieces:
        result.records += piece.records
        result.repaired += piece.repaired
        result.lossy += piece.lossy
        result.quarantined += piece.quarantined
        result.chains.update(piece.chains)
        result.errors += piece.errors
    del result.errors[MAX_ERRORS:]
    _settle(result)
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
            partial: FileResult | None = None, first: int = 0) -> FileResult:
    """A file (or a range of one, whose records are numbered from `first`) that could
    not be read to the end: one more record, quarantined, after whatever records it
    gave (none if it could not be opened)."""
    result = partial or FileResult(job.source, status)
    result.status = status if not result.records else "partial"
    result.errors.append(error)
    if writer:
        writer.add(_row(job.source, first + result.records, quarantined_row(error), result,
                        task))
    result.records += 1
    result.quarantined += 1
    return result


def _hash_file(raw: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := raw.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()


def _records(source: Source, result: FileResult, task: Task, writer: PartWriter | None,
             span: Span | None = None) -> None:
    """The file's records (or a range's, numbered from its first record); a file with
    none (a CSV of a header alone, JSON lines that are all blank) still gets one,
    empty and clean, so that no input disappears."""
    raws = read_file(source, task.options)
    first = next(raws, None)
    if first is None:
        if span is not None and not (span.last and span.record == 0):
            return
        first = Raw("")
    start = span.record if span else 0
    for index, raw in enumerate(itertools.chain([first], raws)):
        try:
            row = _build(raw)
        except Exception as exc:   # noqa: BLE001  a bug in one record's repair: that record
            # is quarantined with its text as read, and the file goes on.
            text = None if raw.text is None else valid_text(raw.text)[0]
            row = quarantined_row(_internal(exc), text=text)
        _count(result, row, row.pop("chains", None))
        if writer:
            writer.add(_row(result.source, start + index, row, result, task,
                            source.encoding, source.encoding_confidence))
        result.records = index + 1
    result.encoding = source.encoding
    _settle(result)


def _settle(result: FileResult) -> None:
    """A read file's status, from its counts."""
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
