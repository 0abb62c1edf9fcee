"""Run independent tasks in parallel: serially, in local worker processes, or on a dask.distributed cluster.

Used by the decomposed dispatch (one task per time window). Local workers are spawned processes (no inherited
HiGHS threads or solver state); a dask cluster is addressed by its scheduler (``tcp://host:8786``) and must have
energyhub installed. Results come back in task order; ``on_done(i, result)`` is called as each task finishes.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from energyhub.errors import InputError

T = TypeVar("T")
R = TypeVar("R")
CONNECT_TIMEOUT_S = 20.0


def default_workers() -> int:
    """min(2, number of CPUs)."""
    return max(1, min(2, os.cpu_count() or 1))


def _quiet_worker() -> None:
    """Worker start-up: pandapower's and numba's notices are not the user's concern."""
    import logging
    import warnings

    logging.getLogger("pandapower").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    workers: int = 1,
    scheduler: str | None = None,
    on_done: Callable[[int, R], None] | None = None,
    order: Sequence[int] | None = None,
) -> list[R]:
    """``[fn(t) for t in tasks]``, in parallel when ``workers > 1`` or a dask ``scheduler`` address is given.

    ``order``: the task indices in the order they are started (e.g. the longest first, so that no long task starts
    last and finishes alone); results are in task order whatever the order of starting.
    """
    done = on_done or (lambda _i, _r: None)
    starts = _start_order(len(tasks), order)
    if scheduler is not None:
        return _run_dask(fn, tasks, scheduler, done, starts)
    if workers <= 1 or len(tasks) <= 1:
        results: dict[int, R] = {}
        for i in starts:
            results[i] = fn(tasks[i])
            done(i, results[i])
        return [results[i] for i in range(len(tasks))]
    return _run_local(fn, tasks, workers, done, starts)


def _start_order(n: int, order: Sequence[int] | None) -> list[int]:
    if order is None:
        return list(range(n))
    starts = list(order)
    if sorted(starts) != list(range(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1}, got {starts}")
    return starts


def _import(module: str) -> None:
    """Import ``module`` in a worker, then move every object alive (the imported modules) out of the cyclic
    collector's reach (``gc.freeze``): they live as long as the worker, and each collection after a task then
    traverses only what the tasks made (a window's model: 0.05 s instead of 0.13 s, ``benchmarks/README.md``)."""
    importlib.import_module(module)
    gc.collect()
    gc.freeze()


class Workers:
    """Local worker processes started ahead of their tasks (:meth:`start`): they spawn and import ``preload`` while
    the caller goes on (e.g. while HiGHS solves the sizing), so that the tasks do not wait for Python start-up.
    ``run`` then works as :func:`run_tasks` (starting the processes if :meth:`start` was not called); without
    processes to start (one worker, or a dask scheduler) it is :func:`run_tasks` itself."""

    def __init__(self, workers: int = 1, scheduler: str | None = None, preload: str = "energyhub.decompose") -> None:
        self.workers, self.scheduler, self.preload = workers, scheduler, preload
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def start(self) -> None:
        """Spawn the worker processes now (once): best while this process waits on something that leaves a core
        free (a HiGHS run), not while it builds a model (the imports would share its cores)."""
        if self.pool is None and self.scheduler is None and self.workers > 1:
            ctx = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_quiet_worker)
            for _ in range(self.workers):
                self.pool.submit(_import, self.preload)

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int, R], None] | None = None,
            order: Sequence[int] | None = None) -> list[R]:
        if len(tasks) > 1:
            self.start()
        if self.pool is None or len(tasks) <= 1:
            return run_tasks(fn, tasks, self.workers, self.scheduler, on_done, order)
        return _run_in_pool(self.pool, fn, tasks, on_done or (lambda _i, _r: None), _start_order(len(tasks), order))


def _run_local(fn: Callable[[T], R], tasks: Sequence[T], workers: int, done: Callable[[int, R], None],
               starts: list[int]) -> list[R]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx, initializer=_quiet_worker) as pool:
        return _run_in_pool(pool, fn, tasks, done, starts)


def _run_in_pool(pool: ProcessPoolExecutor, fn: Callable[[T], R], tasks: Sequence[T],
                 done: Callable[[int, R], None], starts: list[int]) -> list[R]:
    """Submit in ``starts`` order: the pool's queue is first in, first out."""
    results: dict[int, R] = {}
    index: dict[Future[R], int] = {pool.submit(fn, tasks[i]): i for i in starts}
    pending: set[Future[R]] = set(index)
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                results[index[future]] = future.result()
                done(index[future], results[index[future]])
    except BaseException:
        for future in pending:
            future.cancel()
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        raise
    return [results[i] for i in range(len(tasks))]


def dask_client(address: str) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``; :class:`InputError` when it cannot be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs the 'distributed' package: pip install distributed") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {address}: cannot connect to a dask scheduler ({exc})") from None


def _run_dask(fn: Callable[[T], R], tasks: Sequence[T], address: str, done: Callable[[int, R], None],
              starts: list[int]) -> list[R]:
    from distributed import as_completed

    with dask_client(address) as client:
        # dask runs ready tasks of higher priority first
        futures = {i: client.submit(fn, tasks[i], pure=False, priority=len(starts) - rank)
                   for rank, i in enumerate(starts)}
        position = {f.key: i for i, f in futures.items()}
        results: dict[int, Any] = {}
        try:
            # the loop of this client: it is not the default one
            for future in as_completed(list(futures.values()), loop=client.loop):
                i = position[future.key]
                results[i] = future.result()
                done(i, results[i])
        except BaseException:
            client.cancel(list(futures.values()))
            raise
    return [results[i] for i in range(len(tasks))]
