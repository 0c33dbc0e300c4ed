"""`ingest run` end to end: the CLI in a subprocess over a folder holding each input
kind and each failure kind, the output loaded with pandas and checked record by record."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEEDS

import ingest

SEED_BROKEN = (SEEDS / "002_1c36b51a41f00386.txt").read_text(encoding="utf-8")
SEED_CLEAN = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")
RUSSIAN = ("Москва — столица России, город федерального значения, административный центр "
           "Центрального федерального округа и центр Московской области, в состав которой "
           "не входит. Крупнейший по численности населения город России.\n") * 3


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ingest", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "clean.txt").write_text(SEED_CLEAN, encoding="utf-8")
    (src / "nested" / "deeper" / "broken.md").write_text(SEED_BROKEN, encoding="utf-8")
    (src / "cp1251.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (src / "utf16.log").write_bytes("naïve café\n".encode("utf-16"))
    (src / "latin.html").write_text("<p>" + mojibake("café déjà vu", "cp1252") + "</p>",
                                    encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "notes.xyz").write_text("plain text under an unknown extension\n", encoding="utf-8")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / ".hidden.txt").write_text("never read\n", encoding="utf-8")
    rows = ("id,title,text\n"
            f"1,{mojibake('Weekly “digest”', 'gbk')},they鈥檙e here\n"
            "2,ragged row,with,too,many,fields\n"
            '3,"unbalanced quote,starts here\n'
            "4,fine,clean row\n")
    (src / "table.csv").write_text(rows, encoding="utf-8")
    (src / "table.tsv").write_text("name\tbody\nx\tcafÃ© au lait\n", encoding="utf-8")
    lines = [json.dumps({"text": "they鈥檙e", "meta": {"tags": ["拢5bn", "ok"]}},
                        ensure_ascii=False),
             "{not json",
             json.dumps([1, 2, 3]),
             json.dumps("just a string"),
             json.dumps({"title": "short", "body": "the longest string field wins"})]
    (src / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (src / "lines.ndjson.gz").write_bytes(gzip.compress((lines[0] + "\n").encode()))
    (src / "text.txt.bz2").write_bytes(bz2.compress(SEED_BROKEN.encode()))
    (src / "text.txt.xz").write_bytes(lzma.compress(b"clean xz text\n"))
    (src / "corrupt.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage, not deflate data")
    (src / "truncated.jsonl.gz").write_bytes(
        gzip.compress("".join(f'{{"n": {i}, "text": "it鈥檚 {i}"}}\n' for i in range(5000))
                      .encode())[:-200])
    (src / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * (20 * 2**20)))
    outside = tmp_path / "outside.txt"
    outside.write_text("outside SRC: never read\n", encoding="utf-8")
    (src / "link_out.txt").symlink_to(outside)
    (src / "link_in.txt").symlink_to(src / "clean.txt")
    (src / "loop").symlink_to(src / "loop")
    return src


def test_run_every_kind(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report_file = tmp_path / "report.json"
    done = cli("run", str(corpus), "--out", str(out), "--workers", "2",
               "--report", str(report_file))
    assert done.returncode == 1, done.stderr          # finished, with quarantined inputs
    assert "quarantined" in done.stdout

    df = pd.read_parquet(out)
    assert df["text"].dtype == "string" or str(df["text"].dtype) in ("str", "string")
    assert str(df["ingested_at"].dtype).startswith("datetime64")
    assert df["record"].dtype == "int64"
    current = ingest.read(out)
    assert len(current) == len(df)
    by = {(r.source, r.record): r for r in current.itertuples()}

    assert set(current["source"]) == {
        "clean.txt", "nested/deeper/broken.md", "cp1251.txt", "utf16.log", "latin.html",
        "empty.txt", "notes.xyz", "image.txt", "table.csv", "table.tsv", "lines.jsonl",
        "lines.ndjson.gz", "text.txt.bz2", "text.txt.xz", "corrupt.txt.gz",
        "truncated.jsonl.gz", "bomb.txt.gz", "link_in.txt"}

    clean = by[("clean.txt", 0)]
    assert (clean.status, clean.text) == ("clean", SEED_CLEAN) and pd.isna(clean.original)
    assert by[("link_in.txt", 0)].text == SEED_CLEAN

    broken = by[("nested/deeper/broken.md", 0)]
    assert broken.status == "repaired" and broken.mojibake and broken.lossy
    assert "they’re" in broken.text and "£5bn" in broken.text and broken.original == SEED_BROKEN
    assert {tuple(r["chain"]) for r in broken.repairs} == {("utf-8", "gbk")}
    assert sum(r["kind"] == "lossy" for r in broken.repairs) == 5
    assert ingest.apply_steps(
        broken.original,
        [ingest.Step(r["kind"], tuple(r["chain"]), r["start"], r["end"], r["before"],
                     r["after"], r["confidence"], r["kind"] == "lossy") for r in broken.repairs],
    ) == broken.text
    assert by[("text.txt.bz2", 0)].text == broken.text

    assert by[("cp1251.txt", 0)].text == RUSSIAN
    assert by[("cp1251.txt", 0)].encoding == "cp1251"
    assert by[("cp1251.txt", 0)].status == "clean"
    utf16 = by[("utf16.log", 0)]
    assert (utf16.text, utf16.encoding) == ("naïve café\n", "utf-16-le")
    assert by[("latin.html", 0)].text == "<p>café déjà vu</p>"
    assert by[("empty.txt", 0)].text == "" and by[("empty.txt", 0)].status == "clean"
    assert by[("notes.xyz", 0)].status == "clean"
    assert by[("text.txt.xz", 0)].text == "clean xz text\n"

    image = by[("image.txt", 0)]
    assert image.status == "quarantined" and image.error.startswith("not text")
    assert pd.isna(image.text)

    # CSV: one record per row; broken rows quarantined alone, the rest kept.
    csv_rows = current[current.source == "table.csv"].sort_values("record")
    assert list(csv_rows.status) == ["repaired", "quarantined", "quarantined", "clean"]
    first = csv_rows.iloc[0]
    assert first.text == "they’re here"
    assert json.loads(first.meta) == {"id": "1", "title": "Weekly “digest”"}
    assert "6 fields where the header has 3" in csv_rows.iloc[1].error
    assert csv_rows.iloc[1].text == "2,ragged row,with,too,many,fields\n"
    assert "line 4" in csv_rows.iloc[2].error
    assert csv_rows.iloc[3].text == "clean row"
    assert json.loads(by[("table.tsv", 0)].meta) == {"name": "x"}
    assert by[("table.tsv", 0)].text == "café au lait"

    # JSON lines: nested strings repaired; bad lines quarantined with their number.
    js = current[current.source == "lines.jsonl"].sort_values("record")
    assert list(js.status) == ["repaired", "quarantined", "quarantined", "clean", "clean"]
    assert js.iloc[0].text == "they’re"
    assert json.loads(js.iloc[0].meta) == {"meta": {"tags": ["£5bn", "ok"]}}
    assert js.iloc[1].error.startswith("line 2: not valid JSON")
    assert js.iloc[1].text == "{not json\n"
    assert "a JSON array" in js.iloc[2].error
    assert js.iloc[3].text == "just a string"
    assert js.iloc[4].text == "the longest string field wins"
    assert by[("lines.ndjson.gz", 0)].text == "they’re"

    # Compressed streams: corrupt, truncated (what was read is kept), a bomb.
    assert by[("corrupt.txt.gz", 0)].status == "quarantined"
    assert ".gz stream broken" in by[("corrupt.txt.gz", 0)].error
    truncated = current[current.source == "truncated.jsonl.gz"]
    assert (truncated.status == "repaired").sum() >= 4000
    assert truncated.status.iloc[-1] == "quarantined"
    bomb = current[current.source == "bomb.txt.gz"]
    assert "expands beyond" in bomb.error.iloc[-1] and len(bomb) >= 2

    # Provenance columns.
    assert clean.raw_sha256 == __import__("hashlib").sha256(SEED_CLEAN.encode()).hexdigest()
    assert clean.size == len(SEED_CLEAN.encode())
    assert current["id"].is_unique and current["run_id"].nunique() == 1

    report = json.loads(report_file.read_text(encoding="utf-8"))
    skipped = {s["source"]: s["reason"] for s in report["skipped"]}
    assert "outside SRC" in skipped["link_out.txt"]
    assert "loop" in skipped
    assert report["exit_code"] == 1 and report["records"] == len(current)
    assert report["by_chain"]["utf-8 → gbk"] >= 20
    assert "not valid JSON" in report["by_reason"]


def test_dry_run_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = ingest.run(corpus, out, dry_run=True, workers=1, quiet=True)
    assert not out.exists()
    assert report.files == 18 and report.repaired > 0 and report.exit_code == 1


def test_seeds_run(tmp_path: Path) -> None:
    out = tmp_path / "clean"
    done = cli("run", "seeds", "--out", str(out))
    assert done.returncode == 0, done.stderr
    df = ingest.read(out)
    assert list(df.source) == ["000_dc3c457c942cfdd8.txt", "002_1c36b51a41f00386.txt"]
    assert list(df.status) == ["clean", "repaired"]
    assert df.text[0] == SEED_CLEAN and pd.isna(df.original[0])
    assert df.lossy[1] and sum(r["kind"] == "lossy" for r in df.repairs[1]) == 5
    # The summary says how much was read in a unit that shows it (6.8 KB, not 0.0 MB).
    size = sum(p.stat().st_size for p in (ROOT / "seeds").iterdir()) / 1000
    assert f"read {size:.1f} KB in " in " ".join(done.stdout.split())


def test_options(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest.run(corpus, out, include=["*.txt"], exclude=["nested/*"], hidden=True,
               workers=1, quiet=True)
    sources = set(ingest.read(out).source)
    assert ".hidden.txt" in sources and "table.csv" not in sources
    assert all(s.endswith(".txt") for s in sources)
    out2 = tmp_path / "out2"
    ingest.run(corpus, out2, include=["*.jsonl"], text_field="title", quiet=True)
    rows = ingest.read(out2)
    assert rows.text.iloc[-1] == "short"
    with pytest.raises(ingest.UsageError):
        ingest.run(tmp_path / "missing", out, quiet=True)
    assert cli("run", str(tmp_path / "missing")).returncode == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text("fine\n")
    locked = src / "locked.txt"
    locked.write_text("secret\n")
    locked.chmod(0)
    report = ingest.run(src, tmp_path / "out", quiet=True)
    assert report.exit_code == 1
    assert report.unreadable[0][0] == "locked.txt"
    assert "Permission denied" in report.unreadable[0][1]
