"""Errors that the command line turns into exit codes, and the exit codes themselves."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every ``energyhub`` verb."""

    OK = 0
    UNEXPECTED = 1
    INVALID_INPUT = 2
    INFEASIBLE = 3
    NO_SOLUTION = 4


class EnergyhubError(Exception):
    """Base class of the errors that map to an exit code and a one-paragraph message."""

    exit_code: ExitCode = ExitCode.UNEXPECTED


class InputError(EnergyhubError):
    """A user's input is wrong: the message names the file, the field and the fix."""

    exit_code = ExitCode.INVALID_INPUT


class InfeasibleError(EnergyhubError):
    """The model has no feasible solution; the message diagnoses it in scenario terms."""

    exit_code = ExitCode.INFEASIBLE


class NoSolutionError(EnergyhubError):
    """The solver stopped (time limit) without any feasible solution."""

    exit_code = ExitCode.NO_SOLUTION


class SolverError(EnergyhubError):
    """HiGHS itself failed (an error or unknown model status): not a time limit, not an infeasible scenario.

    Exit code 1 (``UNEXPECTED``): the scenario is not at fault (2, 3) and more time would not help (4).
    """

    exit_code = ExitCode.UNEXPECTED
