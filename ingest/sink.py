"""Parquet part files, written so that a reader never sees half of one.

Rows are buffered in column lists and written as row groups to a hidden temporary
file (`.part-….parquet.tmp`: Parquet readers skip names starting with a dot). When
the part reaches its target size, or the task ends, the file is flushed to disk and
renamed to its final name, and the directory entry is flushed too. Only then does
the driver commit the part in the state database (see `ingest.state`): a part on
disk that the database does not know is the leftover of a killed run.

On an fsspec file system (a `Remote` OUT) the same steps go through it: the hidden
file is written, closed and moved to its final name. There is no fsync, and on an
object store a move is a copy and a delete, not atomic; what keeps readers safe
there is the commit: `ingest.read` lists committed parts only, and the next run
deletes whatever a killed one left.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from .records import COLUMNS, SCHEMA
from .storage import Remote

ROW_GROUP_ROWS = 8192
ROW_GROUP_CHARS = 64 * 1024 * 1024    # text held before a row group is written


@dataclass(frozen=True)
class Part:
    path: str       # relative to OUT, "/"-separated
    rows: int
    bytes: int


class PartWriter:
    """Writes rows into parts named `{stem}-{n:03d}.parquet` under `directory`."""

    def __init__(self, out: Path | Remote, directory: str, stem: str,
                 part_bytes: int) -> None:
        self.out = out
        self.directory = directory
        self.stem = stem
        self.part_bytes = part_bytes
        self.parts: list[Part] = []
        self._columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        self._chars = 0
        self._writer: pq.ParquetWriter | None = None
        self._tmp: Path | None = None
        self._rows = 0
        self._remote: _RemotePart | None = None

    def add(self, row: dict[str, Any]) -> None:
        for name, values in self._columns.items():
            values.append(row[name])
        self._chars += len(row["text"] or "") + len(row["original"] or "")
        if len(self._columns["id"]) >= ROW_GROUP_ROWS or self._chars >= ROW_GROUP_CHARS:
            self._flush_rows()

    def close(self) -> list[Part]:
        """Write what is buffered and put the last part in place; the parts written."""
        self._flush_rows()
        self._finish_part()
        return self.parts

    def abort(self) -> None:
        """Drop the part being written (the task failed)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._remote is not None:
            self._remote.drop()
            self._remote = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def _flush_rows(self) -> None:
        if not self._columns["id"]:
            return
        table = pa.Table.from_pydict(self._columns, schema=SCHEMA)
        if self._writer is None:
            if isinstance(self.out, Remote):
                self._remote = _RemotePart(self.out, f"{self.directory}/{self._name()}")
                self._writer = pq.ParquetWriter(self._remote.file, SCHEMA, compression="zstd")
            else:
                folder = self.out / self.directory
                folder.mkdir(parents=True, exist_ok=True)
                self._tmp = folder / f".{self._name()}.tmp"
                self._writer = pq.ParquetWriter(self._tmp, SCHEMA, compression="zstd")
            self._rows = 0
        self._writer.write_table(table)
        self._rows += table.num_rows
        self._columns = {name: [] for name in COLUMNS}
        self._chars = 0
        if self._written() >= self.part_bytes:
            self._finish_part()

    def _written(self) -> int:
        if self._remote is not None:
            return self._remote.file.tell()
        return self._tmp.stat().st_size if self._tmp is not None else 0

    def _finish_part(self) -> None:
        if self._writer is not None and self._remote is not None:
            self._writer.close()
            self._writer = None
            size = self._remote.finish()
            self.parts.append(Part(self._remote.path, self._rows, size))
            self._remote = None
            return
        if self._writer is None or self._tmp is None:
            return
        self._writer.close()
        self._writer = None
        final = self._tmp.with_name(self._name())
        durable_rename(self._tmp, final)
        self.parts.append(Part(f"{self.directory}/{final.name}", self._rows,
                               final.stat().st_size))
        self._tmp = None

    def _name(self) -> str:
        return f"{self.stem}-{len(self.parts):03d}.parquet"


class _RemotePart:
    """One part on an fsspec file system: written hidden, then moved into place."""

    def __init__(self, out: Remote, path: str) -> None:
        self.out = out
        self.path = path                     # relative to OUT
        folder, name = path.rsplit("/", 1)
        self.final = out.join(path)
        self.tmp = out.join(f"{folder}/.{name}.tmp")
        out.fs.makedirs(out.join(folder), exist_ok=True)
        self.file: BinaryIO = out.fs.open(self.tmp, "wb")

    def finish(self) -> int:
        """Close (the upload completes), move into place; the part's size."""
        size = self.file.tell()
        self.file.close()
        self.out.fs.mv(self.tmp, self.final)
        return size

    def drop(self) -> None:
        self.file.close()
        try:
            self.out.fs.rm_file(self.tmp)
        except FileNotFoundError:
            pass


def durable_rename(tmp: Path, final: Path) -> None:
    """Flush `tmp` to disk, rename it to `final`, flush the directory entry."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
