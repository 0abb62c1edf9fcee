"""The ``energyhub`` command line: thin wrappers that call the pipeline and map errors to exit codes.

Exit codes: 0 success; 2 invalid input or usage; 3 infeasible model; 4 no solution within the time limit;
1 anything unexpected (rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from energyhub import __version__
from energyhub.errors import EnergyhubError, ExitCode

F = TypeVar("F", bound=Callable[..., Any])
SCENARIO = click.Path(path_type=Path, dir_okay=False)


def _fail(message: str, code: ExitCode) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))


def handle_errors(func: F) -> F:
    """Turn known errors into a message and their exit code; anything else into exit 1 with a hint."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except EnergyhubError as exc:
            if debug:
                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was written", ExitCode.UNEXPECTED)
        except Exception as exc:
            if debug:
                traceback.print_exc()
                _fail(f"unexpected {type(exc).__name__}: {exc}", ExitCode.UNEXPECTED)
            _fail(
                f"unexpected {type(exc).__name__}: {exc}\n"
                "This is a bug or an unforeseen input: rerun with 'energyhub --debug …' for the traceback "
                "and report it.",
                ExitCode.UNEXPECTED,
            )

    return wrapper  # type: ignore[return-value]


class _Group(click.Group):
    """A click group whose usage errors exit with code 2 and a one-line message (click's own convention)."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="energyhub")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for unexpected errors.")
def cli(debug: bool) -> None:
    """Size and dispatch batteries, electrolysers and biogas units at smart energy hubs so that grid
    congestion is relieved at least cost."""
    logging.getLogger("pandapower").setLevel(logging.ERROR)  # its numba notice is not the user's concern


@cli.command()
@click.argument("scenario", type=SCENARIO)
@handle_errors
def validate(scenario: Path) -> None:
    """Check a scenario file, its series and its grid references, and summarise it."""
    from energyhub.validate import validate_scenario

    click.echo(validate_scenario(scenario))


@cli.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to a file instead of stdout.")
@handle_errors
def schema(out: Path | None) -> None:
    """Print the scenario format as JSON Schema (for editor completion)."""
    from energyhub.scenario.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}")


def _progress(quiet: bool) -> None:
    """Progress lines (stage by stage, HiGHS milestones) on stderr unless --quiet."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    logging.getLogger("energyhub").setLevel(logging.WARNING if quiet else logging.INFO)


OUT_DIR = click.Path(path_type=Path, file_okay=False)


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--out", type=OUT_DIR, required=True, help="Result directory (written atomically).")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@handle_errors
def baseline(scenario: Path, out: Path, quiet: bool) -> None:
    """The congestion picture without hub assets: DIR/baseline.nc and DIR/baseline.json."""
    from energyhub import pipeline
    from energyhub.results.console import baseline_table
    from energyhub.results.write import check_replaceable, write_dir

    check_replaceable(out)
    _progress(quiet)
    timings = pipeline.Timings()
    summary, dataset = pipeline.baseline(scenario, timings)
    write_dir(out, {"baseline.json": summary}, {"baseline.nc": dataset}, kind="baseline")
    click.echo(baseline_table(summary, str(out)))


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--out", type=OUT_DIR, required=True, help="Result directory (written atomically).")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes for the monthly dispatch windows "
              "(default: min(2, CPUs)).")
@click.option("--scheduler", metavar="ADDRESS", help="Solve the dispatch windows on a dask.distributed scheduler, "
              "e.g. tcp://host:8786.")
