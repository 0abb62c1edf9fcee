"""What runs in a worker (a local process or a dask worker thread): solve a group of points, write each one.

A worker keeps one point solver per sweep job and thread, so a re-solving solver keeps its live model from one
group to the next one that lands on the same worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energyhub.scenario.load import SOLVERS_DIR, parse_scenario
from energyhub.scenario.schema import Scenario
from energyhub.sweep.points import PointSolver, make_solver
from energyhub.sweep.spec import Point, point_scenario
from energyhub.sweep.store import point_dir, write_point

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class SweepJob:
    """Everything a worker needs, picklable: the scenario data, where it lives, the backend and the output."""

    data: dict[str, Any]  # the scenario's raw data, with solver.threads set for workers
    path: Path  # the scenario file (series references are relative to it)
    backend: str  # see :func:`energyhub.sweep.points.load_backend`
    resolve: bool  # keep models alive and re-solve (True) or solve every point cold
    out: Path  # the sweep directory (shared by all workers)
    key: str  # identifies the job in a worker's cache (scenario hash, backend, mode)
    solvers_dir: Path = SOLVERS_DIR
    reach: dict[str, float] = field(default_factory=dict)  # the largest value of each swept numeric path


_local = threading.local()


def _cached(job: SweepJob) -> tuple[PointSolver, Scenario]:
    """This thread's solver and base scenario of ``job`` (one job at a time is kept)."""
    cache: dict[str, tuple[PointSolver, Scenario]] = getattr(_local, "cache", {})
    if job.key not in cache:
        logging.getLogger("pandapower").setLevel(logging.ERROR)  # as the CLI: its numba notice, once per worker
        solver = make_solver(job.backend, job.path, job.resolve, job.reach)
        cache = {job.key: (solver, parse_scenario(job.data, job.path))}
        _local.cache = cache
    return cache[job.key]


def solve_group(job: SweepJob, points: list[Point]) -> list[tuple[str, str]]:
    """Solve points in order with one solver, writing each as it finishes; ``(id, status)`` of those solved here.

    Points already on disk (finished by an earlier run or another worker) are skipped.
    """
    solver, base = _cached(job)
    parent = os.getppid()
    done = []
    for point in points:
        if os.getppid() != parent:  # the sweep process died: stop instead of solving for nobody
            break
        if point_dir(job.out, point.id).exists():
            continue
        scenario = point_scenario(job.data, job.path, point.values, base, job.solvers_dir)
        result = solver.solve(scenario, point)
        write_point(job.out, point, result)
        done.append((point.id, result.status))
    return done


def init_process_worker() -> None:
    """Initializer of local worker processes: one solver thread, die with the parent, leave Ctrl-C to the parent."""
    for name in THREAD_ENV:
        os.environ[name] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers on Ctrl-C
    if sys.platform.startswith("linux"):
        # without glibc, the getppid check in solve_group still stops the worker
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
