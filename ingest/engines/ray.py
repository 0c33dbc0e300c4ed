"""Ray: the same tasks as Ray tasks, on a local Ray instance or an existing cluster.

Without an address, a local instance is started, sized to the machine (or to
`workers`), and shut down at the end; with one (`ray://host:10001`, `auto`), the run
joins that cluster. Workers read SRC and write their part files to OUT themselves,
so both must be where every node reaches them: an fsspec URL (s3://…; tasks carry
the file system) or a shared file system mounted at the same place (the pipeline
refuses memory://). The driver alone commits, as with the local engine. Ray is an optional
extra (`pip install 'ingest[ray]'`); nothing else in ingest imports it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from ..work import Task, TaskResult, run_task


def run(tasks: Iterable[Task], workers: int, address: str | None = None) -> Iterator[TaskResult]:
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("the Ray engine needs Ray: pip install 'ingest[ray]'") from exc
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers or os.cpu_count(), include_dashboard=False,
                     log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1, max_retries=2)(run_task)
        slots = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        pending = iter(tasks)
        running: list = []
        while True:
            while len(running) < slots:
                task = next(pending, None)
                if task is None:
                    break
                running.append(remote.remote(task))
            if not running:
                return
            done, running = ray.wait(running, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started_here:
            ray.shutdown()
