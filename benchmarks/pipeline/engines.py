"""The Ray engine next to the local engine on the same corpus and machine, and Ray's
fixed start-up cost (start a local Ray instance and shut it down, as a run does).

    pip install -e '.[ray]'
    python benchmarks/pipeline/engines.py --corpus benchmarks/pipeline/_cache/corpus-20MB-seed0/corpus
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import ingest  # noqa: E402


def timed(src: Path, engine: str, workers: int) -> tuple[float, ingest.RunReport]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = ingest.run(src, Path(tmp) / "out", engine=engine, workers=workers, quiet=True)
        return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    import ray
    started = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    ray.shutdown()
    startup = time.perf_counter() - started
    local, a = timed(args.corpus, "local", args.workers)
    ray_s, b = timed(args.corpus, "ray", args.workers)
    same = a.counts() == b.counts()
    print(f"corpus {args.corpus}: {a.files:,} files, {a.bytes / 1e6:.1f} MB, "
          f"{args.workers} workers, load average {os.getloadavg()[0]:.1f}")
    print(f"  local  {local:8.2f} s")
    print(f"  ray    {ray_s:8.2f} s  (of which Ray start-up and shut-down alone: {startup:.2f} s)")
    print(f"  ray / local {ray_s / local:.2f}x; same counts: {same}")


if __name__ == "__main__":
    main()
