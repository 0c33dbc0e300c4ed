"""Tables kept on disk between processes (`ingest.cache`): read back when intact,
built again when stale, torn or damaged, and never needed for a correct answer."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import cache


def _counting_build(calls: list[int]):  # type: ignore[no-untyped-def]
    def build() -> dict[str, object]:
        calls.append(1)
        return {"word": 2.5, "table": ("a", "b"), "n": len(calls)}
    return build


def test_built_once_then_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_CACHE_DIR", str(tmp_path))
    calls: list[int] = []
    first = cache.load_or_build("t", ("key", 1), _counting_build(calls))
    again = cache.load_or_build("t", ("key", 1), _counting_build(calls))
    assert first == again == {"word": 2.5, "table": ("a", "b"), "n": 1}
    assert len(calls) == 1
    # Another key is another table.
    other = cache.load_or_build("t", ("key", 2), _counting_build(calls))
    assert other["n"] == 2 and len(list(tmp_path.iterdir())) == 2


def test_damaged_or_torn_file_is_built_again(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_CACHE_DIR", str(tmp_path))
    calls: list[int] = []
    cache.load_or_build("t", "k", _counting_build(calls))
    (path,) = tmp_path.iterdir()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF   # a flipped bit in the payload
    path.write_bytes(bytes(data))
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 2
    path.write_bytes(path.read_bytes()[:40])   # cut short
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 3
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 3   # kept again


def test_turned_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[int] = []
    cache.load_or_build("t", "k", _counting_build(calls))
    cache.load_or_build("t", "k", _counting_build(calls))
    assert len(calls) == 2 and not list(tmp_path.iterdir())


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a folder the user cannot write (root can write any)")
def test_unwritable_folder_still_answers(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("INGEST_CACHE_DIR", str(locked / "sub"))
    calls: list[int] = []
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 1


def test_unwritable_path_still_answers(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A file where the folder should be: nothing can be kept, the table is built.
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("INGEST_CACHE_DIR", str(blocker))
    calls: list[int] = []
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 1
    assert cache.load_or_build("t", "k", _counting_build(calls))["n"] == 2


def test_word_tables_are_kept_for_the_next_process(tmp_path: Path) -> None:
    """End to end: the first process repairing lost letters builds the word tables
    and keeps them; the next reads them and repairs the same way."""
    sentence = "Государственный университет открыл новую библиотеку."
    broken = sentence.encode().decode("shift_jis", "replace")
    env = dict(os.environ, INGEST_CACHE_DIR=str(tmp_path))

    def fix() -> str:
        return subprocess.run([sys.executable, "-m", "ingest", "fix"], input=broken, env=env,
                              capture_output=True, check=True, encoding="utf-8").stdout

    assert fix() == sentence
    kept = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert sorted(name.rsplit("-", 1)[0] for name in kept) == ["known-words", "words-cyrillic"]
    assert fix() == sentence
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == kept   # read, not rebuilt
