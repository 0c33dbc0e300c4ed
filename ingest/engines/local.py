"""Worker processes on this machine. At most two tasks per worker are in flight, so
memory stays bounded whatever the number of files."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from ..work import Task, TaskResult, run_task


def run(tasks: Iterable[Task], workers: int) -> Iterator[TaskResult]:
    if workers <= 1:
        for task in tasks:
            yield run_task(task)
        return
    # forkserver: workers start from a clean process, not a copy of the caller's
    # threads and locks (a progress bar's thread, a host application's state).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pending = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running: set[Future[TaskResult]] = set()
        while True:
            while len(running) < 2 * workers:
                task = next(pending, None)
                if task is None:
                    break
                running.add(pool.submit(run_task, task))
            if not running:
                return
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
