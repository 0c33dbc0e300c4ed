"""Score ingest.fix_text next to ftfy.fix_encoding on the cases generate.py wrote.

Run: python benchmarks/accuracy/evaluate.py [--limit N] [--chain PATTERN]
         [--show-failures K] [--markdown] [--json FILE] [--engine ingest|identity]

For every chain: n, characters lost to U+FFFD per 100 true characters, exact
matches (%) and character error rate (Levenshtein distance / length of the true
text, summed over the chain's cases) for both tools;
then the chain groups against the project's targets, and the Latin-family cases
ftfy gets right and ingest gets wrong (the spec wants none).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

HERE = Path(__file__).resolve().parent
CASES = HERE / "_cache" / "cases.jsonl"

#: family -> (title, metric, target). A target reads "at least" for exact and
#: "at most" for cer and changed; None where the group has no target of its own.
GROUPS: dict[str, tuple[str, str, float | None]] = {
    "strict-cjk": ("strict single-layer CJK", "exact", 99.0),
    "reverse": ("reverse: legacy read as Latin", "exact", 97.0),
    "lossy-european": ("lossy, European originals", "exact", 90.0),
    "lossy-cjk": ("lossy, CJK originals", "cer", 3.0),
    "multi": ("multi-layer", "exact", 90.0),
    "latin": ("Latin family (synthetic)", "exact", None),
    "ftfy-real": ("ftfy real-world", "exact", None),
    "ftfy-expected-fail": ("ftfy real-world, ftfy expects to fail", "exact", None),
    "span": ("one broken span in clean text", "exact", None),
    "unrecoverable": ("unrecoverable (left or back to U+FFFD)", "exact", None),
    "clean": ("clean text, must stay unchanged", "changed", 0.1),
}
#: Families where ingest must never lose to ftfy (its own ground).
LATIN_FAMILIES = ("latin", "ftfy-real")
CER_CELLS = 4_000_000   # beyond this, the distance is bounded instead of computed


def levenshtein(a: str, b: str) -> int:
    """Edit distance; the common prefix and suffix are cut first, so a mostly
    repaired string costs little, and very long pairs get the upper bound."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if not a or not b or len(a) * len(b) > CER_CELLS:
        return max(len(a), len(b))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass
class Score:
    n: int = 0
    exact: int = 0
    distance: int = 0
    chars: int = 0
    changed: int = 0
    reported: int = 0
    errors: int = 0
    timeouts: int = 0
    filled: int = 0   # right by accept_pattern: ftfy's U+FFFD filled with a letter
    seconds: float = 0.0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def metric(self, name: str) -> float:
        if name == "cer":
            return 100 * self.distance / max(1, self.chars)
        return 100 * getattr(self, name) / max(1, self.n)


@dataclass
class Outcome:
    case: dict
    outputs: dict[str, str] = field(default_factory=dict)
    right: dict[str, bool] = field(default_factory=dict)


def engines(name: str) -> dict[str, Callable[[str], str]]:
    if name == "identity":
        return {"identity": lambda text: text, "ftfy": ftfy.fix_encoding}
    import ingest

    return {"ingest": ingest.fix_text, "ftfy": ftfy.fix_encoding}


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Timeout


_worker: dict = {}   # each worker process's tools and time limit, set by _start


def _start(engine: str, timeout: float) -> None:
    _worker.update(tools=engines(engine), timeout=timeout)
    signal.signal(signal.SIGALRM, _alarm)


def attempt(fix: Callable[[str], object], text: str) -> tuple[object, str | None]:
    """fix(text), or the input back and "timeout", or an error text and "error"."""
    signal.setitimer(signal.ITIMER_REAL, _worker["timeout"])
    try:
        return fix(text), None
    except Timeout:
        return text, "timeout"
    except Exception as exc:  # noqa: BLE001 -- a crash is a wrong answer, and is counted
        return f"<{type(exc).__name__}: {exc}>", "error"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def judge(case: dict) -> tuple[dict, dict[str, tuple[Score, str]]]:
    """One case through every tool: its score and output per tool."""
    accept = case.get("accept") or [case["original"]]
    results = {}
    for tool, fix in _worker["tools"].items():
        started = time.perf_counter()
        out, problem = attempt(fix, case["input"])
        score = Score(n=1, chars=len(case["original"]), seconds=time.perf_counter() - started,
                      errors=int(problem == "error"), timeouts=int(problem == "timeout"))
        filled = bool(case.get("accept_pattern")) and out not in accept and problem is None \
            and re.fullmatch(case["accept_pattern"], str(out)) is not None
        right = (out in accept or filled) and problem is None
        score.exact, score.filled = int(right), int(filled)
        score.distance = 0 if right else levenshtein(str(out), case["original"])
        score.changed = int(out != case["input"])
        if case["family"] == "unrecoverable" and tool == "ingest":
            import ingest

            plan, _ = attempt(ingest.repair, case["input"])
            score.reported = int(any(step.kind == "unrecoverable"
                                     for step in getattr(plan, "steps", ())))
        results[tool] = (score, str(out))
    return case, results


