"""The state of an output dataset: an SQLite database in `OUT/_ingest/`, and its lock.

It records every run and every version of every source file: size, mtime, content
hash, the run that committed it, its status, and the part files holding its records.
The commit protocol that makes a run exactly-once per file, whenever it is killed:

1. workers write records to hidden temporary files, flush them to disk and rename
   them into place (`ingest.sink`);
2. the driver commits a task's parts and file versions here in one transaction;
3. a run starts by deleting what a killed run left: temporary files, and parts on
   disk that no committed transaction names.

A part is thus either committed with all the file versions it holds, or deleted by
the next run and its files processed again. Readers (`ingest.read`) list parts from
here, so a part renamed but not yet committed is never read.

The lock is an `flock` on `OUT/_ingest/lock`: the kernel releases it when its holder
dies, however it dies, so a lock left by a dead process is taken over at once.

SQLite cannot live on an object store. For a remote OUT (`ingest.storage.Remote`)
the database is worked on in a local folder, where the lock is too; a run starts
from the copy published in `OUT/_ingest/state.sqlite` (none: a new dataset), and
publishes its copy there when it starts, every PUBLISH_SECONDS while it commits, and
when it ends. The published copy is the truth between runs, and what `ingest.read`
reads anywhere: commits made after the last publication of a killed run are lost
with it, their parts removed and their files read again by the next run, as for
any uncommitted task. The lock is only this host's: one host runs a given OUT.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sink import Part
from .storage import Remote

STATE_DIR = "_ingest"
PUBLISH_SECONDS = 30.0     # a remote OUT's published state lags its commits at most this

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started REAL, ended REAL, src TEXT, options TEXT,
    counts TEXT, exit_code INTEGER, pid INTEGER, host TEXT, status TEXT
);
CREATE TABLE IF NOT EXISTS files (
    source TEXT, version INTEGER, size INTEGER, mtime_ns INTEGER, sha256 TEXT,
    run_id TEXT, status TEXT, records INTEGER, error TEXT, deleted_by TEXT,
    PRIMARY KEY (source, version)
);
CREATE TABLE IF NOT EXISTS parts (path TEXT PRIMARY KEY, run_id TEXT, rows INTEGER, bytes INTEGER);
CREATE TABLE IF NOT EXISTS file_parts (
    source TEXT, version INTEGER, path TEXT, PRIMARY KEY (source, version, path)
);
CREATE VIEW IF NOT EXISTS latest AS
    SELECT * FROM files f WHERE version = (SELECT MAX(version) FROM files g
                                           WHERE g.source = f.source);
CREATE VIEW IF NOT EXISTS current AS SELECT * FROM latest WHERE deleted_by IS NULL;
"""


class Locked(Exception):
    """Another run holds the lock on this output."""


@dataclass(frozen=True)
class Known:
    """The current version of a source file, as committed."""
    source: str
    version: int
    size: int
    mtime_ns: int | None
    sha256: str | None
    status: str
    run_id: str
    deleted: bool


