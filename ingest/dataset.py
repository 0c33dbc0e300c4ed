"""Reading an output dataset back, and compacting its part files.

`pandas.read_parquet(OUT)` reads every part on disk: all versions of every file, and
for a moment after a killed run, parts that were never committed. `ingest.read(OUT)`
reads through the state database: committed parts only, and by default the current
view (the latest version of each source file; deleted files left out). For a
remote OUT (an fsspec URL) it reads the state published in `OUT/_ingest/`, so it
works on any machine that reaches OUT.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .records import SCHEMA
from .sink import Part, PartWriter
from .state import State, fetch, locked, snapshot
from .storage import Remote, locate, state_folder


def read(out: str | os.PathLike[str] = "data/clean", *, status: str | list[str] | None = None,
         source: str | list[str] | None = None, all_versions: bool = False,
         columns: list[str] | None = None) -> Any:
    """The dataset at `out` as a pandas DataFrame, sorted by source and record.

    `status` ("clean", "repaired", "quarantined") and `source` (relative paths) filter
    rows; `all_versions=True` keeps superseded and deleted versions of changed files.
    """
    table = read_table(locate(out), all_versions=all_versions)
    if status is not None:
        table = table.filter(pc.is_in(table["status"], pa.array(_listed(status))))
    if source is not None:
        table = table.filter(pc.is_in(table["source"], pa.array(_listed(source))))
    if columns is not None:
        table = table.select(columns)
    return table.to_pandas()


def read_table(out: Path | Remote, *, all_versions: bool = False) -> pa.Table:
    with snapshot(out) as state:
        paths = state.parts()
        current = None if all_versions else state.current()
    tables = [_read_part(out, p) for p in paths]
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    if current is not None:
        keys = pc.binary_join_element_wise(table["source"], table["run_id"], "\x00")
        wanted = pa.array([f"{s}\x00{r}" for s, r in current], pa.string())
        table = table.filter(pc.is_in(keys, wanted))
    order = [("source", "ascending"), ("record", "ascending"), ("ingested_at", "ascending")]
    return table.sort_by(order)


def _read_part(out: Path | Remote, part: str) -> pa.Table:
    if isinstance(out, Path):
        return pq.read_table(out / part, schema=SCHEMA)
    with out.fs.open(out.join(part), "rb") as f:
        return pq.read_table(f, schema=SCHEMA)


def compact(out: str | os.PathLike[str], *, part_bytes: int = 128 * 1024 * 1024,
            wait: float = 0.0, state_dir: str | os.PathLike[str] | None = None
            ) -> tuple[int, int]:
    """Merge the dataset's part files into parts of about `part_bytes`, atomically:
    new parts are written and renamed into place, then one transaction swaps them for
    the old ones, then the old files are removed. `ingest.read` returns the same rows
    before and after. Returns (parts before, parts after). A remote OUT is locked and
    its state worked on in `state_dir`, as by `ingest.run`."""
    out_path = locate(out)
    kept = state_folder(out_path, state_dir) if isinstance(out_path, Remote) else None
    with locked(out_path, wait, kept):
        if isinstance(out_path, Remote) and kept is not None:
            fetch(out_path, kept)
        state = State(out_path, kept)
        try:
            state.clean_up()
            old = state.parts()
            by_folder: dict[str, list[str]] = {}
            for p in old:
                by_folder.setdefault(p.rsplit("/", 1)[0], []).append(p)
            new: list[tuple[Part, set[tuple[str, str]]]] = []
            stem = f"part-compact-{secrets.token_hex(4)}"
            for folder, paths in sorted(by_folder.items()):
                if len(paths) < 2:
                    continue
                new += _merge(out_path, folder, paths, stem, part_bytes)
            merged = {p for folder, paths in by_folder.items() if len(paths) >= 2
                      for p in paths}
            if not new:
                return len(old), len(old)
            state.replace_parts(sorted(merged), new)
            state.publish()
            for p in merged:
                _remove(out_path, p)
            return len(old), len(old) - len(merged) + len(new)
        finally:
            state.close()


def _remove(out: Path | Remote, part: str) -> None:
    if isinstance(out, Path):
        (out / part).unlink(missing_ok=True)
        return
    try:
        out.fs.rm_file(out.join(part))
    except FileNotFoundError:
        pass


def _merge(out: Path | Remote, folder: str, paths: list[str], stem: str,
           part_bytes: int) -> list[tuple[Part, set[tuple[str, str]]]]:
    """Rewrite the parts of one partition folder; each new part is listed as holding
    every file version of the folder (a superset: reads go by part and view)."""
    writer = PartWriter(out, folder, stem, part_bytes)
    held: set[tuple[str, str]] = set()
    for p in sorted(paths):
        for row in _read_part(out, p).to_pylist():
            writer.add(row)
            held.add((row["source"], row["run_id"]))
    return [(part, held) for part in writer.close()]


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
