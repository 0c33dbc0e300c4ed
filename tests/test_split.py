"""Large files read in ranges (--split-size): JSON lines and text files cut into
several ranges give exactly the records of a whole read, with either engine; a rerun
adds nothing; a run killed between a split file's ranges is made whole by the next."""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from test_scheduled import BROKEN, CLEAN, _snapshot, cli, records

import ingest
from ingest import pipeline, work
from ingest.readers import ReadOptions
from ingest.readers.ranges import SEPARABLE, _Lines

SPLIT = 6000          # bytes: the test files are cut into 5 to 15 ranges
CHUNK = 1500          # characters per text record (the default, 8 M, is too large here)


def _jsonl(rng: random.Random, lines: int) -> str:
    """JSON lines with mojibake in texts and nested fields, blank lines of all kinds
    (Unicode spaces too), lines that are not JSON, and a byte-order mark."""
    out = []
    for i in range(lines):
        r = rng.random()
        if r < 0.1:
            out.append(rng.choice(["", "   ", "\r", "\u3000", "\t\u00a0 "]))
        elif r < 0.13:
            out.append(f"{{not json {i}")
        else:
            at = rng.randrange(len(BROKEN) - 200)
            source = BROKEN if r < 0.5 else CLEAN
            value = {"n": i, "text": source[at:at + rng.randrange(10, 150)],
                     "meta": {"title": BROKEN[at:at + 20]}}
            out.append(json.dumps(value, ensure_ascii=rng.random() < 0.3))
    return "\ufeff" + "\n".join(out) + "\n"


def _text(rng: random.Random, paragraphs: int) -> str:
    """Paragraphs of a few lines, clean or with mojibake, some long unbroken lines."""
    out = []
    for _ in range(paragraphs):
        at = rng.randrange(len(CLEAN) - 800)
        source = BROKEN if rng.random() < 0.3 else CLEAN
        body = source[at:at + rng.randrange(50, 800)]
        out.append(body if rng.random() < 0.8 else body.replace("\n", " "))
    return "\n\n".join(out)


def make_large(src: Path, seed: int = 1) -> list[str]:
    """The files that are split, by name; and a small one and a CSV that are not."""
    rng = random.Random(seed)
    src.mkdir(parents=True, exist_ok=True)
    (src / "big.jsonl").write_text(_jsonl(rng, 450), encoding="utf-8")
    (src / "legacy.ndjson").write_text(_jsonl(rng, 250)[1:].replace("\u3000", " "),
                                       encoding="cp1252", errors="replace")
    (src / "blank.jsonl").write_text(" \n\n\r\n" * 3000, encoding="utf-8")
    (src / "long.txt").write_text(_text(rng, 120), encoding="utf-8")
    (src / "bom.md").write_text("\ufeff" + _text(rng, 40), encoding="utf-8")
    (src / "small.txt").write_text(BROKEN[:500], encoding="utf-8")
    (src / "rows.csv").write_text("n,text\n" + "".join(
        f"{i},{BROKEN[i:i + 80]!r}\n" for i in range(0, 9000, 60)), encoding="utf-8")
    return ["big.jsonl", "legacy.ndjson", "blank.jsonl", "long.txt", "bom.md"]


