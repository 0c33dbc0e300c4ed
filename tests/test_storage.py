"""SRC and OUT as fsspec URLs: `memory://` (tasks run in this process) and `file://`
give the same records as plain paths; reruns, changes, deletions and a killed run's
leftovers are handled as on a local OUT; the state lives in OUT for readers anywhere."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from test_scheduled import make_corpus, records

import ingest
from ingest import dataset, pipeline, work
from ingest.cli import main
from ingest.storage import Remote

fsspec = pytest.importorskip("fsspec")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch) -> None:
    """Default state folders (`ingest status` of a URL looks there) under tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture()
def memory() -> tuple[object, str]:
    """The memory file system and a folder of its own, removed afterwards."""
    fs = fsspec.filesystem("memory")
    root = f"/{uuid.uuid4().hex}"
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_urls_give_the_same_records_as_paths(tmp_path: Path, memory, monkeypatch) -> None:
    fs, root = memory
    src = tmp_path / "src"
    make_corpus(src, 24)
    fs.put(str(src), f"{root}/src", recursive=True)
    # in this process (memory://), files over 2 kB are hashed, then read from the start
    monkeypatch.setattr(work, "WHOLE", 2048)
    plain = ingest.run(src, tmp_path / "plain", workers=2, task_bytes=20_000, quiet=True)
    in_memory = ingest.run(f"memory://{root}/src", f"memory://{root}/out", workers=2,
                           task_bytes=20_000, state_dir=tmp_path / "state", quiet=True)
    as_file = ingest.run(f"file://{src}", f"file://{tmp_path}/file-out", workers=2,
                         task_bytes=20_000, quiet=True)
    assert plain.counts() == in_memory.counts() == as_file.counts()
    assert in_memory.exit_code == plain.exit_code == 1       # make_corpus quarantines some
    expected = records(tmp_path / "plain")
    assert records(f"memory://{root}/out") == expected
    assert records(f"file://{tmp_path}/file-out") == expected
    assert (tmp_path / "file-out" / "_ingest" / "state.sqlite").exists()   # an ordinary OUT

    # memory:// gives no mtime: every file is hashed again, and none is read again
    again = ingest.run(f"memory://{root}/src", f"memory://{root}/out",
                       state_dir=tmp_path / "state", quiet=True)
    assert (again.processed, again.unchanged, again.records) == (0, 24, 0)
    # the published state is the truth: a new state folder (another host) adds nothing
    elsewhere = ingest.run(f"memory://{root}/src", f"memory://{root}/out",
                           state_dir=tmp_path / "other", quiet=True)
    assert (elsewhere.processed, elsewhere.unchanged) == (0, 24)
    assert records(f"memory://{root}/out") == expected


def test_changes_deletions_and_leftovers(tmp_path: Path, memory, capsys) -> None:
    fs, root = memory
    src, out = f"memory://{root}/src", f"memory://{root}/out"
    fs.pipe({f"{root}/src/a.txt": "they鈥檙e here\n".encode(),
             f"{root}/src/b.txt": b"version one\n",
             f"{root}/src/c.txt": b"to be deleted\n",
             f"{root}/src/.hidden/d.txt": b"never read\n"})
    first = ingest.run(src, out, state_dir=tmp_path / "state", quiet=True)
    assert (first.processed, first.records, first.repaired) == (3, 3, 1)

    fs.pipe(f"{root}/src/b.txt", b"version two\n")          # same size: the hash sees it
    fs.rm(f"{root}/src/c.txt")
    fs.pipe(f"{root}/src/e.txt", b"new file\n")
    folder = fs.ls(out)[-1]["name"]                          # ingested_date=…
    fs.pipe(f"{folder}/part-killed-00000-000.parquet", b"left by a killed run")
    fs.pipe(f"{folder}/.part-killed-00001-000.parquet.tmp", b"half written")
    assert len(ingest.read(out)) == 3                        # leftovers are never read
    second = ingest.run(src, out, state_dir=tmp_path / "state", quiet=True)
    assert (second.processed, second.unchanged, second.deleted) == (2, 1, 1)
    assert not [p for p in fs.find(out) if "killed" in p]

    now, view = ingest.read(out), records(out)
    assert dict(zip(now.source, now.text)) == {
        "a.txt": "they’re here\n", "b.txt": "version two\n", "e.txt": "new file\n"}
    assert sorted(ingest.read(out, all_versions=True).source) == [
        "a.txt", "b.txt", "b.txt", "c.txt", "e.txt"]

    assert ingest.compact(out, state_dir=tmp_path / "state")[1] == 1
    assert records(out) == view
    assert main(["status", out]) == 0
    assert "files by status (current versions): clean 2, repaired 1" in capsys.readouterr().out


@pytest.fixture()
def remote_local(monkeypatch) -> None:
    """"remote:/path" is the local file system taken as a remote one: shared by worker
    processes, so tasks leave the driver and go through fsspec there."""
    local = fsspec.filesystem("file")

    def locate(where: object) -> Path | Remote:
        where = str(where)
        if where.startswith("remote:"):
            return Remote(where, local, where.removeprefix("remote:"))
        return Path(where)
    monkeypatch.setattr(pipeline, "locate", locate)
    monkeypatch.setattr(dataset, "locate", locate)


def test_remote_in_worker_processes(tmp_path: Path, remote_local: None) -> None:
    src = tmp_path / "src"
    make_corpus(src, 16)
    plain = ingest.run(src, tmp_path / "plain", workers=2, task_bytes=10_000, quiet=True)
    remote = ingest.run(f"remote:{src}", f"remote:{tmp_path}/out", workers=2,
                        task_bytes=10_000, state_dir=tmp_path / "state", quiet=True)
    assert remote.counts() == plain.counts()
    assert records(f"remote:{tmp_path}/out") == records(tmp_path / "plain")
    out = tmp_path / "out"
    assert len(list(out.rglob("part-*.parquet"))) > 1               # from several tasks
    assert not list(out.rglob("*.tmp")) and not (out / "_ingest" / "lock").exists()
    assert (tmp_path / "state" / "lock").exists()
    again = ingest.run(f"remote:{src}", f"remote:{out}", workers=2,
                       state_dir=tmp_path / "state", quiet=True)
    assert (again.processed, again.unchanged) == (0, 16)           # mtimes as listed


@pytest.mark.parametrize("args, message", [
    (["run", "nosuchscheme://bucket/src"], "not a URL ingest can open"),
    (["run", "memory://nowhere/src"], "not a folder"),
    (["run", "SRC", "--out", "memory://x/out", "--engine", "ray"], "out of reach of Ray"),
    (["run", "SRC", "--out", "OUT", "--state-dir", "STATE"], "for a remote OUT"),
    (["status", "nosuchscheme://bucket/out"], "not a URL ingest can open"),
    (["status", "memory://nowhere/out"], "no ingest dataset here"),
])
def test_bad_locations_are_usage_errors(tmp_path: Path, capsys, args: list[str],
                                        message: str) -> None:
    (tmp_path / "SRC").mkdir()
    args = [str(tmp_path / a) if a in ("SRC", "OUT", "STATE") else a for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err

