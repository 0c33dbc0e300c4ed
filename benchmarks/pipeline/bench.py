"""Wall time and peak memory of `ingest run` next to the floor and the usual glue.

Run: python benchmarks/pipeline/bench.py [--size 20MB,200MB] [--workers N] [--glue-sample F]

On one corpus (corpus.py, cached under _cache/), with the same number of worker
processes, one after the other:

- floor: read the bytes, decode UTF-8 with errors="replace", write Parquet (zstd,
  one row per file). Nothing else: what any tool must at least spend.
- glue: what a data team writes by hand: strict UTF-8, else
  charset_normalizer.from_bytes(...).best(); ftfy.fix_text; Parquet as above.
- ingest: `ingest.run(src, out, workers=N, quiet=True)` (or, with --cli, the
  `ingest run` command), into an empty OUT each time.

Floor and glue decompress .gz/.bz2/.xz as ingest does, and, like the floor, keep a
CSV or JSON-lines file as one row (ingest parses them into one record per row).
Each method runs in a child process of its own; its time is measured inside it (from
the list of files to the last part written: interpreter start-up excluded); its
CPU time and peak memory are summed over the child and all its descendants, sampled every
50 ms from outside.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import lzma
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = HERE / "_cache"
sys.path[:0] = [str(HERE), str(ROOT)]   # corpus.py beside this file; ingest from this tree

import corpus  # benchmarks/pipeline/corpus.py, beside this file

#: The issue's targets.
MAX_INGEST_OVER_FLOOR = 1.5
MIN_GLUE_OVER_INGEST = 20.0

#: Files per task and bytes per task, as ingest batches them (ingest/pipeline.py).
TASK_FILES, TASK_BYTES = 2000, 32 * 1024 * 1024

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


# --- the corpus ----------------------------------------------------------------------

def corpus_dir(size: int, seed: int) -> Path:
    """The cached corpus for this size and seed, generated when missing or stale
    (its composition.json is written last, so a half-written corpus is redone)."""
    folder = CACHE / f"corpus-{size // 1_000_000}MB-seed{seed}"
    done = folder / "composition.json"
    if done.exists() and json.loads(done.read_text()).get("version") == corpus.VERSION:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {size / 1e6:.0f} MB corpus in {folder} ...", flush=True)
    corpus.generate(folder, size, seed)
    return folder


def files_under(src: Path) -> list[tuple[str, int]]:
    """(path, size) of every file under src, sorted, hidden names skipped, as ingest
    discovers them."""
    found = []
    for folder, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                path = os.path.join(folder, name)
                found.append((path, os.path.getsize(path)))
    found.sort()
    return found


def sample(files: list[tuple[str, int]], fraction: float) -> list[tuple[str, int]]:
    """Every k-th file in sorted order: deterministic, and spread over every folder,
    so over every kind of file in about its share."""
    if fraction >= 1:
        return files
    step = max(1, round(1 / fraction))
    return files[::step]


def warm(files: list[tuple[str, int]]) -> None:
    """Read every file once, so that no method pays for the disk and the first one
    timed is not the only one that does."""
    for path, _ in files:
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass


# --- floor and glue: per-file work in worker processes -------------------------------

def read_bytes(path: str) -> bytes:
    """The file's bytes, decompressed when its name says so."""
    for suffix, opener in OPENERS.items():
        if path.endswith(suffix):
            with opener(path, "rb") as f:
                return f.read()
    with open(path, "rb") as f:
        return f.read()


def floor_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def glue_text(data: bytes) -> str:
    """The usual hand-written cleaning: trust UTF-8 when it decodes, else ask
    charset-normalizer; then ftfy over the whole text."""
    import charset_normalizer
    import ftfy

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        text = str(best) if best is not None else data.decode("utf-8", errors="replace")
    return ftfy.fix_text(text)


CLEANERS: dict[str, Callable[[bytes], str]] = {"floor": floor_text, "glue": glue_text}


