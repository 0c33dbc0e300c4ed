"""Throughput of ingest.fix_text next to ftfy.fix_text and ftfy.fix_encoding.

Run: python benchmarks/speed.py [--repeat N] [--scale N]

Same inputs, same process, interleaved runs; ratios are what count (a ratio above
1 means ingest is faster). Inputs are real text: the clean seed (English news),
CPython's own test texts for Chinese (Lib/test/cjkencodings), the same English made
into Windows-1252 and GBK mojibake, and clean French, Russian and Polish from the
eval-sources beside the repository (those rows are left out where the folder is
absent). The last table checks that cost stays linear in input size on adversarial
input (long lines of the characters our detectors look for), as a ratio between
sizes, not as absolute times.

The inputs repeat one text many times, and the engine keeps its per-line decisions
for lines it meets again; the rows marked "numbered" give every line a number of its
own first ("17 …"), so that no line repeats: what a corpus without repeated lines
costs.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ingest


def cjk_text() -> str:
    import test

    folder = Path(os.path.dirname(test.__file__)) / "cjkencodings"
    return (folder / "gb18030-utf8.txt").read_text(encoding="utf-8")


#: Clean UTF-8 texts of the eval-sources (../shared/eval-sources, see its SOURCES.md),
#: for the rows of clean text in languages other than English and Chinese.
EVAL_SOURCES = ROOT.parent / "shared" / "eval-sources"
OTHER_CLEAN = {"French": "sample-french.txt", "Russian": "sample-russian-2.txt",
               "Polish": "sample-polish.txt"}


def inputs(scale: int) -> dict[str, Callable[[int], str]]:
    """Each input as the text to give to run k (the same text every run, but for
    the numbered inputs, which are numbered afresh for each run)."""
    english = (ROOT / "seeds" / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8") * scale
    chinese = cjk_text() * (scale * 4)
    rows: dict[str, Callable[[int], str]] = {
        "clean English": lambda k: english,
        "clean Chinese": lambda k: chinese,
        "Windows-1252 mojibake": lambda k: cp1252(english),
        "GBK mojibake": lambda k: gbk(english),
        "clean Chinese, numbered": lambda k: numbered(chinese, k),
        "Windows-1252, numbered": lambda k: cp1252(numbered(english, k)),
        "GBK mojibake, numbered": lambda k: gbk(numbered(english, k)),
    }
    for language, name in OTHER_CLEAN.items():
        path = EVAL_SOURCES / name
        if path.exists():   # (the eval-sources sit beside the repository, not in it)
            text = path.read_text(encoding="utf-8") * (scale * 20)
            rows[f"clean {language}, numbered"] = lambda k, t=text: numbered(t, k)
    return rows


def cp1252(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def gbk(text: str) -> str:
    return text.encode("utf-8").decode("gbk", errors="replace")


def numbered(text: str, run: int) -> str:
    """Every line with a number of its own in front ("3.17 "): no line repeats, within
    this text or from any other run's."""
    return "".join(f"{run}.{i} {line}" for i, line in enumerate(text.splitlines(keepends=True)))


def best_time(fn, text: Callable[[int], str], repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for k in range(repeat):
        given = text(k)
        start = time.perf_counter()
        fn(given)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=20)
    args = parser.parse_args()
    tools = {
        "ingest.fix_text": ingest.fix_text,
        "ftfy.fix_text": ftfy.fix_text,
        "ftfy.fix_encoding": ftfy.fix_encoding,
    }
    print(f"{'input':24} {'KB':>6} " + " ".join(f"{name:>18}" for name in tools)
          + f" {'vs fix_text':>12} {'vs fix_encoding':>16}")
    for name, text in inputs(args.scale).items():
        ingest.fix_text(text(-1))  # warm the caches a long run would have warm
        secs = {tool: best_time(fn, text, args.repeat) for tool, fn in tools.items()}
        kb = len(text(0).encode("utf-8")) / 1024
        cells = " ".join(f"{kb / 1024 / secs[t]:>13.2f} MB/s" for t in tools)
        print(f"{name:24} {kb:>6.0f} {cells} "
              f"{secs['ftfy.fix_text'] / secs['ingest.fix_text']:>11.1f}x "
              f"{secs['ftfy.fix_encoding'] / secs['ingest.fix_text']:>15.1f}x")

    print("\nlinear time on adversarial input (time ratio between sizes; 2.0 is linear)")
    for label, unit in (("Ã", "Ã"), ("鈥", "鈥"), ("鈥�", "鈥\ufffd"), ("ÃƒÂ", "ÃƒÂ")):
        sizes = [1, 2, 4]
        times = [best_time(ingest.fix_text, lambda k, n=n, u=unit: u * (250_000 * n // len(u)), 1)
                 for n in sizes]
        ratios = [b / a for a, b in itertools.pairwise(times)]
        print(f"  {label!r:10} " + "  ".join(f"{t:.3f}s" for t in times)
              + "   ratios " + " ".join(f"{r:.2f}" for r in ratios)
              + f"   median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
