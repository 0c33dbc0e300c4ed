"""Which files under SRC a run reads.

Recursive, in sorted order (the output's order never depends on the file system or
on scheduling). Hidden names (starting with a dot) are skipped unless asked for.
Symbolic links are never followed out of SRC: a link to a file inside SRC is read
as that file; a link to a directory is not descended into (no loops); a link that
points outside SRC, or nowhere, is reported as skipped with the reason. The output
folder is never read, even when it sits inside SRC.

File names that are not valid UTF-8 are shown with their bad bytes escaped
(`caf\\xe9.txt`), so every `source` in the dataset is valid text.

On an fsspec file system (`discover_remote`) the same rules apply to its listing;
object stores have no links or devices, and the modification time is whatever the
store reports, or none.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .storage import Remote, modified_ns


@dataclass(frozen=True)
class Found:
    source: str     # path relative to SRC, "/"-separated, shown as text
    path: str       # the path to open
    size: int
    mtime_ns: int | None   # None: the file system gives none; the content hash decides


@dataclass
class Discovery:
    files: list[Found] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (source, reason)
    seen: set[str] = field(default_factory=set)   # every file name present, filtered or not


def shown(relative: str) -> str:
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def discover(src: Path, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
             hidden: bool = False, skip: tuple[Path, ...] = ()) -> Discovery:
    root = os.path.realpath(src)
    skip_real = {os.path.realpath(p) for p in skip}
    found = Discovery()

    def walk_error(exc: OSError) -> None:
        where = os.path.relpath(exc.filename, root) if exc.filename else "."
        found.skipped.append((shown(where), f"cannot list folder: {exc.strerror or exc}"))

    for folder, dirs, names in os.walk(root, onerror=walk_error):
        rel_folder = os.path.relpath(folder, root)
        kept = []
        for d in sorted(dirs):
            full = os.path.join(folder, d)
            rel = _rel(rel_folder, d)
            if os.path.realpath(full) in skip_real:
                continue
            if os.path.islink(full):
                found.skipped.append((shown(rel), "symbolic link to a folder: not followed"))
            elif hidden or not d.startswith("."):
                kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            rel = _rel(rel_folder, name)
            found.seen.add(shown(rel))
            if name.startswith(".") and not hidden:
                continue
            if not _selected(rel, include, exclude):
                continue
            item = _check(root, os.path.join(folder, name), rel, found)
            if item is not None:
                found.files.append(item)
    found.files.sort(key=lambda f: f.source)
    return found


def discover_remote(src: Remote, *, include: tuple[str, ...] = (),
                    exclude: tuple[str, ...] = (), hidden: bool = False,
                    skip: tuple[str, ...] = ()) -> Discovery:
    """`discover` over an fsspec listing: one recursive listing (a few requests on an
    object store, not one per folder), then the same filters. `skip` holds folders'
    paths on the same file system (OUT inside SRC)."""
    found = Discovery()
    prefix = src.root + "/"
    try:
        listing = src.fs.find(src.root, detail=True)
    except OSError as exc:
        found.skipped.append((".", f"cannot list folder: {exc.strerror or exc}"))
        return found
    for name, info in listing.items():
        if not name.startswith(prefix) or any(name.startswith(s + "/") for s in skip):
            continue
        rel = name[len(prefix):]
        *folders, base = rel.split("/")
        if not hidden and any(folder.startswith(".") for folder in folders):
            continue
        found.seen.add(rel)
        if base.startswith(".") and not hidden:
            continue
        if not _selected(rel, include, exclude):
            continue
        if info.get("type", "file") != "file":
            found.skipped.append((rel, "not a regular file (device, pipe or socket)"))
            continue
        found.files.append(Found(rel, name, int(info.get("size") or 0), modified_ns(info)))
    found.files.sort(key=lambda f: f.source)
    return found


def _rel(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}".replace(os.sep, "/")


def _selected(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Globs match the relative path or the bare name: `*.csv`, `logs/*`, `2024/**/*.txt`."""
    def hit(pattern: str) -> bool:
        return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(
            rel.rsplit("/", 1)[-1], pattern)
    if include and not any(hit(p) for p in include):
        return False
    return not any(hit(p) for p in exclude)


def _check(root: str, full: str, rel: str, found: Discovery) -> Found | None:
    """The file to read, or None with the reason recorded."""
    try:
        info = os.lstat(full)
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(full)
            if os.path.commonpath([root, target]) != root:
                found.skipped.append((shown(rel), "symbolic link pointing outside SRC: not "
                                                  "followed"))
                return None
            info = os.stat(target)
            full = target
    except OSError as exc:
        found.skipped.append((shown(rel), f"cannot inspect: {exc.strerror or exc}"))
        return None
    if not stat.S_ISREG(info.st_mode):
        found.skipped.append((shown(rel), "not a regular file (device, pipe or socket)"))
        return None
    return Found(shown(rel), full, info.st_size, info.st_mtime_ns)
