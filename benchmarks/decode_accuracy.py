"""How often `ingest.decode_bytes` gives back the exact text of legacy-encoded bytes,
next to charset-normalizer's own `from_bytes(data).best()` on the same bytes.

Cases come from real text nobody on the project wrote, read at run time:

- the samples in ../shared/eval-sources/ (decoded in the true encoding that its
  SOURCES.md lists), and the UTF-8 halves of CPython's Lib/test/cjkencodings pairs;
- each text written in every legacy code page that can encode it: whole, and cut to
  snippets of 1 to 3 consecutive lines holding a non-ASCII character;
- the legacy halves of the cjkencodings pairs, as CPython ships them.

The code pages are those charset-normalizer knows (`IANA_SUPPORTED`) that read ASCII
as ASCII, less the Unicode forms (UTF-*, and GB18030, which encodes all of Unicode, so
that Arabic "in GB18030" would be four-byte noise nobody writes; its Chinese bytes are
GBK's). Bytes that are valid UTF-8 (pure ASCII snippets, 7-bit ISO-2022/HZ) are left
out: decode_bytes reads them as UTF-8 by design, so they say nothing of code pages.

    python benchmarks/decode_accuracy.py [--snippets 12] [--seed 0] [--markdown]

Prints, per true encoding, the number of cases and the % exact for each tool (whole
texts and snippets together, then snippets alone), and the totals. These cases are
evaluation data: they are never used as test fixtures (tests/cases/ has those).
"""

from __future__ import annotations

import argparse
import codecs
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from charset_normalizer.constant import IANA_SUPPORTED

import ingest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "eval-sources"


@dataclass(frozen=True)
class Case:
    source: str     # where the text comes from
    encoding: str   # its true encoding (Python's canonical codec name)
    kind: str       # "whole", "snippet" or "shipped" (a cjkencodings legacy file as is)
    text: str
    data: bytes


def _ascii_compatible(codec: str) -> bool:
    ascii_bytes = bytes(range(128))
    try:
        return ascii_bytes.decode(codec) == ascii_bytes.decode("ascii")
    except UnicodeDecodeError:
        return False


def code_pages() -> list[str]:
    names = {codecs.lookup(name).name for name in IANA_SUPPORTED}
    return sorted(name for name in names
                  if not name.startswith("utf") and name not in ("gb18030", "ascii")
                  and _ascii_compatible(name))


def real_texts() -> list[tuple[str, str]]:
    """(source, text) for every eval-sources sample and cjkencodings pair."""
    texts = []
    table = (SAMPLES / "SOURCES.md").read_text(encoding="utf-8")
    for name, codec, bom in re.findall(r"^\| (sample-\S+) \| (\w+)( \(with BOM\))? \|",
                                       table, re.MULTILINE):
        raw = (SAMPLES / name).read_bytes()
        texts.append((name, raw.decode("utf-8-sig" if bom else codec)))
    for codec, legacy, utf8 in cjk_pairs():
        texts.append((f"cjkencodings/{codec}", utf8.read_text(encoding="utf-8")))
    return texts


def cjk_pairs() -> list[tuple[str, Path, Path]]:
    try:
        import test  # CPython's own test package
    except ImportError:
        return []
    folder = Path(test.__file__).parent / "cjkencodings"
    return [(p.stem, p, folder / f"{p.stem}-utf8.txt")
            for p in sorted(folder.glob("*.txt")) if not p.stem.endswith("-utf8")]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def snippets(text: str, count: int, rng: random.Random) -> list[str]:
    """Up to `count` distinct runs of 1-3 consecutive lines with a non-ASCII letter."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if not line.isascii()]
    rng.shuffle(starts)
    out: list[str] = []
    for start in starts:
        piece = "".join(lines[start:start + rng.randint(1, 3)])
        if piece.strip() and piece not in out:
            out.append(piece)
        if len(out) == count:
            break
    return out


def build_cases(per_text: int, seed: int) -> tuple[list[Case], int]:
    rng = random.Random(seed)
    pages = code_pages()
    cases, skipped = [], 0
    for source, text in real_texts():
        units = [("whole", text)] + [("snippet", s) for s in snippets(text, per_text, rng)]
        for page in pages:
            for kind, unit in units:
                try:
                    data = unit.encode(page)
                except UnicodeEncodeError:
                    continue
                if _is_utf8(data):
                    skipped += 1
                    continue
                cases.append(Case(source, page, kind, unit, data))
    for codec, legacy, utf8 in cjk_pairs():
        data = legacy.read_bytes()
        if not _is_utf8(data):
            cases.append(Case(f"cjkencodings/{codec}", codecs.lookup(codec).name, "shipped",
                              utf8.read_text(encoding="utf-8"), data))
    return cases, skipped


def ingest_text(data: bytes) -> str | None:
    try:
        return ingest.decode_bytes(data).text
    except ingest.BinaryInputError:
        return None


def normalizer_text(data: bytes) -> str | None:
    best = from_bytes(data).best()
    return None if best is None else str(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snippets", type=int, default=12, help="snippets per text (default 12)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--failures", type=int, default=0,
                        help="show K of ingest's wrong cases per encoding")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        sys.exit(f"{SAMPLES} is absent: the shared/ folder must sit beside the repository")

    cases, skipped = build_cases(args.snippets, args.seed)
    # encoding -> [n, ingest exact, normalizer exact, snippets n, ingest, normalizer]
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    failures: dict[str, list[tuple[Case, str | None]]] = defaultdict(list)
    spent = {"ingest": 0.0, "charset-normalizer": 0.0}
    for case in cases:
        t0 = time.perf_counter()
        ours = ingest_text(case.data)
        t1 = time.perf_counter()
        theirs = normalizer_text(case.data)
        t2 = time.perf_counter()
        spent["ingest"] += t1 - t0
        spent["charset-normalizer"] += t2 - t1
        row = rows[case.encoding]
        hits = (ours == case.text, theirs == case.text)
        row[0] += 1
        row[1] += hits[0]
        row[2] += hits[1]
        if case.kind == "snippet":
            row[3] += 1
            row[4] += hits[0]
            row[5] += hits[1]
        if not hits[0]:
            failures[case.encoding].append((case, ours))

    total = [sum(r[i] for r in rows.values()) for i in range(6)]
    _print_table(rows, total, args.markdown)
    print(f"\n{len(cases)} cases from {len(real_texts())} texts; {skipped} re-encodings left "
          f"out as valid UTF-8; seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in spent.items()))
    if args.failures:
        for encoding in sorted(failures):
            for case, got in failures[encoding][: args.failures]:
                print(f"\n{encoding} {case.source} {case.kind}: expected {case.text[:80]!r}\n"
                      f"  got {None if got is None else got[:80]!r}")


def _pct(hit: int, n: int) -> str:
    return f"{100 * hit / n:.1f}" if n else "-"


def _print_table(rows: dict[str, list[int]], total: list[int], markdown: bool) -> None:
    head = ["true encoding", "n", "ingest %", "c-n %", "snippets n", "ingest %", "c-n %"]
    body = [[enc, str(r[0]), _pct(r[1], r[0]), _pct(r[2], r[0]), str(r[3]),
             _pct(r[4], r[3]), _pct(r[5], r[3])] for enc, r in sorted(rows.items())]
    body.append(["all", str(total[0]), _pct(total[1], total[0]), _pct(total[2], total[0]),
                 str(total[3]), _pct(total[4], total[3]), _pct(total[5], total[3])])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in body:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    for line in [head, *body]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))))


if __name__ == "__main__":
    main()
