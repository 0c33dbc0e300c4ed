"""The whole flow of `ingest run`, on one screen:

lock OUT → clean up after a killed run → discover files under SRC → skip those
committed before with the same content → cut large files into ranges and group the
rest into tasks → an engine runs the tasks (read, decode, repair, write parts) →
commit each task's parts and file versions (a split file's once all its ranges are
written) → record deleted files → report.

SRC and OUT are local folders or fsspec URLs (`ingest.storage`); a remote OUT's state
is worked on in a local folder and published into OUT (`ingest.state`).
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any

from .discover import Discovery, Found, discover, discover_remote
from .progress import Progress
from .readers import ReadOptions
from .report import LOCKED, USAGE, RunReport
from .state import PUBLISH_SECONDS, Locked, State, fetch, locked
from .storage import LocationError, Remote, locate, shared, state_folder
from .work import FileJob, FileResult, Task, TaskResult, merge, split

PART_BYTES = 128 * 1024 * 1024
TASK_BYTES = 32 * 1024 * 1024     # largest batch of files in one task
TASK_FILES = 2000
SPLIT_BYTES = 64 * 1024 * 1024    # JSON lines and text files larger than this are cut


class UsageError(ValueError):
    """The run cannot start as asked (no such SRC, a bad option); exit code 2."""

    exit_code = USAGE


class OutputLocked(RuntimeError):
    """Another run holds the lock on OUT; exit code 75."""

    exit_code = LOCKED


def run(src: str | os.PathLike[str], out: str | os.PathLike[str] = "data/clean", *,
        workers: int | None = None, include: tuple[str, ...] | list[str] = (),
        exclude: tuple[str, ...] | list[str] = (), hidden: bool = False,
        text_field: str | None = None, dry_run: bool = False, retry: bool = False,
        max_expansion: int = 100, part_bytes: int = PART_BYTES,
        task_bytes: int = TASK_BYTES, split_bytes: int = SPLIT_BYTES, wait: float = 0.0,
        progress: str = "auto", quiet: bool = False, engine: str = "local",
        address: str | None = None,
        state_dir: str | os.PathLike[str] | None = None) -> RunReport:
    """Clean every text file under `src` into a Parquet dataset at `out`.

    `engine` is "local" (worker processes here) or "ray" (Ray tasks, on a local Ray
    instance or, with `address`, an existing cluster); both give the same records.
    Incremental: files committed before with the same content are skipped; changed
    files get a new version. `retry=True` reads again the files that were quarantined.
    `task_bytes` caps the input of one task, the unit of work and of commit.
    JSON lines and text files over `split_bytes` (0: none) are read in ranges of about
    that size, in parallel, with the same records; each is still committed once.
    `src` and `out` may be fsspec URLs (s3://…); a remote OUT's state database is kept
    in `state_dir` (default: a folder per OUT in the user's cache) and published in OUT.
    Raises UsageError (bad arguments) or OutputLocked (another run is writing `out`);
    anything else that goes wrong is in the report (`error`, `exit_code` 3).
    """
    try:
        src_path, out_path = locate(src), locate(out)
    except LocationError as exc:
        raise UsageError(str(exc)) from None
    if not _is_dir(src_path):
        raise UsageError(f"{src}: not a folder (SRC must be a folder of files to ingest)")
    if engine not in ("local", "ray"):
        raise UsageError(f"unknown engine {engine!r} (choose local or ray)")
    if engine == "ray" and not (shared(src_path) and shared(out_path)):
        raise UsageError(f"{src if not shared(src_path) else out}: exists in this process "
                         "only, out of reach of Ray workers; use a folder or URL every "
                         "node reaches, or the local engine")
    if state_dir is not None and not isinstance(out_path, Remote):
        raise UsageError("--state-dir is for a remote OUT; a local OUT keeps its state in "
                         "OUT/_ingest")
    if address and engine != "ray":
        raise UsageError("an address is for the Ray engine: add engine='ray' (--engine ray)")
    if split_bytes < 0:
        raise UsageError(f"--split-size must be 0 (never split) or more, not {split_bytes}")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    workers = workers or os.cpu_count() or 1
    shown = Progress("quiet" if quiet else progress)
    options = ReadOptions(text_field=text_field, max_expansion=max_expansion)
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)
    report = RunReport(run_id, str(src_path), str(out_path), dry_run=dry_run)
    settings = {"include": list(include), "exclude": list(exclude), "hidden": hidden,
                "text_field": text_field, "retry": retry, "workers": workers,
                "engine": engine, "address": address}
    started = time.monotonic()
    if dry_run:
        _go(src_path, out_path, None, report, shown, workers, options, settings,
            (part_bytes, task_bytes, split_bytes))
    else:
        folder = state_folder(out_path, state_dir) if isinstance(out_path, Remote) else None
        try:
            with locked(out_path, wait, folder):
                if isinstance(out_path, Remote) and folder is not None:
                    fetch(out_path, folder)
                state = State(out_path, folder)
                try:
                    _go(src_path, out_path, state, report, shown, workers, options, settings,
                        (part_bytes, task_bytes, split_bytes))
                finally:
                    state.close()
        except Locked as exc:
            shown.event("run_refused", reason=str(exc))
            raise OutputLocked(str(exc)) from None
    report.seconds = time.monotonic() - started
    report.finish()
    shown.close()
    shown.event("run_finished", run_id=run_id, exit_code=report.exit_code, **report.counts(),
                **({"error": report.error} if report.error else {}))
    return report


def _is_dir(where: Path | Remote) -> bool:
    if isinstance(where, Path):
        return where.is_dir()
    try:
        return bool(where.fs.isdir(where.root))
    except OSError as exc:
        raise UsageError(f"{where}: cannot open SRC: {exc}") from None


def _go(src: Path | Remote, out: Path | Remote, state: State | None, report: RunReport,
        shown: Progress, workers: int, options: ReadOptions, settings: dict[str, Any],
        sizes: tuple[int, int, int]) -> None:
    if state is not None:
        removed = state.clean_up()
        state.start_run(report.run_id, str(src if isinstance(src, Remote) else src.resolve()),
                        settings)
        state.publish()
        shown.event("run_started", run_id=report.run_id, src=str(src), out=str(out),
                    cleaned_up=len(removed))
    try:
        found = _discover(src, out, settings)
        report.files = len(found.files)
        report.skipped = found.skipped
        known = state.known() if state is not None else {}
        jobs: list[tuple[Found, str | None]] = []
        for item in found.files:
            before = known.get(item.source)
            if before is None or before.deleted or (
                    settings["retry"] and before.status in _RETRY):
                jobs.append((item, None))      # read it, whatever its content
            elif item.mtime_ns is None or (
                    (before.size, before.mtime_ns) != (item.size, item.mtime_ns)):
                jobs.append((item, before.sha256))   # read it unless the hash is the same
            else:
                report.unchanged += 1
        whole, ranges, unchanged = _split(jobs, src, options, sizes[2])
        tasks = list(_tasks(whole, ranges, report.run_id, src, out, options, sizes, workers,
                            dry_run=state is None))
        shown.start(len(jobs), sum(item.size for item, _ in jobs))
        everywhere = shared(src) and shared(out)
        held = _Held(tasks)
        results = _engine(tasks, workers, settings["engine"], settings["address"], everywhere)
        for some in chain([TaskResult(-1, unchanged, [])] if unchanged else [], results):
            result = held.take(some)
            if result is None:
                continue
            if state is not None:
                state.commit(report.run_id, result.files, result.parts)
                state.publish(every=PUBLISH_SECONDS)
            for f in result.files:
                report.add(f)
            shown.advance(result)
        if state is not None and held.dropped:
            state.clean_up()    # parts of files not committed: the next run reads them
        if state is not None:
            gone = [s for s, k in known.items() if not k.deleted and s not in found.seen]
            state.mark_deleted(report.run_id, gone)
            report.deleted = len(gone)
    except Exception as exc:   # noqa: BLE001  the run fails; what is committed stays
        report.error = f"{type(exc).__name__}: {exc}"
    finally:
        if state is not None:
            report.finish()
            state.end_run(report.run_id, report.counts(), report.exit_code,
                          "failed" if report.error else "finished")
            try:
                state.publish()
            except Exception as exc:   # noqa: BLE001  the next run starts from the last copy
                report.error = report.error or (
                    f"cannot publish the state to {out}/_ingest: {type(exc).__name__}: {exc};"
                    " the next run does again what was committed since the last copy")


def _discover(src: Path | Remote, out: Path | Remote, settings: dict[str, Any]) -> Discovery:
    """The files under SRC; OUT is never read, even inside SRC."""
    rules = {"include": tuple(settings["include"]), "exclude": tuple(settings["exclude"]),
             "hidden": settings["hidden"]}
    if isinstance(src, Path):
        return discover(src, **rules, skip=(out,) if isinstance(out, Path) else ())
    inside = isinstance(out, Remote) and out.fs.protocol == src.fs.protocol
    return discover_remote(src, **rules, skip=(out.root,) if inside else ())


_RETRY = ("quarantined", "partial", "unreadable")


def _split(jobs: list[tuple[Found, str | None]], src: Path | Remote, options: ReadOptions,
           split_bytes: int) -> tuple[list[FileJob], list[tuple[FileJob, ...]], list[FileResult]]:
    """The files to read whole; the ranges of each large file (the driver reads it
    once to hash and cut it, `ingest.work.split`); the large files found unchanged."""
    whole, ranges, unchanged = [], [], []
    for item, previous in jobs:
        job = FileJob(item.source, item.path, previous, item.size, item.mtime_ns)
        cut = split(job, src if isinstance(src, Remote) else None, options, split_bytes)
        if cut is None:
            whole.append(job)
        elif isinstance(cut, FileResult):
            unchanged.append(cut)
        else:
            ranges.append(cut)
    return whole, ranges, unchanged


def _tasks(whole: list[FileJob], ranges: list[tuple[FileJob, ...]], run_id: str,
           src: Path | Remote, out: Path | Remote, options: ReadOptions,
           sizes: tuple[int, int, int], workers: int, dry_run: bool) -> Iterator[Task]:
    """One task per range of a split file, first (the longest work starts first);
    then the other files in sorted order, in batches: small enough to spread over the
    workers (four tasks each at least), large enough that parts are not tiny."""
    part_bytes, task_bytes, _ = sizes
    total = sum(job.size for job in whole)
    limit = min(task_bytes, max(1 << 20, total // (4 * workers) + 1))
    now = datetime.now(timezone.utc)
    directory = f"ingested_date={now:%Y-%m-%d}"
    where = out if isinstance(out, Remote) else str(out)
    remote_src = src if isinstance(src, Remote) else None
    index = 0

    def task(files: Iterable[FileJob]) -> Task:
        return Task(index, tuple(files), where, directory, run_id, now, options,
                    part_bytes, dry_run, remote_src)

    for pieces in ranges:
        for piece in pieces:
            yield task([piece])
            index += 1
    batch: list[FileJob] = []
    size = 0
    for job in whole:
        batch.append(job)
        size += job.size
        if size >= limit or len(batch) >= TASK_FILES:
            yield task(batch)
            batch, size, index = [], 0, index + 1
    if batch:
        yield task(batch)


class _Held:
    """The results of a split file's ranges, held until all have come: the file is
    committed once, in one transaction with every part that holds its records, so a
    run killed before that leaves only parts that the next run removes. A range
    that could not be read drops the file from this run (`dropped`): its parts stay
    uncommitted and the next run reads it again."""

    def __init__(self, tasks: list[Task]) -> None:
        self.source = {t.index: t.files[0].source for t in tasks if t.files[0].span}
        self.count = Counter(self.source.values())
        self.waiting: dict[str, list[TaskResult]] = {}
        self.dropped = False

    def take(self, result: TaskResult) -> TaskResult | None:
        """`result` if it is a whole task's; a split file's once complete; else None."""
        source = self.source.get(result.index)
        if source is None:
            return result
        pieces = self.waiting.setdefault(source, [])
        pieces.append(result)
        if len(pieces) < self.count[source]:
            return None
        del self.waiting[source]
        pieces.sort(key=lambda r: r.index)
        done = merge([r.files[0] for r in pieces])
        if done.status == "vanished":
            self.dropped = True
            return TaskResult(pieces[0].index, [done], [])
        return TaskResult(pieces[0].index, [done], [p for r in pieces for p in r.parts])


def _engine(tasks: list[Task], workers: int, engine: str, address: str | None,
            everywhere: bool) -> Iterator[TaskResult]:
    """Tasks on SRC or OUT that exist in this process only (memory://) run here."""
    if engine == "ray":
        from .engines import ray
        return ray.run(tasks, workers, address) if tasks else iter(())
    from .engines import local
    return local.run(tasks, min(workers, max(len(tasks), 1)) if everywhere else 1)