@pytest.fixture
def small_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text records of CHUNK characters, so that a test text file holds many."""
    monkeypatch.setattr(pipeline, "ReadOptions", functools.partial(ReadOptions,
                                                                   chunk_chars=CHUNK))


def _parts_per_file(out: Path) -> dict[str, int]:
    with sqlite3.connect(out / "_ingest" / "state.sqlite") as db:
        return dict(db.execute("SELECT source, COUNT(*) FROM file_parts GROUP BY source"))


@pytest.mark.usefixtures("small_records")
def test_ranges_give_the_records_of_a_whole_read(tmp_path: Path) -> None:
    src = tmp_path / "src"
    split = make_large(src)
    whole = ingest.run(src, tmp_path / "whole", workers=1, split_bytes=0, quiet=True)
    cut = ingest.run(src, tmp_path / "cut", workers=2, split_bytes=SPLIT, quiet=True)
    assert whole.counts() == cut.counts() and cut.error is None
    assert cut.by_reason == whole.by_reason and cut.by_chain == whole.by_chain
    expected = records(tmp_path / "whole")
    assert records(tmp_path / "cut") == expected
    assert sum(r["source"] == "long.txt" for r in expected) > 10    # many text records
    parts = _parts_per_file(tmp_path / "cut")
    # Each split file's records are in the parts of its ranges (blank.jsonl: one
    # record, from its last range); the others are in their task's one part.
    assert all(parts[name] >= 3 for name in split if name != "blank.jsonl"), parts
    assert parts["small.txt"] == parts["rows.csv"] == 1

    again = ingest.run(src, tmp_path / "cut", workers=2, split_bytes=SPLIT, quiet=True)
    assert (again.processed, again.records, again.unchanged) == (0, 0, 7)
    os.utime(src / "big.jsonl", ns=(0, 10**18))       # same content: the driver's hash
    touched = ingest.run(src, tmp_path / "cut", workers=1, split_bytes=SPLIT, quiet=True)
    assert (touched.processed, touched.unchanged) == (0, 7)
    assert records(tmp_path / "cut") == expected


@pytest.mark.usefixtures("small_records")
def test_ranges_on_ray(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    src = tmp_path / "src"
    make_large(src, seed=2)
    whole = ingest.run(src, tmp_path / "whole", workers=1, split_bytes=0, quiet=True)
    ray = ingest.run(src, tmp_path / "ray", engine="ray", workers=2, split_bytes=SPLIT,
                     quiet=True)
    assert ray.counts() == whole.counts() and ray.error is None
    assert records(tmp_path / "ray") == records(tmp_path / "whole")
    again = ingest.run(src, tmp_path / "ray", workers=2, split_bytes=SPLIT, quiet=True)
    assert (again.processed, again.records) == (0, 0)


def test_killed_between_ranges(tmp_path: Path) -> None:
    """SIGKILL once some ranges of a split file are written, none committed: the next
    run removes their parts and reads the file again, to the uninterrupted result."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.jsonl").write_text(_jsonl(random.Random(3), 900), encoding="utf-8")
    reference = tmp_path / "reference"
    ingest.run(src, reference, workers=1, split_bytes=0, quiet=True)
    expected = records(reference)
    out = tmp_path / "out"
    victim = cli("run", str(src), "--out", str(out), "--workers", "1",
                 "--split-size", str(SPLIT / 2**20), "-q")
    deadline = time.monotonic() + 120
    while victim.poll() is None and time.monotonic() < deadline:
        if _snapshot(out)[2] >= 2:
            break
        time.sleep(0.002)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    committed, _, on_disk = _snapshot(out)
    assert committed == 0 and on_disk >= 2, (committed, on_disk)   # between ranges
    rerun = ingest.run(src, out, workers=2, split_bytes=SPLIT, quiet=True)
    assert rerun.processed == 1 and rerun.error is None
    assert records(out) == expected
    assert not list(out.rglob(".part-*.tmp"))
    kept = {p.relative_to(out).as_posix() for p in out.rglob("part-*.parquet")}
    with sqlite3.connect(out / "_ingest" / "state.sqlite") as db:
        assert kept == {r[0] for r in db.execute("SELECT path FROM parts")}


def test_changed_after_planning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that changes between the driver's plan and a range's read is not
    committed: it is reported, its ranges' parts are removed, the next run reads it."""
    src = tmp_path / "src"
    src.mkdir()
    target = src / "big.jsonl"
    target.write_text(_jsonl(random.Random(4), 150), encoding="utf-8")
    planned = work.split

    def split_then_change(*args: object, **kw: object) -> object:
        cut = planned(*args, **kw)
        with target.open("a", encoding="utf-8") as f:
            f.write('{"text": "added"}\n')
        return cut

    monkeypatch.setattr(pipeline, "split", split_then_change)
    out = tmp_path / "out"
    first = ingest.run(src, out, workers=1, split_bytes=SPLIT, quiet=True)
    assert first.exit_code == 1 and first.processed == 0
    assert [s for s, _ in first.unreadable] == ["big.jsonl"]
    assert first.unreadable[0][1].startswith("changed while being read")
    assert not list(out.rglob("*.parquet"))
    monkeypatch.undo()
    again = ingest.run(src, out, workers=1, split_bytes=SPLIT, quiet=True)
    assert again.processed == 1 and again.exit_code == 1    # its lines that are not JSON
    ingest.run(src, tmp_path / "whole", workers=1, split_bytes=0, quiet=True)
    assert records(out) == records(tmp_path / "whole")


