"""What scheduled runs cost: a full run, then an incremental rerun over the unchanged
corpus (ratio), and the share of a run spent in the commit protocol.

    python benchmarks/pipeline/incremental.py --corpus benchmarks/pipeline/_cache/corpus-200MB-seed0/corpus
    python benchmarks/pipeline/incremental.py --corpus ... --protocol   # in-process, 1 worker

The protocol cost is measured in one process (`--workers 1`), so that the time spent
flushing parts to disk, renaming them and committing to SQLite can be summed exactly:
every call of `sink.durable_rename` and `State.commit` is timed, next to the run's
wall time. A run without the protocol would skip exactly those calls.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingest
from ingest import sink, state


def timed_run(corpus: Path, out: Path, workers: int) -> tuple[float, ingest.RunReport]:
    started = time.perf_counter()
    report = ingest.run(corpus, out, workers=workers, quiet=True)
    return time.perf_counter() - started, report


def incremental(corpus: Path, workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        full, first = timed_run(corpus, out, workers)
        again, second = timed_run(corpus, out, workers)
        print(f"full run        {full:9.2f} s  {first.files:,} files, {first.bytes / 1e6:.1f} MB, "
              f"{first.records:,} records")
        print(f"unchanged rerun {again:9.2f} s  read {second.processed}, unchanged "
              f"{second.unchanged:,}")
        print(f"rerun / full    {again / full:9.4f}")


def protocol(corpus: Path) -> None:
    spent = {"durable_rename": 0.0, "State.commit": 0.0}

    def clock(name, fn):
        def wrapper(*args, **kw):
            started = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    sink.durable_rename = clock("durable_rename", sink.durable_rename)
    state.State.commit = clock("State.commit", state.State.commit)
    with tempfile.TemporaryDirectory() as tmp:
        wall, report = timed_run(corpus, Path(tmp) / "out", 1)
    total = sum(spent.values())
    print(f"run (1 worker)  {wall:9.2f} s, {report.records:,} records")
    for name, seconds in spent.items():
        print(f"  {name:<15} {seconds:7.3f} s")
    print(f"commit protocol {total:9.3f} s = {100 * total / wall:.2f}% of the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--protocol", action="store_true",
                        help="measure the commit protocol's share instead")
    args = parser.parse_args()
    if args.protocol:
        protocol(args.corpus)
    else:
        incremental(args.corpus, args.workers)


if __name__ == "__main__":
    main()
