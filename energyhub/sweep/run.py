"""Run a sweep: validate every point, prepare or resume the directory, solve what is missing, collect."""

from __future__ import annotations

import copy
import sys
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from energyhub.errors import EnergyhubError
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.sweep import store
from energyhub.sweep.collect import write_outputs
from energyhub.sweep.executors import default_workers, run_dask, run_local, run_serial
from energyhub.sweep.points import load_backend
from energyhub.sweep.spec import Point, SweepSpec, make_points, validate_spec
from energyhub.sweep.worker import SweepJob

LOCAL_ATTEMPTS = 2  # a dead worker process restarts the pool once for the missing points


@dataclass
class SweepOptions:
    """How to run a sweep (all optional)."""

    workers: int | None = None  # local processes; default min(2, CPUs)
    scheduler: str | None = None  # a dask scheduler address: run there instead of locally
    backend: str = "pipeline"  # see energyhub.sweep.points.load_backend
    resolve: bool = True  # re-solve live models (False: every point cold)
    retry_failed: bool = False  # solve failed points of an earlier run again
    progress: bool = True  # a progress bar on stderr
    solvers_dir: Path = SOLVERS_DIR


@dataclass
class SweepReport:
    """What a sweep did."""

    total: int
    failed: int
    computed: int
    resumed: int
    csv: Path
    netcdf: Path

    def text(self) -> str:
        resumed = f", {self.resumed} from an earlier run" if self.resumed else ""
        return (
            f"{self.total} points: {self.total - self.failed} solved, {self.failed} failed "
            f"({self.computed} computed now{resumed}); wrote {self.csv} and {self.netcdf}"
        )


class SweepIncomplete(EnergyhubError):
    """Points are missing after the workers stopped (exit 1: run the same command again to resume)."""


class SweepInterrupted(EnergyhubError):
    """Ctrl-C: the finished points are kept (exit 1: run the same command again to resume)."""


class _Progress:
    """A tqdm bar fed by scanning the sweep directory for newly finished points."""

    def __init__(self, out: Path, points: list[Point], enabled: bool) -> None:
        self.out = out
        self.wanted = {p.id for p in points}
        self.seen = store.finished_ids(out) & self.wanted
        self.failed = len(store.failed_ids(out) & self.wanted)
        self.bar = tqdm(
            total=len(self.wanted),
            initial=len(self.seen),
            unit="pt",
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
            desc="sweep",
        )
        self.bar.set_postfix(failed=self.failed)

    def __call__(self) -> None:
        new = (store.finished_ids(self.out) & self.wanted) - self.seen
        if new:
            self.failed += sum((store.point_dir(self.out, i) / "failed.json").is_file() for i in new)
            self.seen |= new
            self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(len(new))

    def close(self) -> None:
        self()
        self.bar.close()


def _worker_data(data: dict[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """The scenario data workers solve: one HiGHS thread each, unless the sweep varies solver.threads."""
    copied = copy.deepcopy(data)
    if "solver.threads" not in spec.paths:
        solver = copied.setdefault("solver", {})
        if isinstance(solver, dict):
            solver["threads"] = 1
    return copied


def largest_values(points: list[Point]) -> dict[str, float]:
    """The largest value of each numeric swept path over all points (live models screen their network rows at
    the largest connection limits, see :mod:`energyhub.sweep.live`)."""
    out: dict[str, float] = {}
    for point in points:
        for path, value in point.values.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[path] = max(out.get(path, float(value)), float(value))
    return out


def _execute(job: SweepJob, todo: list[Point], options: SweepOptions, progress: _Progress) -> None:
    if options.scheduler:
        run_dask(job, todo, options.scheduler, progress)
        return
    workers = options.workers or default_workers()
    if workers == 1:
        run_serial(job, todo, progress)
        return
    for attempt in range(1, LOCAL_ATTEMPTS + 1):
        missing = [p for p in todo if p.id not in store.finished_ids(job.out)]
        try:
            run_local(job, missing, workers, progress)
            return
        except BrokenProcessPool:
            store.clean_tmp(job.out)
            if attempt == LOCAL_ATTEMPTS:
                return  # the caller reports the missing points
            progress.bar.write("a worker process died; restarting the workers for the missing points", file=sys.stderr)


def run_sweep(spec: SweepSpec, out: Path, options: SweepOptions) -> SweepReport:
    """Validate all points, then solve the missing ones and write ``sweep.csv``/``sweep.nc`` in ``out``."""
    points = make_points(spec)
    validate_spec(spec, points, options.solvers_dir)
    load_backend(options.backend)  # an unknown --solver is exit 2 before the sweep directory is made
    out = out.resolve()
    with store.locked(out):
        store.prepare(out, spec, points)
        store.clean_tmp(out)
        if options.retry_failed:
            for point_id in store.failed_ids(out):
                store.remove_point(out, point_id)
        done = store.finished_ids(out)
        todo = [p for p in points if p.id not in done]
        key = f"{store.scenario_hash(spec.data)}:{options.backend}:{options.resolve}"
        job = SweepJob(
            _worker_data(spec.data, spec),
            spec.scenario_path,
            options.backend,
            options.resolve,
            out,
            key,
            options.solvers_dir,
            largest_values(points),
        )
        progress = _Progress(out, points, options.progress)
        try:
            if todo:
                _execute(job, todo, options, progress)
        except KeyboardInterrupt:
            done_now = len(store.finished_ids(out) & {p.id for p in points})
            raise SweepInterrupted(
                f"interrupted: {done_now} of {len(points)} points are written in {out}; "
                "run the same command again to resume"
            ) from None
        finally:
            progress.close()
            store.clean_tmp(out)
        missing = [p for p in points if p.id not in store.finished_ids(out)]
        if missing:
            raise SweepIncomplete(
                f"{len(missing)} of {len(points)} points are missing (workers stopped); "
                "run the same command again to resume"
            )
        csv_path, nc_path = write_outputs(out, spec, points)
    failed = len(store.failed_ids(out) & {p.id for p in points})
    return SweepReport(len(points), failed, len(todo), len(points) - len(todo), csv_path, nc_path)
