"""Where SRC and OUT live: a local folder, or a folder on an fsspec file system.

A plain path, or a `file://` URL, is a local folder and takes the code path it always
took: os calls, fsync, rename, flock. Any other URL (`s3://bucket/corpus`,
`gs://…`, `memory://…` in tests) becomes a `Remote`: an fsspec file system and a root
inside it. fsspec is imported only then, and the package for the scheme (s3fs,
gcsfs, adlfs…) is needed only for that scheme.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*(::[A-Za-z][A-Za-z0-9+.-]*)*://")

# File systems that exist inside one process only: tasks on them run in the driver.
PROCESS_LOCAL = frozenset({"memory"})

# Keys under which fsspec implementations report a modification time (local, sftp,
# gcsfs: mtime; s3fs: LastModified; adlfs: last_modified; gcsfs also: updated).
_MODIFIED = ("mtime", "LastModified", "last_modified", "updated", "modified")


class LocationError(ValueError):
    """SRC or OUT is a URL that cannot be used; a usage error (exit code 2)."""

    exit_code = 2      # report.USAGE; imported by the lightest modules, so no import


@dataclass(frozen=True)
class Remote:
    """A folder on an fsspec file system. Picklable: tasks carry it to workers."""

    url: str        # as the user wrote it, for messages and the state database
    fs: Any         # fsspec.AbstractFileSystem
    root: str       # the folder's path inside `fs`, without a trailing "/"

    def __str__(self) -> str:
        return self.url

    def join(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    @property
    def shared(self) -> bool:
        """Whether other processes (and machines with the credentials) see it."""
        protocols = {self.fs.protocol} if isinstance(self.fs.protocol, str) else set(
            self.fs.protocol)
        return not protocols & PROCESS_LOCAL


def locate(where: str | os.PathLike[str]) -> Path | Remote:
    """A local Path for a path or a `file://` URL; a Remote for any other URL."""
    if not isinstance(where, str) or not _URL.match(where):
        return Path(where)
    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    try:
        fs, root = url_to_fs(where)
    except ValueError as exc:    # fsspec: "Protocol not known: …"
        raise LocationError(f"{where}: not a URL ingest can open ({exc}); use a local path "
                            "or an fsspec URL such as s3://bucket/folder") from None
    except ImportError as exc:   # fsspec: "Install s3fs to access S3"
        raise LocationError(f"{where}: {exc}") from None
    if isinstance(fs, LocalFileSystem):
        return Path(root)
    return Remote(where, fs, root.rstrip("/"))


def shared(where: Path | Remote) -> bool:
    """Whether worker processes can reach `where`: a local path (on this machine, or on a
    file system every node mounts) or a URL of a file system outside this process."""
    return isinstance(where, Path) or where.shared


def state_folder(out: Remote, given: str | os.PathLike[str] | None) -> Path:
    """Where the state database of a remote OUT is worked on, and locked: `given`, or a
    folder per OUT under the user's cache directory."""
    if given is not None:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(out.fs.unstrip_protocol(out.root).encode()).hexdigest()[:16]
    return cache / "ingest" / "state" / key


def modified_ns(info: dict[str, Any]) -> int | None:
    """The modification time in an fsspec `info` entry, in nanoseconds; None when the
    file system gives none (memory, http): then the content hash decides each run."""
    for key in _MODIFIED:
        value = info.get(key)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
        if isinstance(value, datetime):
            return round(value.timestamp() * 1_000_000) * 1000
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return round(value * 1_000_000) * 1000
    return None