def run(cases: list[dict], engine: str, timeout: float, jobs: int
        ) -> tuple[dict[str, dict[str, Score]], list[Outcome]]:
    """chain -> tool -> Score, and every case's outcome (in the cases' order)."""
    scores: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    outcomes = []
    with multiprocessing.Pool(jobs, _start, (engine, timeout)) as pool:
        for case, results in pool.imap(judge, cases, chunksize=4):
            outcome = Outcome(case)
            for tool, (score, out) in results.items():
                scores[case["chain"]][tool].add(score)
                outcome.outputs[tool], outcome.right[tool] = out, bool(score.exact)
            outcomes.append(outcome)
    return scores, outcomes


def shown(text: str, width: int = 240) -> str:
    """Control characters made visible, long text cut, so a failure reads on one line."""
    text = "".join(c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" if ord(c) < 256
                   else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= width else text[:width] + "…"


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
        return "\n".join("| " + " | ".join(row) + " |" for row in lines)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths)))

    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)])


def cells(scores: dict[str, Score], tools: list[str], clean: bool) -> list[str]:
    out = []
    for tool in tools:
        s = scores[tool]
        out += [f"{s.metric('changed'):.2f}"] if clean else [
            f"{s.metric('exact'):.1f}", f"{s.metric('cer'):.2f}"]
    return out


