"""Scheduled runs: incremental reruns, overlapping runs, and SIGKILL at any moment."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SEEDS

import ingest

BROKEN = (SEEDS / "002_1c36b51a41f00386.txt").read_text(encoding="utf-8")
CLEAN = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")
VOLATILE = ("run_id", "ingested_at")


def records(out: Path, **kw: object) -> list[dict]:
    """The dataset as plain rows, without what differs from run to run."""
    df = ingest.read(out, **kw).drop(columns=list(VOLATILE))
    rows = df.to_dict("records")
    for row in rows:
        row["repairs"] = [{**r, "chain": list(r["chain"])} for r in row["repairs"]]
        for key, value in row.items():
            if value != value:  # NaN from a null
                row[key] = None
    return rows


def make_corpus(src: Path, files: int) -> None:
    for i in range(files):
        folder = src / f"batch{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        text = (BROKEN if i % 3 == 0 else CLEAN) + f"\nfile {i}\n"
        if i % 7 == 0:
            (folder / f"doc{i:03d}.csv").write_text(f"n,text\n{i},{BROKEN[:300]!r}\n{i},x\n")
        else:
            (folder / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")


def cli(*args: str, **kw: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ingest", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, **kw)


def test_add_change_delete(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text("they鈥檙e here\n", encoding="utf-8")
    (src / "b.txt").write_text("version one\n", encoding="utf-8")
    (src / "c.txt").write_text("to be deleted\n", encoding="utf-8")
    first = ingest.run(src, out, quiet=True, workers=1)
    assert (first.processed, first.records, first.repaired) == (3, 3, 1)

    again = ingest.run(src, out, quiet=True, workers=1)
    assert (again.processed, again.unchanged, again.records) == (0, 3, 0)

    (src / "b.txt").write_text("version two, longer\n", encoding="utf-8")
    os.utime(src / "a.txt", ns=(0, 10**18))            # new mtime, same content
    (src / "c.txt").unlink()
    (src / "d.txt").write_text("new file\n", encoding="utf-8")
    third = ingest.run(src, out, quiet=True, workers=1)
    assert (third.processed, third.unchanged, third.deleted) == (2, 1, 1)   # a: same hash

    now = ingest.read(out)
    assert dict(zip(now.source, now.text)) == {
        "a.txt": "they’re here\n", "b.txt": "version two, longer\n", "d.txt": "new file\n"}
    history = ingest.read(out, all_versions=True)
    assert sorted(history.source) == ["a.txt", "b.txt", "b.txt", "c.txt", "d.txt"]
    assert list(history[history.source == "b.txt"].text) == [
        "version one\n", "version two, longer\n"]

    (src / "c.txt").write_text("back again\n", encoding="utf-8")
    ingest.run(src, out, quiet=True, workers=1)
    assert ingest.read(out, source="c.txt").text.tolist() == ["back again\n"]
    assert ingest.read(out, status="repaired").source.tolist() == ["a.txt"]

    parts_before = len(list(out.rglob("part-*.parquet")))
    view = records(out)
    assert ingest.compact(out) == (parts_before, 1)
    assert records(out) == view
    assert len(list(out.rglob("part-*.parquet"))) == 1


def test_retry_reads_quarantined_again(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "data.jsonl").write_text('{"text": "fine"}\n{broken\n', encoding="utf-8")
    assert ingest.run(src, out, quiet=True).exit_code == 1
    status = subprocess.run([sys.executable, "-m", "ingest", "status", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert "data.jsonl: line 2: not valid JSON" in status.stdout
    assert "partial 1" in status.stdout              # one line of two was quarantined
    (src / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    ingest.run(src, out, quiet=True)
    summary = subprocess.run([sys.executable, "-m", "ingest", "status", str(out), "--json"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(summary.stdout)["files_by_status"] == {"partial": 1, "quarantined": 1}
    done = subprocess.run([sys.executable, "-m", "ingest", "retry", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "read 2," in done.stdout      # both read again, still broken
    assert len(ingest.read(out, all_versions=True)) == 6


def test_overlapping_runs(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    for i in range(300):
        (src / f"f{i:03d}.txt").write_text(BROKEN + str(i), encoding="utf-8")
    runs = [cli("run", str(src), "--out", str(out), "--workers", "1") for _ in range(2)]
    codes = sorted(p.wait(timeout=300) for p in runs)
    assert codes == [0, 75]
    refused = next(p for p in runs if p.returncode == 75)
    assert "being written by another run" in refused.stderr.read().decode()
    df = ingest.read(out)
    assert len(df) == 300 and df.source.is_unique and (df.status == "repaired").all()

    waiting = [cli("run", str(src), "--out", str(out), "--wait", "300") for _ in range(2)]
    assert [p.wait(timeout=300) for p in waiting] == [0, 0]
    assert len(ingest.read(out, all_versions=True)) == 300


def test_compact_and_json_log_while_locked(tmp_path: Path) -> None:
    """A held lock refuses `compact` with the documented code (not a traceback), and a
    refused run with --log-format json writes only JSON lines."""
    from ingest.state import locked
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(BROKEN, encoding="utf-8")
    assert ingest.run(src, out, quiet=True).exit_code == 0
    with locked(out):
        compacting = cli("compact", str(out))
        assert compacting.wait(timeout=120) == 75
        assert "being written by another run" in compacting.stderr.read().decode()
        refused = cli("run", str(src), "--out", str(out), "--log-format", "json")
        assert refused.wait(timeout=120) == 75
        lines = (refused.stdout.read() + refused.stderr.read()).decode().splitlines()
    assert lines and all(json.loads(line)["event"] for line in lines)
    assert any(json.loads(line)["event"] == "run_refused" for line in lines)


def _snapshot(out: Path) -> tuple[int, int, int]:
    """(files committed, stray temporary parts, parts on disk) after a kill."""
    tmp = len(list(out.rglob(".part-*.tmp"))) if out.exists() else 0
    parts = len(list(out.rglob("part-*.parquet"))) if out.exists() else 0
    state = out / "_ingest" / "state.sqlite"
    if not state.exists():
        return 0, tmp, parts
    db = sqlite3.connect(state)
    try:
        committed = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    except sqlite3.OperationalError:   # being created
        committed = 0
    finally:
        db.close()
    return committed, tmp, parts


def _kill_when(victim: subprocess.Popen, out: Path, moment: str, value: float) -> None:
    """SIGKILL the run's process group at a moment of its work: `startup` after `value`
    seconds; `commit` once `value` files are committed (plus a few ms, to land anywhere
    between commits); `write` while a part file is being written."""
    deadline = time.monotonic() + 60
    if moment == "startup":
        time.sleep(value)
    while moment != "startup" and time.monotonic() < deadline and victim.poll() is None:
        if moment == "write" and list(out.rglob(".part-*.tmp")):
            break
        if moment == "commit" and _snapshot(out)[0] >= value:
            time.sleep(random.random() * 0.02)
            break
        time.sleep(0.002)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    """SIGKILL (the whole process group) at 20 moments spread over start-up, reading,
    writing parts and committing; after a rerun the dataset equals, record for record,
    an uninterrupted run's, and no temporary or uncommitted part is left."""
    src = tmp_path / "src"
    files = 40
    make_corpus(src, files)
    args = ["--task-size", "0.006", "-q"]
    reference = tmp_path / "reference"
    assert cli("run", str(src), "--out", str(reference), "--workers", "1", *args).wait(300) == 1
    expected = records(reference)
    assert len(expected) > files

    rng = random.Random(20261123)
    moments = [("startup", rng.random() * 0.8) for _ in range(3)]
    moments += [("write", 0)] * 3
    moments += [("commit", rng.randrange(1, files)) for _ in range(14)]
    seen = []
    for i, (moment, value) in enumerate(moments):
        out = tmp_path / f"out{i}"
        workers = "2" if i % 4 == 3 else "1"
        victim = cli("run", str(src), "--out", str(out), "--workers", workers, *args)
        _kill_when(victim, out, moment, value)
        seen.append((moment, *_snapshot(out)))
        rerun = ingest.run(src, out, workers=1, task_bytes=6000, quiet=True)
        assert rerun.exit_code in (0, 1), rerun.error
        assert records(out) == expected, f"kill {i} at {moment} {value}: {seen[-1]}"
        assert not list(out.rglob(".part-*.tmp"))
        on_disk = {p.relative_to(out).as_posix() for p in out.rglob("part-*.parquet")}
        with sqlite3.connect(out / "_ingest" / "state.sqlite") as db:
            committed = {r[0] for r in db.execute("SELECT path FROM parts")}
            running = db.execute("SELECT COUNT(*) FROM runs WHERE status = 'running'").fetchone()
        assert on_disk == committed
        assert running[0] == 0   # the killed run is marked killed by the next one
    # The kills landed before any commit, between commits, and mid-write.
    assert any(c == 0 for _, c, _, _ in seen), seen
    assert sum(0 < c < files for _, c, _, _ in seen) >= 10, seen
    assert any(t for _, c, t, _ in seen), seen
