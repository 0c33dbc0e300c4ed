"""Tables derived from installed data, kept on disk between processes.

Building the word tables of a script from wordfreq's lists takes a second or more
(`words._tables`); every process that repairs lost letters needs them: each worker
of a run, each `ingest fix` of one small file. Built once, they are kept in the
user's cache folder (`$INGEST_CACHE_DIR`, else `$XDG_CACHE_HOME/ingest`, else
`~/.cache/ingest`) and read back in a few hundredths of a second. Setting
INGEST_CACHE_DIR to an empty string turns this off.

A file is named by a hash of everything its content depends on (the caller's key,
this interpreter's marshal format), written to a temporary name and renamed, and
carries a SHA-256 of its payload, checked before it is read: a stale, torn or
damaged file is built again, never trusted. The cache is an optimization only:
where it cannot be read or written, the table is built in memory as before.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
_MAGIC = b"ingest-table-1\n"


def folder() -> Path | None:
    """Where tables are kept, or None when the cache is turned off."""
    chosen = os.environ.get("INGEST_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ingest"


def load_or_build(name: str, key: Any, build: Callable[[], T]) -> T:
    """The table `name` for `key` (a repr-stable value: strings, numbers, tuples)
    from the cache folder, else `build()`, stored for the next process. The value
    must be something marshal can write (dicts, tuples, strings, numbers)."""
    where = folder()
    if where is None:
        return build()
    digest = hashlib.sha256(repr((key, marshal.version, sys.version_info[:2])).encode())
    path = where / f"{name}-{digest.hexdigest()[:20]}.bin"
    found = _read(path)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = build()
    _write(path, value)
    return value


def _read(path: Path) -> Any | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 32
    if data[:len(_MAGIC)] != _MAGIC or len(data) < head:
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC):head]:
        log.warning("ignoring damaged cached table %s", path)
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def _write(path: Path, value: Any) -> None:
    try:
        payload = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError) as exc:
        log.debug("could not keep table %s: %s", path, exc)