class State:
    """The database of `out`, in `out/_ingest`, or in `folder` for a remote OUT."""

    def __init__(self, out: Path | Remote, folder: Path | None = None) -> None:
        self.out = out
        if folder is None:
            assert isinstance(out, Path), "a remote OUT's state is in a local folder"
            folder = out / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self._published = 0.0
        self.db = sqlite3.connect(folder / "state.sqlite", isolation_level=None, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # runs

    def start_run(self, run_id: str, src: str, options: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = 'killed' WHERE ended IS NULL")
            db.execute("INSERT INTO runs (run_id, started, src, options, pid, host, status)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'running')",
                       (run_id, time.time(), src, json.dumps(options), os.getpid(),
                        socket.gethostname()))

    def end_run(self, run_id: str, counts: dict[str, Any], exit_code: int, status: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET ended = ?, counts = ?, exit_code = ?, status = ?"
                       " WHERE run_id = ?",
                       (time.time(), json.dumps(counts), exit_code, status, run_id))

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        cursor = self.db.execute("SELECT * FROM runs ORDER BY started DESC LIMIT ?", (limit,))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def summary(self, runs: int = 10) -> dict[str, Any]:
        """For `ingest status`: runs, files by status, quarantined files, parts."""
        by_status = dict(self.db.execute("SELECT status, COUNT(*) FROM current GROUP BY status"))
        records = self.db.execute("SELECT COALESCE(SUM(records), 0) FROM current").fetchone()[0]
        quarantined = [{"source": r[0], "status": r[1], "error": r[2]} for r in self.db.execute(
            "SELECT source, status, error FROM current WHERE status IN"
            " ('quarantined', 'partial', 'unreadable') ORDER BY source")]
        parts, size = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM parts").fetchone()
        recent = self.runs(runs)
        for r in recent:
            r["counts"] = json.loads(r["counts"]) if r["counts"] else None
            r["options"] = json.loads(r["options"]) if r["options"] else None
        return {"runs": recent, "files_by_status": by_status, "records": records,
                "quarantined": quarantined, "parts": parts, "part_bytes": size}

    def last_src(self) -> str | None:
        row = self.db.execute("SELECT src FROM runs ORDER BY started DESC LIMIT 1").fetchone()
        return row[0] if row else None

    # files

    def known(self) -> dict[str, Known]:
        """The latest committed version of every source ever seen."""
        rows = self.db.execute(
            "SELECT source, version, size, mtime_ns, sha256, status, run_id, deleted_by"
            " FROM latest")
        return {r[0]: Known(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] is not None)
                for r in rows}

    def commit(self, run_id: str, files: Iterable[Any], parts: list[Part]) -> None:
        """One task's results, all or nothing: new file versions, the parts holding
        them; unchanged files (same content, new mtime) get their new mtime."""
        with self.transaction() as db:
            db.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)",
                           [(p.path, run_id, p.rows, p.bytes) for p in parts])
            for f in files:
                if f.status == "vanished":
                    continue
                if f.status == "unchanged":
                    db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE source = ? AND"
                               " version = (SELECT MAX(version) FROM files WHERE source = ?)",
                               (f.size, f.mtime_ns, f.source, f.source))
                    continue
                version = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM files"
                                     " WHERE source = ?", (f.source,)).fetchone()[0]
                db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                           (f.source, version, f.size, f.mtime_ns, f.sha256, run_id,
                            f.status, f.records, "; ".join(f.errors) or None))
                db.executemany("INSERT INTO file_parts VALUES (?, ?, ?)",
                               [(f.source, version, p.path) for p in parts])

    def mark_deleted(self, run_id: str, sources: Iterable[str]) -> None:
        with self.transaction() as db:
            for source in sources:
                db.execute("UPDATE files SET deleted_by = ? WHERE source = ? AND deleted_by IS"
                           " NULL AND version = (SELECT MAX(version) FROM files WHERE"
                           " source = ?)", (run_id, source, source))

    # parts

    def parts(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM parts ORDER BY path")]

    def current(self) -> set[tuple[str, str]]:
        """(source, run_id) of the records in the current view: the latest version of
        each source file that is not deleted."""
        return {(r[0], r[1]) for r in self.db.execute("SELECT source, run_id FROM current")}

    def replace_parts(self, old: list[str], new: list[tuple[Part, set[tuple[str, str]]]]) -> None:
        """Compaction's commit: `new` parts (each with the (source, run_id) pairs it
        holds) take the place of `old` ones in one transaction."""
        with self.transaction() as db:
            db.executemany("DELETE FROM parts WHERE path = ?", [(p,) for p in old])
            db.executemany("DELETE FROM file_parts WHERE path = ?", [(p,) for p in old])
            for part, held in new:
                db.execute("INSERT INTO parts VALUES (?, ?, ?, ?)",
                           (part.path, "compact", part.rows, part.bytes))
                for source, run_id in held:
                    db.execute("INSERT OR IGNORE INTO file_parts SELECT source, version, ?"
                               " FROM files WHERE source = ? AND run_id = ?",
                               (part.path, source, run_id))

    def clean_up(self) -> list[str]:
        """Delete what a killed run or compaction left: hidden temporary files and parts
        that no commit names. Returns the paths removed (relative to OUT)."""
        committed = set(self.parts())
        removed = []
        if isinstance(self.out, Remote):
            return self._clean_up_remote(self.out, committed)
        for folder, dirs, names in os.walk(self.out):
            dirs[:] = [d for d in dirs if d != STATE_DIR]
            for name in names:
                path = Path(folder) / name
                rel = path.relative_to(self.out).as_posix()
                if _leftover(name, rel, committed):
                    path.unlink(missing_ok=True)
                    removed.append(rel)
        return removed

    def _clean_up_remote(self, out: Remote, committed: set[str]) -> list[str]:
        removed = []
        prefix = out.root + "/"
        for path in out.fs.find(out.root):
            rel = path[len(prefix):] if path.startswith(prefix) else None
            if rel is None or STATE_DIR in rel.split("/")[:-1]:
                continue
            if _leftover(rel.rsplit("/", 1)[-1], rel, committed):
                try:
                    out.fs.rm_file(path)
                except FileNotFoundError:
                    pass
                removed.append(rel)
        return removed

    # a remote OUT's published copy

    def publish(self, every: float = 0.0) -> None:
        """Copy the database, consistent as of now, to a remote OUT's `_ingest/`; not
        if the last copy is less than `every` seconds old. Nothing for a local OUT."""
        if not isinstance(self.out, Remote) or (
                every and time.monotonic() - self._published < every):
            return
        fs, final = self.out.fs, self.out.join(f"{STATE_DIR}/state.sqlite")
        with tempfile.TemporaryDirectory(prefix="ingest-state-") as tmp:
            local = os.path.join(tmp, "state.sqlite")
            copy = sqlite3.connect(local)
            try:
                self.db.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")   # one file, readable as is
            finally:
                copy.close()
            fs.makedirs(self.out.join(STATE_DIR), exist_ok=True)
            fs.put_file(local, final + ".tmp")
            fs.mv(final + ".tmp", final)
        self._published = time.monotonic()


def _leftover(name: str, rel: str, committed: set[str]) -> bool:
    stray_tmp = name.startswith(".part-") and name.endswith(".tmp")
    orphan = name.startswith("part-") and name.endswith(".parquet") and rel not in committed
    return stray_tmp or orphan


def fetch(out: Remote, folder: Path) -> bool:
    """Replace the database in `folder` by the copy published in a remote OUT; with
    none published (a new dataset, or one deleted), leave `folder` without one.
    Whether there was one."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".part"):
        (folder / f"state.sqlite{suffix}").unlink(missing_ok=True)
    published = out.join(f"{STATE_DIR}/state.sqlite")
    try:
        out.fs.get_file(published, str(folder / "state.sqlite.part"))
    except FileNotFoundError:
        return False
    os.replace(folder / "state.sqlite.part", folder / "state.sqlite")
    return True


@contextmanager
def snapshot(out: Path | Remote) -> Iterator[State]:
    """The state of `out` for reading: its database, or for a remote OUT a copy of the
    one published there. FileNotFoundError when `out` holds no dataset."""
    with ExitStack() as stack:
        folder = None
        if isinstance(out, Remote):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ingest-")))
            found = fetch(out, folder)
        else:
            found = (out / STATE_DIR / "state.sqlite").exists()
        if not found:
            raise FileNotFoundError(f"{out}: no ingest dataset here (no {STATE_DIR}/"
                                    "state.sqlite)")
        state = State(out, folder)
        stack.callback(state.close)
        yield state


@contextmanager
def locked(out: Path | Remote, wait: float = 0.0, folder: Path | None = None) -> Iterator[None]:
    """Hold the exclusive lock on `out` (in `out/_ingest`, or in `folder` for a remote
    OUT), waiting up to `wait` seconds; raise Locked."""
    if folder is None:
        assert isinstance(out, Path), "a remote OUT is locked in a local folder"
        folder = out / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    raise Locked(f"{out} is being written by another run ({holder or 'unknown'})"
                                 "; try again later, or pass --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since "
                      f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
