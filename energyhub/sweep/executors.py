"""Where groups of points run: local worker processes (default) or a dask.distributed cluster.

Both run :func:`energyhub.sweep.worker.solve_group` once per group and call ``poll`` about four times a second so
the caller can show progress (workers write points straight into the sweep directory).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from energyhub.parallel import dask_client
from energyhub.sweep.spec import Point
from energyhub.sweep.worker import SweepJob, init_process_worker, solve_group

POLL_S = 0.25
GROUPS_PER_WORKER = 2
Poll = Callable[[], None]


def default_workers() -> int:
    """min(2, number of CPUs)."""
    return max(1, min(2, os.cpu_count() or 1))


def make_groups(points: Sequence[Point], slots: int) -> list[list[Point]]:
    """Split points (in solve order) into contiguous groups, a few per worker slot, so neighbours stay together."""
    if not points:
        return []
    count = max(1, min(len(points), slots * GROUPS_PER_WORKER))
    size, extra = divmod(len(points), count)
    groups, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        groups.append(list(points[start:end]))
        start = end
    return groups


# --------------------------------------------------------------------------------------------------- serial
def run_serial(job: SweepJob, points: Sequence[Point], poll: Poll) -> None:
    """Solve in this process, one point after the other (``--workers 1``: no process start-up to pay).

    The thread's solver keeps its live model between points, so points after the first re-solve.
    """
    for point in points:
        solve_group(job, [point])
        poll()


# --------------------------------------------------------------------------------------------------- local
def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes at once (their unfinished points stay unwritten) and shut it down."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def run_local(job: SweepJob, points: Sequence[Point], workers: int, poll: Poll) -> None:
    """Solve in ``workers`` local processes, spawned: no inherited threads or solver state, and no server process
    whose death would stop later pools (forkserver); each worker pays its imports once (a few seconds).

    Raises :class:`concurrent.futures.process.BrokenProcessPool` when a worker dies; the caller may retry.
    """
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=init_process_worker
    )
    try:
        pending: set[Future[list[tuple[str, str]]]] = {
            pool.submit(solve_group, job, group) for group in make_groups(points, workers)
        }
        while pending:
            finished, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            poll()
            for future in finished:
                future.result()  # re-raise a worker's unexpected error
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


# --------------------------------------------------------------------------------------------------- dask
def run_dask(job: SweepJob, points: Sequence[Point], address: str, poll: Poll) -> None:
    """Solve on a running dask.distributed cluster (``dask scheduler`` + ``dask worker``).

    Every worker must see ``job.out`` at the same path (a shared filesystem) and have energyhub installed.
    On Ctrl-C the queued groups are cancelled; groups already running finish their current point.
    """
    with dask_client(address) as client:
        slots = max(1, sum(client.nthreads().values()))
        futures = [
            client.submit(solve_group, job, group, pure=False, retries=1) for group in make_groups(points, slots)
        ]
        try:
            while not all(f.done() for f in futures):
                poll()
                time.sleep(POLL_S)
            poll()
            for future in futures:
                future.result()  # re-raise a worker's unexpected error
        except BaseException:
            client.cancel(futures)
            raise
