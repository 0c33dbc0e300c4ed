"""The Ray engine, on a real local Ray instance with 2 CPUs: the same records as the
local engine, nothing added by a rerun with either engine, a killed Ray driver
recovered by the next run, and Ray workers reading and writing through fsspec."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_scheduled import _snapshot, cli, make_corpus, records
from test_storage import remote_local  # noqa: F401  (a fixture)

import ingest

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_instance():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_same_records_as_local(tmp_path: Path, ray_instance: None) -> None:
    src = tmp_path / "src"
    make_corpus(src, 30)
    local, distributed = tmp_path / "local", tmp_path / "ray"
    a = ingest.run(src, local, workers=2, task_bytes=20_000, quiet=True)
    b = ingest.run(src, distributed, engine="ray", task_bytes=20_000, quiet=True)
    assert (a.exit_code, b.exit_code) == (1, 1)
    assert records(local) == records(distributed)
    assert a.counts() == b.counts()

    for out, engine in ((local, "ray"), (distributed, "local"), (distributed, "ray")):
        again = ingest.run(src, out, engine=engine, quiet=True)
        assert (again.processed, again.records, again.unchanged) == (0, 0, 30)
    assert records(distributed) == records(local)


def test_killed_ray_driver_recovered(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_corpus(src, 40)
    reference = tmp_path / "reference"
    ingest.run(src, reference, workers=1, quiet=True)
    expected = records(reference)
    out = tmp_path / "out"
    victim = cli("run", str(src), "--out", str(out), "--engine", "ray", "--workers", "2",
                 "--task-size", "0.006", "-q")
    deadline = time.monotonic() + 240
    while _snapshot(out)[0] < 5 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    committed = _snapshot(out)[0]
    assert 0 < committed < 40, committed          # killed part-way
    rerun = ingest.run(src, out, workers=1, quiet=True)
    assert rerun.processed == 40 - committed
    assert records(out) == expected


@pytest.mark.usefixtures("remote_local")
def test_remote_locations(tmp_path: Path, ray_instance: None) -> None:
    src = tmp_path / "src"
    make_corpus(src, 12)
    local = ingest.run(src, tmp_path / "local", workers=2, quiet=True)
    remote = ingest.run(f"remote:{src}", f"remote:{tmp_path}/out", engine="ray",
                        task_bytes=10_000, state_dir=tmp_path / "state", quiet=True)
    assert remote.counts() == local.counts()
    assert records(f"remote:{tmp_path}/out") == records(tmp_path / "local")
