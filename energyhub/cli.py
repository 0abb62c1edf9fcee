"""The ``energyhub`` command line: thin wrappers that call the pipeline and map errors to exit codes.

Exit codes: 0 success; 2 invalid input or usage; 3 infeasible model; 4 no solution within the time limit;
1 anything unexpected (rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import functools
import json
import sys
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="energyhub")
