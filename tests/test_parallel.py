"""energyhub.parallel: tasks start in the order asked for (hardest first), results come back in task order."""

from __future__ import annotations

import threading
import time

import pytest

from energyhub.parallel import run_tasks

STARTED: list[int] = []
LOCK = threading.Lock()


def record(task: int) -> int:
    """Note when a task starts (threads of one process: serial runs and an in-process dask cluster)."""
    with LOCK:
        STARTED.append(task)
    time.sleep(0.05)
    return task * 10


def start_time(task: int) -> tuple[int, float]:
    """A task of a worker process: its start time (the clock is shared by the processes of one machine)."""
    start = time.time()
    time.sleep(0.5)
    return task, start


def test_serial_tasks_start_in_the_order_asked_and_return_in_task_order() -> None:
    STARTED.clear()
    finished: list[int] = []
    out = run_tasks(record, [0, 1, 2, 3], order=[2, 0, 3, 1], on_done=lambda i, _r: finished.append(i))
    assert STARTED == [2, 0, 3, 1]
    assert finished == [2, 0, 3, 1]
    assert out == [0, 10, 20, 30]


def test_an_order_that_is_not_a_permutation_is_refused() -> None:
    with pytest.raises(ValueError, match="permutation"):
        run_tasks(record, [0, 1, 2], order=[0, 0, 1])


def test_two_worker_processes_start_the_first_in_order_first() -> None:
    """Three tasks of 0.5 s on two workers, task 0 asked last: it starts only when one of the others is done."""
    out = run_tasks(start_time, [0, 1, 2], workers=2, order=[2, 1, 0])
    starts = {task: start for task, start in out}
    assert [task for task, _ in out] == [0, 1, 2]
    assert starts[0] >= min(starts[1], starts[2]) + 0.45


def test_a_dask_worker_runs_tasks_by_the_order_asked() -> None:
    distributed = pytest.importorskip("distributed")
    STARTED.clear()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        out = run_tasks(record, [0, 1, 2, 3, 4], scheduler=cluster.scheduler_address, order=[3, 1, 4, 0, 2])
    assert out == [0, 10, 20, 30, 40]
    assert STARTED == [3, 1, 4, 0, 2]
