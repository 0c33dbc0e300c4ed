"""The command line, run as a user runs it: a subprocess on real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS

SEED_BROKEN = SEEDS / "002_1c36b51a41f00386.txt"
SEED_CLEAN = SEEDS / "000_dc3c457c942cfdd8.txt"
CJK = re.compile(r"[\u3400-\u9fff]")


def ingest(*args: str, stdin: bytes | None = None, encoding: str | None = None
           ) -> subprocess.CompletedProcess[bytes]:
    env = None if encoding is None else {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "ingest", *args], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120, env=env)


def test_fix_seed_002() -> None:
    out = ingest("fix", str(SEED_BROKEN))
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("utf-8")
    assert not CJK.search(text)
    for expected in ("they’re", "government’s", "£5bn", "NATO – to", "Tuesday – a"):
        assert expected in text


def test_fix_seed_000_byte_identical() -> None:
    out = ingest("fix", str(SEED_CLEAN))
    assert out.returncode == 0
    assert out.stdout == SEED_CLEAN.read_bytes()


def test_explain_reports_lossy_spans() -> None:
    out = ingest("explain", str(SEED_BROKEN))
    assert out.returncode == 0
    report = out.stdout.decode("utf-8")
    assert report.count("lossy, bytes guessed") == 5
    assert "utf-8 → gbk" in report
    clean = ingest("explain", str(SEED_CLEAN)).stdout.decode("utf-8")
    assert "clean, nothing to repair" in clean


def test_explain_gives_line_and_column() -> None:
    # The second line's mojibake is its sixth character, the text's 20th (offset 19).
    out = ingest("explain", stdin="first line ok\nsave 拢5bn now\n".encode())
    report = out.stdout.decode("utf-8")
    assert "line 2, column 6 (chars 19-20): '拢' → '£'" in report, report


def test_version_is_the_installed_one() -> None:
    from importlib.metadata import version
    out = ingest("--version")
    assert out.returncode == 0
    assert out.stdout.decode().strip() == f"ingest {version('ingest')}"


def test_a_locale_without_the_characters_neither_crashes_nor_mangles(tmp_path: Path) -> None:
    # With a Latin-1 or ASCII stdout, fix died on the first Cyrillic letter and run
    # on the summary's arrow, after the dataset was written.
    russian = "Привет, мир! Это текст на русском языке.\n"
    (tmp_path / "ru.txt").write_bytes(russian.encode("cp1251"))
    fixed = ingest("fix", str(tmp_path / "ru.txt"), encoding="latin-1")
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout == russian.encode("utf-8")   # the repaired text is UTF-8
    explained = ingest("explain", str(SEED_BROKEN), encoding="ascii")
    assert explained.returncode == 0, explained.stderr
    assert b"'\\u9225\\u6a99' \\u2192 '\\u2019r'" in explained.stdout
    ran = ingest("run", str(SEEDS), "--out", str(tmp_path / "out"), encoding="ascii")
    assert ran.returncode == 0, ran.stderr
    assert b"utf-8 \\u2192 gbk" in ran.stdout


def test_stdin_to_stdout() -> None:
    out = ingest("fix", stdin="they鈥檙e".encode())
    assert out.stdout.decode("utf-8") == "they’re"


def test_output_never_overwrites_input(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes(SEED_BROKEN.read_bytes())
    out = ingest("fix", str(src), "-o", str(src))
    assert out.returncode == 2
    assert src.read_bytes() == SEED_BROKEN.read_bytes()
    dest = tmp_path / "b.txt"
    assert ingest("fix", str(src), "-o", str(dest)).returncode == 0
    assert "they’re" in dest.read_text(encoding="utf-8")


def test_in_place_rewrites_atomically(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes(SEED_BROKEN.read_bytes())
    src.chmod(0o640)
    assert ingest("fix", "--in-place", str(src)).returncode == 0
    assert "they’re" in src.read_text(encoding="utf-8")
    assert src.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary left behind


def test_unreadable_input_is_named_and_the_rest_goes_on(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    out = ingest("fix", str(missing), str(SEED_CLEAN))
    assert out.returncode == 1
    assert str(missing) in out.stderr.decode()
    assert out.stdout == SEED_CLEAN.read_bytes()


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert "ingest run seeds" in blocks[0]
    assert blocks[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