def run_batch(method: str, paths: list[str], src: str, part: str) -> tuple[int, int]:
    """One task: every file to one row (source, text), one zstd Parquet part."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = CLEANERS[method]
    sources, texts = [], []
    size = 0
    for path in paths:
        data = read_bytes(path)
        size += len(data)
        sources.append(os.path.relpath(path, src))
        texts.append(clean(data))
    table = pa.table({"source": pa.array(sources, pa.string()),
                      "text": pa.array(texts, pa.large_string())})
    pq.write_table(table, part, compression="zstd")
    return len(paths), size


def batches(files: list[tuple[str, int]], workers: int) -> Iterator[list[str]]:
    """Files in sorted order in tasks sized as ingest sizes them: four at least per
    worker, at most TASK_BYTES or TASK_FILES each."""
    total = sum(size for _, size in files)
    limit = max(1 << 20, min(TASK_BYTES, total // (4 * workers) + 1))
    batch: list[str] = []
    used = 0
    for path, size in files:
        batch.append(path)
        used += size
        if used >= limit or len(batch) >= TASK_FILES:
            yield batch
            batch, used = [], 0
    if batch:
        yield batch


def run_pool(method: str, files: list[tuple[str, int]], src: Path, out: Path,
             workers: int) -> dict:
    """The floor or the glue over `files` with `workers` processes, started as ingest
    starts its own (forkserver) and with as many tasks in flight (two per worker)."""
    out.mkdir(parents=True, exist_ok=True)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    rows = size = 0
    pending = iter(enumerate(batches(files, workers)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running: set[Future[tuple[int, int]]] = set()
        while True:
            while len(running) < 2 * workers:
                item = next(pending, None)
                if item is None:
                    break
                index, paths = item
                part = str(out / f"part-{index:05d}.parquet")
                running.add(pool.submit(run_batch, method, paths, str(src), part))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                n, b = future.result()
                rows += n
                size += b
    return {"rows": rows, "bytes_read": size}


def run_ingest(src: Path, out: Path, workers: int, cli: bool) -> dict:
    """ingest over the whole corpus into an empty OUT, by the API or by the command."""
    if cli:
        command = [sys.executable, "-m", "ingest", "run", str(src), "--out", str(out),
                   "--workers", str(workers), "--quiet"]
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run(command, check=False, env=env)
        return {"exit_code": done.returncode}
    import ingest

    report = ingest.run(src, out, workers=workers, quiet=True)
    return {"exit_code": report.exit_code, "rows": report.records, "bytes_read": report.bytes,
            "repaired": report.repaired, "lossy": report.lossy,
            "quarantined": report.quarantined, "error": report.error}


def child(method: str, src: Path, out: Path, workers: int, fraction: float, cli: bool) -> None:
    """Runs in the child process: one method, timed from here, result as JSON."""
    started = time.perf_counter()
    files = sample(files_under(src), fraction if method == "glue" else 1.0)
    if method == "ingest":
        result = run_ingest(src, out, workers, cli)
    else:
        result = run_pool(method, files, src, out, workers)
    result.update(seconds=time.perf_counter() - started, files=len(files),
                  bytes=sum(size for _, size in files), maxrss=_maxrss())
    print(json.dumps(result), flush=True)


# --- memory of a process tree --------------------------------------------------------

def _maxrss() -> int:
    """This process's peak plus its largest waited-for descendant's, in bytes: the
    fallback where the tree cannot be sampled. Workers that a forkserver started are
    not this process's children, so it can miss them: a lower bound."""
    unit = 1 if sys.platform == "darwin" else 1024
    return unit * (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                   + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


Sample = tuple[int, dict[int, float]]   # resident bytes of the tree; CPU seconds by pid


def _tree_psutil(pid: int) -> Sample:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, {}
    rss, cpu = 0, {}
    for p in procs:
        try:
            rss += p.memory_info().rss
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return rss, cpu


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _tree_proc(pid: int) -> list[int]:
    """The process and its descendants, from Linux's /proc, when psutil is not
    installed."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    tree, stack = [], [pid]
    while stack:
        one = stack.pop()
        tree.append(one)
        stack += children.get(one, [])
    return tree


def _sample_proc(pids: list[int]) -> Sample:
    rss, cpu = 0, {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                rss += int(f.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            # utime and stime (fields 14-15 of stat, 12-13 after the name); not the
            # reaped children's, which the workers' own figures already count
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError, ValueError):
            pass
    return rss, cpu


class ProcTree:
    """Memory and CPU time of a process tree from /proc. Listing every process
    costs a few milliseconds, so the tree is listed again only every TREE_EVERY
    samples: the watcher must not take a CPU from what it watches. Pool workers live
    from start to end, so a late listing misses little."""

    TREE_EVERY = 10

    def __init__(self) -> None:
        self.samples = 0
        self.pids: list[int] = []

    def __call__(self, pid: int) -> Sample:
        if self.samples % self.TREE_EVERY == 0:
            self.pids = _tree_proc(pid)
        self.samples += 1
        return _sample_proc(self.pids)


def tree_sampler() -> tuple[str, Callable[[int], Sample] | None]:
    """How the tree is measured here: psutil, else /proc, else nothing (then the
    child's own getrusage figures are used)."""
    try:
        import psutil  # noqa: F401

        return "psutil, sum over the process tree", _tree_psutil
    except ImportError:
        pass
    if os.path.isdir("/proc/self"):
        return "/proc, sum over the process tree", ProcTree()
    return "getrusage: largest single process (lower bound)", None


@dataclass
class Measured:
    method: str
    seconds: float          # inside the child: from listing the files to the last part
    process_seconds: float  # the child process from start to exit, from outside
    peak_rss: int           # bytes
    cpu_seconds: float      # user + system over the tree (0 when it cannot be sampled)
    result: dict


def measure(method: str, src: Path, out: Path, workers: int, fraction: float,
            cli: bool) -> Measured:
    """Run one method in a child process and watch its memory until it exits."""
    shutil.rmtree(out, ignore_errors=True)
    _, sampler = tree_sampler()
    command = [sys.executable, __file__, "--child", method, "--src", str(src),
               "--out", str(out), "--workers", str(workers), "--glue-sample", str(fraction)]
    if cli:
        command.append("--cli")
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}   # the last figure seen for each process
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            if sampler is not None:
                rss, seen = sampler(proc.pid)
                peak = max(peak, rss)
                cpu.update(seen)
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, _ = proc.communicate()
    stop.set()
    watcher.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{method}: child process failed (exit {proc.returncode})")
    result = json.loads(stdout.strip().splitlines()[-1])
    if sampler is None:
        peak = result.get("maxrss", 0)
    shutil.rmtree(out, ignore_errors=True)
    return Measured(method, result["seconds"], seconds, peak, sum(cpu.values()), result)


# --- the report --------------------------------------------------------------------

def show_corpus(folder: Path) -> str:
    comp = json.loads((folder / "composition.json").read_text())
    kinds = ", ".join(f"{k} {100 * v['bytes'] / comp['bytes']:.0f}%"
                      for k, v in comp["by_kind"].items())
    return f"{comp['files']:,} files, {comp['bytes'] / 1e6:.1f} MB ({kinds})"


def scale(m: Measured, total_bytes: int) -> float:
    """Corpus bytes over the bytes the method read: above 1 only for the glue's sample."""
    return total_bytes / max(1, m.result["bytes"])


def table(rows: list[Measured], total_bytes: int, fraction: float) -> str:
    lines = [(f"  {'method':<8} {'wall s':>8} {'MB/s':>7} {'CPU s':>8} {'peak RSS MB':>12} "
              f"{'rows':>8} {'process s':>10}  notes")]
    for m in rows:
        k, note = scale(m, total_bytes), ""
        if k > 1:
            note = (f"extrapolated x{k:.1f}: timed {m.seconds:.1f} s on {m.result['files']:,} "
                    f"files, {100 / k:.0f}% of bytes (--glue-sample {fraction}); "
                    "start-up scaled too (an overestimate on small samples); "
                    "peak RSS and process s are the sample's")
        if m.method == "ingest" and m.result.get("repaired") is not None:
            note = (f"repaired {m.result['repaired']:,} (lossy {m.result['lossy']:,}), "
                    f"quarantined {m.result['quarantined']:,}, exit {m.result['exit_code']}")
        rows_done = m.result.get("rows")
        seconds = m.seconds * k
        lines.append(f"  {m.method:<8} {seconds:>8.2f} {total_bytes / 1e6 / seconds:>7.2f}"
                     f" {m.cpu_seconds * k:>8.1f} {m.peak_rss / 1e6:>12.0f}"
                     f" {rows_done if rows_done is not None else '-':>8}"
                     f" {m.process_seconds:>10.2f}  {note}")
    return "\n".join(lines)


def ratios(by: dict[str, Measured], total_bytes: int) -> list[str]:
    """The issue's targets, on wall time; CPU time alongside, which other load on
    the machine disturbs less."""
    def both(a: Measured, b: Measured) -> tuple[float, float]:
        wall_ratio = (a.seconds * scale(a, total_bytes)) / (b.seconds * scale(b, total_bytes))
        cpu_ratio = ((a.cpu_seconds * scale(a, total_bytes))
                     / max(1e-9, b.cpu_seconds * scale(b, total_bytes)))
        return wall_ratio, cpu_ratio

    out = []
    if "floor" in by and "ingest" in by:
        r, c = both(by["ingest"], by["floor"])
        met = "met" if r <= MAX_INGEST_OVER_FLOOR else "NOT met"
        out.append(f"  ingest / floor: {r:.2f}x wall time, {c:.2f}x CPU time "
                   f"(target <= {MAX_INGEST_OVER_FLOOR}x wall: {met})")
    if "glue" in by and "ingest" in by:
        r, c = both(by["glue"], by["ingest"])
        met = "met" if r >= MIN_GLUE_OVER_INGEST else "NOT met"
        out.append(f"  glue / ingest:  {r:.2f}x wall time, {c:.2f}x CPU time "
                   f"(target >= {MIN_GLUE_OVER_INGEST:.0f}x wall: {met})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="20MB",
                        help="corpus size(s), comma-separated: 20MB or 20MB,200MB")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--glue-sample", type=float, default=1.0, metavar="F",
                        help="time the glue on this fraction of the files (every 1/F-th) "
                             "and extrapolate by bytes; e.g. 0.1")
    parser.add_argument("--methods", default="floor,ingest,glue",
                        help="which to run, comma-separated (default: all three)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for each method")
    parser.add_argument("--cli", action="store_true", help="time the `ingest run` command")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args.child, args.src, args.out, args.workers, args.glue_sample, args.cli)
        return 0

    how, _ = tree_sampler()
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    print(f"workers: {args.workers}; peak RSS measured by {how}")
    everything: dict[str, dict] = {}
    peaks: dict[str, dict[str, int]] = {}
    for size_text in args.size.split(","):
        size = corpus.parse_size(size_text)
        folder = corpus_dir(size, args.seed)
        src = folder / "corpus"
        files = files_under(src)
        total = sum(s for _, s in files)
        warm(files)
        print(f"\n{size_text.strip()} corpus: {show_corpus(folder)}")
        by: dict[str, Measured] = {}
        for method in methods:
            runs = [measure(method, src, CACHE / "_out" / method, args.workers,
                            args.glue_sample, args.cli) for _ in range(args.repeat)]
            best = min(runs, key=lambda m: m.seconds)
            best.peak_rss = max(m.peak_rss for m in runs)
            by[method] = best
        print(table(list(by.values()), total, args.glue_sample))
        if hasattr(os, "getloadavg"):
            load = os.getloadavg()[0]
            busy = " (other work shares the machine: compare CPU s)" if load > args.workers else ""
            print(f"  load average now {load:.1f} on {os.cpu_count()} cores{busy}")
        print("\n".join(ratios(by, total)))
        everything[size_text.strip()] = {
            "bytes": total, "files": len(files), "workers": args.workers,
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
            **{m: {"seconds": r.seconds * scale(r, total), "timed_seconds": r.seconds,
                   "cpu_seconds": r.cpu_seconds * scale(r, total),
                   "process_seconds": r.process_seconds, "peak_rss": r.peak_rss,
                   "result": r.result} for m, r in by.items()}}
        for m, r in by.items():
            peaks.setdefault(m, {})[size_text.strip()] = r.peak_rss
    if len(everything) > 1:
        print("\npeak RSS by corpus size (target for ingest: not growing with the corpus)")
        for m, sizes in peaks.items():
            shown = ", ".join(f"{s}: {v / 1e6:.0f} MB" for s, v in sizes.items())
            values = list(sizes.values())
            print(f"  {m:<8} {shown}  ({values[-1] / max(1, values[0]):.2f}x)")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