@handle_errors
def solve(scenario: Path, out: Path, quiet: bool, workers: int | None, scheduler: str | None) -> None:
    """Size and dispatch the hub assets, check on the AC grid: DIR/summary.json, DIR/results.nc, DIR/highs.log."""
    import shutil

    from energyhub import pipeline
    from energyhub.parallel import default_workers
    from energyhub.results.console import solve_table
    from energyhub.results.write import check_replaceable, write_results

    check_replaceable(out)
    _progress(quiet)
    timings = pipeline.Timings()
    checkpoints = out.parent / f".{out.name}.windows"
    execution = pipeline.Execution(workers or default_workers(), scheduler, checkpoints)
    handle, name = tempfile.mkstemp(prefix="energyhub-highs-", suffix=".log")  # moved into --out at the end
    os.close(handle)
    log = Path(name)
    try:
        summary, dataset = pipeline.solve(scenario, timings, progress=logging.getLogger("energyhub.solve").info,
                                          log_file=log, execution=execution)
        with timings.stage("write"):
            write_results(out, summary, dataset, {"highs.log": log})
    finally:
        log.unlink(missing_ok=True)
    shutil.rmtree(checkpoints, ignore_errors=True)
    summary["timings_s"] = timings.total()
    click.echo(solve_table(summary, str(out)))


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--out", type=OUT_DIR, required=True,
              help="Compare directory: one result directory per alternative and comparison.json (atomically).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes to solve the alternatives in (1: one after the other on one prepared grid).")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@handle_errors
def compare(scenario: Path, out: Path, workers: int, quiet: bool) -> None:
    """Solve the optimum and its counterfactuals (reinforcement only, hubs only, as is) and compare them."""
    from energyhub.compare import comparison_table, run_compare

    _progress(quiet)
    run = run_compare(scenario, out, workers, logging.getLogger("energyhub.compare").info)
    click.echo(comparison_table(run.comparison, str(out), run.seconds))


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "xlsx"]), required=True,
              help="csv/parquet: one long table per variable family; xlsx: a summary sheet plus data sheets.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write (default DIRECTORY/export-FORMAT); replaced atomically.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@handle_errors
def export(directory: Path, fmt: str, out: Path | None, quiet: bool) -> None:
    """Export a solve, baseline or sweep result directory as tidy tables."""
    from energyhub.results.export import export_result

    _progress(quiet)
    click.echo(f"wrote {export_result(directory, fmt, out)}")  # type: ignore[arg-type]


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--week", help="Also show dispatch for the 7 days from this date (YYYY-MM-DD).")
@handle_errors
def report(directory: Path, week: str | None) -> None:
    """Write DIRECTORY/report.html: one self-contained, offline HTML report for a feasibility study."""
    from energyhub.results.report import write_report

    click.echo(f"wrote {write_report(directory, week)}")


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--param", "params", multiple=True, metavar="PATH=VALUES",
              help="A dotted scenario path and its values: 10,20,40 | lin:START:STOP:N | log:START:STOP:N.")
@click.option("--zip", "zipped", is_flag=True, help="Pair the i-th values of all parameters instead of a product.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes (default: min(2, CPUs)).")
@click.option("--scheduler", metavar="ADDRESS", help="Run on a dask.distributed scheduler, e.g. tcp://host:8786.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Sweep directory.")
@click.option("--solver", default="pipeline", show_default=True,
              help="pipeline | module:attribute (a backend object or class).")
@click.option("--cold", is_flag=True, help="Build every point from scratch (no re-solves).")
@click.option("--retry-failed", is_flag=True, help="Solve the failed points of an earlier run again.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--max-points", type=click.IntRange(min=1), metavar="N",
              help="Run a sweep of more than 1000 points (up to N); without it such a sweep is refused.")
@handle_errors
def sweep(scenario: Path, params: tuple[str, ...], zipped: bool, workers: int | None, scheduler: str | None,
          out: Path, solver: str, cold: bool, retry_failed: bool, no_progress: bool, max_points: int | None) -> None:
    """Solve a scenario over a grid of parameter values (SCENARIO may be a sweep YAML file); resumable."""
    from energyhub.sweep.cli import run_sweep_command

    click.echo(run_sweep_command(scenario, params, zipped, workers, scheduler, out, solver, cold, retry_failed,
                                 not no_progress, max_points))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="energyhub")
