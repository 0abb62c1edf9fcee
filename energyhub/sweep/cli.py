"""The ``energyhub sweep`` command's body (kept here so that ``energyhub/cli.py`` stays a thin wrapper)."""

from __future__ import annotations

from pathlib import Path

from energyhub.outdir import check_writable
from energyhub.sweep.params import parse_param
from energyhub.sweep.run import SweepOptions, run_sweep
from energyhub.sweep.spec import check_point_count, make_spec


def run_sweep_command(
    scenario: Path,
    params: tuple[str, ...],
    zipped: bool,
    workers: int | None,
    scheduler: str | None,
    out: Path,
    solver: str,
    cold: bool,
    retry_failed: bool,
    progress: bool,
    max_points: int | None = None,
) -> str:
    """Parse the options, run the sweep and return the one-line report."""
    check_writable(out)
    spec = make_spec(scenario, [parse_param(p) for p in params], zipped)
    check_point_count(spec, max_points)
    options = SweepOptions(
        workers=workers,
        scheduler=scheduler,
        backend=solver,
        resolve=not cold,
        retry_failed=retry_failed,
        progress=progress,
    )
    return run_sweep(spec, out, options).text()