def report(scores: dict[str, dict[str, Score]], outcomes: list[Outcome], tools: list[str],
           args: argparse.Namespace) -> dict:
    family_of = {o.case["chain"]: o.case["family"] for o in outcomes}
    lost: dict[str, int] = defaultdict(int)   # U+FFFD the breaking added, per chain
    for o in outcomes:
        gone = o.case["input"].count("\ufffd") - o.case["original"].count("\ufffd")
        lost[o.case["chain"]] += max(0, gone)
    head = [f"{t} {m}" for t in tools for m in ("exact %", "CER %")]
    rows = [[chain, str(s[tools[0]].n), f"{100 * lost[chain] / max(1, s[tools[0]].chars):.1f}",
             *cells(s, tools, False)]
            for chain, s in scores.items() if family_of[chain] != "clean"]
    print(table(["chain", "n", "lost/100", *head], rows, args.markdown) + "\n")
    rows = [[chain, str(s[tools[0]].n), *cells(s, tools, True)]
            for chain, s in scores.items() if family_of[chain] == "clean"]
    if rows:
        print(table(["clean chain", "n", *[f"{t} changed %" for t in tools]], rows,
                    args.markdown) + "\n")

    groups: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for chain, by_tool in scores.items():
        for tool, score in by_tool.items():
            groups[family_of[chain]][tool].add(score)
    rows, summary = [], {}
    for family, (title, metric, target) in GROUPS.items():
        if family not in groups:
            continue
        values = {t: groups[family][t].metric(metric) for t in tools}
        met = ("" if target is None else "yes" if (values[tools[0]] >= target
               if metric == "exact" else values[tools[0]] <= target) else "NO")
        goal = "" if target is None else (">= " if metric == "exact" else "<= ") + f"{target}%"
        rows.append([title, str(groups[family][tools[0]].n), metric,
                     *[f"{values[t]:.2f}" for t in tools], goal, met])
        summary[family] = {"n": groups[family][tools[0]].n, "metric": metric, "target": target,
                           **{t: values[t] for t in tools}, "met": met}
    print(table(["group", "n", "metric", *tools, "target", "met"], rows, args.markdown) + "\n")

    total = {t: sum(s[t].seconds for s in scores.values()) for t in tools}
    print("time: " + ", ".join(f"{t} {total[t]:.1f} s" for t in tools))
    for problem in ("errors", "timeouts"):
        for t in tools:
            hit = {c: getattr(s[t], problem) for c, s in scores.items() if getattr(s[t], problem)}
            if hit:
                print(f"{t} {problem} ({args.timeout:g} s limit)" if problem == "timeouts"
                      else f"{t} {problem}", ", ".join(f"{c} {n}" for c, n in hit.items()))
    unrec = [s for c, s in scores.items() if family_of[c] == "unrecoverable"]
    if unrec and tools[0] == "ingest":
        n, told = sum(s["ingest"].n for s in unrec), sum(s["ingest"].reported for s in unrec)
        print(f"unrecoverable: ingest reported {told} of {n} as unrecoverable")

    filled = {t: sum(s[t].filled for s in scores.values()) for t in tools}
    if any(filled.values()):
        print("right by filling each U+FFFD of ftfy's expected output with one letter: "
              + ", ".join(f"{t} {n}" for t, n in filled.items()))

    mine = tools[0]
    lost = [o for o in outcomes if o.right["ftfy"] and not o.right[mine]]
    by_family: dict[str, int] = defaultdict(int)
    for o in lost:
        by_family[o.case["family"]] += 1
    print(f"\ncases ftfy gets right and {mine} gets wrong, per family: "
          + (", ".join(f"{f} {n}" for f, n in sorted(by_family.items())) or "none"))
    latin = [o for o in lost if o.case["family"] in LATIN_FAMILIES]
    print(f"Latin family (target 0): {len(latin)}")
    for o in latin[:max(5, args.show_failures)]:
        print(f"  [{o.case['chain']}] input:    {shown(o.case['input'])}\n"
              f"  {'':{len(o.case['chain']) + 2}} expected: {shown(o.case['original'])}\n"
              f"  {'':{len(o.case['chain']) + 2}} got:      {shown(o.outputs[mine])}")

    if args.show_failures:
        print(f"\nfirst {args.show_failures} failures of {mine} per chain:")
        shown_per_chain: dict[str, int] = defaultdict(int)
        for o in outcomes:
            chain = o.case["chain"]
            if o.right[mine] or shown_per_chain[chain] >= args.show_failures:
                continue
            shown_per_chain[chain] += 1
            print(f"[{chain} {o.case['lang']}] {o.case.get('label', o.case['source'])}\n"
                  f"    input:    {shown(o.case['input'])}\n"
                  f"    expected: {shown(o.case['original'])}\n"
                  f"    got:      {shown(o.outputs[mine])}")
    return {"chains": {c: {t: vars(s[t]) for t in tools} for c, s in scores.items()},
            "groups": summary, "ftfy_right_ingest_wrong": dict(by_family),
            "latin_regressions": [{"chain": o.case["chain"], "input": o.case["input"],
                                   "expected": o.case["original"], "got": o.outputs[mine]}
                                  for o in latin]}


def load(path: Path, pattern: str | None, limit: int | None) -> list[dict]:
    if not path.exists():
        sys.exit(f"{path} not found: run benchmarks/accuracy/generate.py first")
    cases, per_chain = [], defaultdict(int)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            case = json.loads(line)
            chain = case["chain"]
            if pattern and not fnmatch.fnmatch(chain, pattern) and pattern not in chain:
                continue
            if limit is None or per_chain[chain] < limit:
                per_chain[chain] += 1
                cases.append(case)
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--limit", type=int, help="cases at most per chain")
    parser.add_argument("--chain", help="chains whose name matches (glob or substring)")
    parser.add_argument("--show-failures", type=int, default=0, metavar="K",
                        help="print K failing cases per chain (input, expected, got)")
    parser.add_argument("--markdown", action="store_true", help="tables as Markdown")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the results here")
    parser.add_argument("--engine", choices=("ingest", "identity"), default="ingest",
                        help="identity: a stand-in that changes nothing (for a baseline)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                        help="per case and tool; past it the case counts as wrong, unchanged")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes")
    args = parser.parse_args()
    cases = load(args.cases, args.chain, args.limit)
    tools = list(engines(args.engine))
    scores, outcomes = run(cases, args.engine, args.timeout, args.jobs)
    results = report(scores, outcomes, tools, args)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
