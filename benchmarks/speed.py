"""Throughput of ingest.fix_text next to ftfy.fix_text and ftfy.fix_encoding.

Run: python benchmarks/speed.py [--repeat N] [--scale N]

Same inputs, same process, interleaved runs; ratios are what count (a ratio above
1 means ingest is faster). Inputs are real text: the clean seed (English news),
CPython's own test texts for Chinese (Lib/test/cjkencodings), and the same English
made into Windows-1252 and GBK mojibake. The last table checks that cost stays
linear in input size on adversarial input (long lines of the characters our
detectors look for), as a ratio between sizes, not as absolute times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ingest  # noqa: E402


def cjk_text() -> str:
    import test

    folder = Path(os.path.dirname(test.__file__)) / "cjkencodings"
    return (folder / "gb18030-utf8.txt").read_text(encoding="utf-8")


def inputs(scale: int) -> dict[str, str]:
    english = (ROOT / "seeds" / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8") * scale
    return {
        "clean English": english,
        "clean Chinese": cjk_text() * (scale * 4),
        "Windows-1252 mojibake": english.encode("utf-8").decode("cp1252", errors="replace"),
        "GBK mojibake": english.encode("utf-8").decode("gbk", errors="replace"),
    }


def best_time(fn, text: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
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
        ingest.fix_text(text)  # warm the caches a long run would have warm
        secs = {tool: best_time(fn, text, args.repeat) for tool, fn in tools.items()}
        kb = len(text.encode("utf-8")) / 1024
        cells = " ".join(f"{kb / 1024 / secs[t]:>13.2f} MB/s" for t in tools)
        print(f"{name:24} {kb:>6.0f} {cells} "
              f"{secs['ftfy.fix_text'] / secs['ingest.fix_text']:>11.1f}x "
              f"{secs['ftfy.fix_encoding'] / secs['ingest.fix_text']:>15.1f}x")

    print("\nlinear time on adversarial input (time ratio between sizes; 2.0 is linear)")
    for label, unit in (("Ã", "Ã"), ("鈥", "鈥"), ("鈥�", "鈥\ufffd"), ("ÃƒÂ", "ÃƒÂ")):
        sizes = [1, 2, 4]
        times = [best_time(ingest.fix_text, unit * (250_000 * n // len(unit)), 1) for n in sizes]
        ratios = [b / a for a, b in zip(times, times[1:])]
        print(f"  {label!r:10} " + "  ".join(f"{t:.3f}s" for t in times)
              + "   ratios " + " ".join(f"{r:.2f}" for r in ratios)
              + f"   median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