@pytest.mark.parametrize("encoding", sorted(SEPARABLE))
def test_separable_encodings(encoding: str) -> None:
    """What cutting relies on, on random bytes: a line decodes alone as it does in the
    whole (so 0x0A is always a line break), and `_Lines` counts the blank lines that
    `jsonl.read` skips (Big5's U+3000 is A1 40: an "@" may be part of a space)."""
    rng = random.Random(encoding)
    spaces = [c for c in (" ", "\t", "\r", "\u3000", "\u00a0", "\x85", "\u2028")
              if _encodes(c, encoding)]
    for _ in range(100):
        data = bytes(rng.choice(b"\n\n a{\x81\xa1@" + bytes([rng.randrange(256)]))
                     for _ in range(rng.randrange(1, 40)))
        whole = data.decode(encoding, "replace")
        assert whole == "\n".join(p.decode(encoding, "replace") for p in data.split(b"\n"))
        text_lines = [rng.choice([" ", "", "x", *spaces]) * rng.randrange(3)
                      for _ in range(rng.randrange(1, 30))]
        raw = "".join(t + "\n" for t in text_lines).encode(encoding)
        counted = _Lines(encoding)
        for at in range(0, len(raw), 7):
            counted.feed(raw[at:at + 7])
        assert counted.lines == len(text_lines)
        assert counted.blank == sum(not t.strip() for t in text_lines)


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.usefixtures("small_records")
def test_a_bug_quarantines_its_record_or_range_and_the_file_lands(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error (a bug: injected here, since no real input raises one on
    purpose) in one record's repair quarantines that record, and the file goes on; in
    a range's reader it ends the range with a quarantined record naming its bytes.
    Either way the file is committed and a rerun does not read it again (a failing
    range once made every run read its file again, for ever)."""
    src = tmp_path / "src"
    make_large(src)
    lines = (src / "big.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(200, json.dumps({"n": -1, "text": "record bug here"}) + "\n")
    (src / "big.jsonl").write_text("".join(lines), encoding="utf-8")
    text = (src / "long.txt").read_text(encoding="utf-8")
    middle = len(text) // 2
    (src / "long.txt").write_text(text[:middle] + " reader bug here " + text[middle:],
                                  encoding="utf-8")
    reference = ingest.run(src, tmp_path / "whole", workers=1, split_bytes=0, quiet=True)
    expected = {(r["source"], r["record"]): r for r in records(tmp_path / "whole")}

    real_repair, real_read = work.repair, work.read_file

    def repair(text: str) -> ingest.Repair:
        if text == "record bug here":
            raise RuntimeError("a bug in one record")
        return real_repair(text)

    def read_file(source, options):  # type: ignore[no-untyped-def]
        for raw in real_read(source, options):
            if raw.text and "reader bug here" in raw.text:
                raise RuntimeError("a bug in the reader")
            yield raw

    monkeypatch.setattr(work, "repair", repair)
    monkeypatch.setattr(work, "read_file", read_file)
    out = tmp_path / "cut"
    cut = ingest.run(src, out, workers=1, split_bytes=SPLIT, quiet=True)
    assert cut.error is None and cut.exit_code == 1 and not cut.unreadable
    got = {(r["source"], r["record"]): r for r in records(out)}

    # big.jsonl: every record, the one with the bug quarantined with its text.
    big = sorted(k for k in expected if k[0] == "big.jsonl")
    assert sorted(k for k in got if k[0] == "big.jsonl") == big
    bugged = [k for k in big if got[k] != expected[k]]
    assert len(bugged) == 1 and expected[bugged[0]]["text"] == "record bug here"
    row = got[bugged[0]]
    assert row["status"] == "quarantined" and row["text"] == "record bug here"
    assert row["error"] == "internal error, please report: RuntimeError: a bug in one record"

    # long.txt: its range stops at the bug, with a record saying which bytes; the
    # records before it and every other range are as a whole read gives them.
    long = {k: r for k, r in got.items() if k[0] == "long.txt"}
    failed = [r for r in long.values() if r["status"] == "quarantined"]
    assert len(failed) == 1
    assert failed[0]["error"].startswith("bytes ")
    assert "internal error, please report: RuntimeError: a bug in the reader" in failed[0]["error"]
    assert "reader bug here" in expected[("long.txt", failed[0]["record"])]["text"]
    assert all(r == expected[k] for k, r in long.items() if r is not failed[0])

    for name in ("small.txt", "rows.csv", "legacy.ndjson", "blank.jsonl", "bom.md"):
        assert {k: r for k, r in got.items() if k[0] == name} == \
            {k: r for k, r in expected.items() if k[0] == name}
    again = ingest.run(src, out, workers=1, split_bytes=SPLIT, quiet=True)
    assert (again.processed, again.unchanged, again.records) == (0, reference.files, 0)
