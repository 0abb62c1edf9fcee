"""Solving one sweep point: the point-solver protocol, a cold and a re-solving implementation, and backends.

Two sides meet here.

**Backend** (what the sweep needs from the model/solve stages; :class:`Backend`):

* ``backend.solve(scenario, path) -> (summary, dataset)`` — a cold build and solve, the same as
  ``energyhub solve``. ``summary`` is the ``summary.json`` dict (``status``, ``objective_eur``, ``mip_gap``,
  ``timings_s``, ``capacities``, ``costs_eur``, ``kpis``); ``dataset`` the ``results.nc`` dataset or None.
  Infeasibility may be reported as ``summary["status"] == "infeasible"`` or by raising
  :class:`~energyhub.errors.InfeasibleError`; both are recorded as a failed point.
* ``backend.build(scenario, path) -> CompiledModel | None`` — build once and keep the model alive for re-solves;
  None when the backend cannot (the sweep then solves every point cold).

**CompiledModel** (what a re-solving worker needs from the model object that owns a live ``highspy.Highs``;
:class:`CompiledModel`):

* ``model.apply(changes: dict[str, float]) -> bool`` — set the given scenario paths (the sweep's dotted paths,
  e.g. ``markets.NL.co2_price_eur_per_t``, ``hubs.hengelo.connection.import_mw``) to new *absolute* values, in
  place: costs (``changeColsCost``), bounds (``changeColsBounds``/``changeRowsBounds``), coefficients. Return
  False, as soon as one change cannot be made in place (a structural change: a different set of variables or
  constraints, a binary that appears or disappears); the worker then discards the model (its state after a False
  need not be consistent) and builds a new one from the point's scenario.
* ``model.solve() -> (summary, dataset)`` — solve again, keeping HiGHS's basis and giving the previous solution as
  a start (``setSolution``) for MIPs; same return as ``backend.solve``.

The pipeline backend (:class:`PipelineBackend`) solves cold with ``energyhub.pipeline.solve_prepared`` (what
``energyhub solve`` runs) and keeps :class:`energyhub.sweep.live.LiveModel` models for re-solves; a model that is
also :class:`ScenarioAware` is given each re-solved point's scenario after ``apply``.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import xarray as xr

from energyhub.errors import EnergyhubError, InfeasibleError, InputError, NoSolutionError
from energyhub.scenario.schema import Scenario
from energyhub.sweep.params import ParamValue
from energyhub.sweep.spec import Point

#: Statuses of a point without a usable solution.
FAILED_STATUSES = frozenset(
    {"infeasible", "unbounded", "infeasible_or_unbounded", "no_solution", "error", "invalid_input"}
)
Solved = tuple[dict[str, Any], xr.Dataset | None]


@dataclass
class PointResult:
    """The outcome of one point: status, objective, the full summary and dataset, timings, and how it was solved."""

    status: str
    objective_eur: float | None
    mip_gap: float | None
    summary: dict[str, Any]
    dataset: xr.Dataset | None
    timings_s: dict[str, float] = field(default_factory=dict)
    mode: str = "cold"  # "cold": built from scratch; "resolve": changed in place and re-solved
    reason: str | None = None  # why a failed point failed

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES or self.objective_eur is None


@runtime_checkable
class CompiledModel(Protocol):
    """A built model that owns a live solver and can change numbers in place (see the module docstring)."""

    def apply(self, changes: dict[str, float]) -> bool:
        """Set scenario paths to new absolute values in place; False when a change is structural."""
        ...

    def solve(self) -> Solved:
        """Solve (again, warm) and return ``(summary, dataset)``."""
        ...


@runtime_checkable
class ScenarioAware(Protocol):
    """A compiled model that is also told the point's validated scenario after a successful ``apply``."""

    def set_scenario(self, scenario: Scenario, path: Path) -> None:
        """The scenario the applied changes lead to (for the summary and checks of the next solve)."""
        ...


class Backend(Protocol):
    """Builds and solves scenarios (see the module docstring)."""

    def solve(self, scenario: Scenario, path: Path) -> Solved:
        """Build and solve cold."""
        ...

    def build(self, scenario: Scenario, path: Path) -> CompiledModel | None:
        """Build a model for re-solves, or None when the backend cannot keep one."""
        ...


class PointSolver(Protocol):
    """Solves sweep points one after the other in one worker."""

    def solve(self, scenario: Scenario, point: Point) -> PointResult:
        """Solve the (validated) scenario of one point."""
        ...


# --------------------------------------------------------------------------------------------------- results
def _failure_status(exc: BaseException) -> str:
    if isinstance(exc, InfeasibleError):
        return "infeasible"
    if isinstance(exc, NoSolutionError):
        return "no_solution"
    if isinstance(exc, InputError):
        return "invalid_input"
    return "error"


def failed_result(exc: Exception, mode: str, seconds: float) -> PointResult:
    """A failed point from an exception, with its reason."""
    reason = str(exc) if isinstance(exc, EnergyhubError) else f"{type(exc).__name__}: {exc}"
    return PointResult(_failure_status(exc), None, None, {}, None, {"point": seconds}, mode, reason)


def make_result(solved: Solved, mode: str, seconds: float) -> PointResult:
    """A point result from a backend's ``(summary, dataset)``."""
    summary, dataset = solved
    status = str(summary.get("status", "unknown"))
    objective = summary.get("objective_eur")
    timings = {str(k): float(v) for k, v in (summary.get("timings_s") or {}).items()}
    timings["point"] = seconds
    result = PointResult(
        status,
        None if objective is None else float(objective),
        None if summary.get("mip_gap") is None else float(summary["mip_gap"]),
        summary,
        dataset,
        timings,
        mode,
    )
    if result.failed:
        result.reason = str(summary.get("message") or f"solver status '{status}' without a solution")
    return result


# --------------------------------------------------------------------------------------------------- solvers
class ColdSolver:
    """Builds and solves every point from scratch."""

    def __init__(self, backend: Backend, path: Path) -> None:
        self.backend = backend
        self.path = path

    def solve(self, scenario: Scenario, point: Point) -> PointResult:
        start = time.perf_counter()
        try:
            solved = self.backend.solve(scenario, self.path)
        except Exception as exc:
            return failed_result(exc, "cold", time.perf_counter() - start)
        return make_result(solved, "cold", time.perf_counter() - start)


class ResolveSolver:
    """Keeps the model of the first point alive and changes it in place for the next ones.

    Falls back to a cold build when there is no live model, when a changed value is not a number, when the model
    refuses a change (structural) and after any failure (the live model's state is then unknown).
    """

    def __init__(self, backend: Backend, path: Path) -> None:
        self.backend = backend
        self.path = path
        self.model: CompiledModel | None = None
        self.values: dict[str, ParamValue] = {}
        self.keeps_models = True  # False once the backend has said it cannot build a model to keep

    def _changes(self, point: Point) -> dict[str, float] | None:
        """The numbers that differ from the live model's, or None when the live model cannot take them."""
        changed = {k: v for k, v in point.values.items() if self.values.get(k) != v or k not in self.values}
        if self.model is None or any(isinstance(v, bool) or not isinstance(v, int | float) for v in changed.values()):
            return None
        return {k: float(v) for k, v in changed.items() if isinstance(v, int | float)}

    def _model_for(self, scenario: Scenario, point: Point) -> tuple[CompiledModel | None, str]:
        changes = self._changes(point)
        if self.model is not None and changes is not None and self.model.apply(changes):
            if isinstance(self.model, ScenarioAware):
                self.model.set_scenario(scenario, self.path)
            return self.model, "resolve"
        self.model = None  # discard before building: a failed build must not leave the old model behind
        return self.backend.build(scenario, self.path), "cold"

    def solve(self, scenario: Scenario, point: Point) -> PointResult:
        if not self.keeps_models:
            return ColdSolver(self.backend, self.path).solve(scenario, point)
        start = time.perf_counter()
        mode = "cold"
        try:
            model, mode = self._model_for(scenario, point)
            if model is None:  # the backend cannot keep models: cold solves from now on
                self.keeps_models = False
                return ColdSolver(self.backend, self.path).solve(scenario, point)
            solved = model.solve()
        except Exception as exc:
            self.model, self.values = None, {}
            return failed_result(exc, mode, time.perf_counter() - start)
        # an infeasible point leaves the model consistent: the next point re-solves from it
        self.model, self.values = model, dict(point.values)
        return make_result(solved, mode, time.perf_counter() - start)


# --------------------------------------------------------------------------------------------------- backends
class PipelineBackend:
    """The real pipeline on the point's scenario: read series -> grid -> model -> solve -> extract -> AC check.

    ``solve`` is :func:`energyhub.pipeline.solve_prepared`, as ``energyhub solve``; ``build`` keeps a
    :class:`energyhub.sweep.live.LiveModel`. Both reuse the last point's grid when the point does not change
    the grid part of the scenario (:func:`energyhub.pipeline.grid_key`).
    """

    def __init__(self, reach: dict[str, float] | None = None) -> None:
        self.prepared: Any = None  # the last point's energyhub.pipeline.Prepared (its grid is reused)
        self.reach = dict(reach or {})  # the largest value of each swept path (live models are screened there)

    def _prepare(self, scenario: Scenario, path: Path) -> tuple[Any, Any]:
        from energyhub.pipeline import Timings, prepare_data
        from energyhub.scenario.data import read_series

        timings = Timings()
        with timings.stage("load"):
            data = read_series(scenario, path)
        self.prepared = prepare_data(data, timings, self.prepared)
        return self.prepared, timings

    def solve(self, scenario: Scenario, path: Path) -> Solved:
        pipeline = importlib.import_module("energyhub.pipeline")
        prep, timings = self._prepare(scenario, path)
        summary, dataset = pipeline.solve_prepared(prep, timings)
        summary["timings_s"] = timings.total()
        return summary, dataset

    def build(self, scenario: Scenario, path: Path) -> CompiledModel | None:
        from energyhub.sweep.live import LiveModel

        prep, timings = self._prepare(scenario, path)
        return LiveModel.build(prep, timings, self.reach)


def load_backend(name: str, reach: dict[str, float] | None = None) -> Backend:
    """A backend by name: ``pipeline`` (the real model) or ``module:attribute``.

    ``module:attribute`` names a backend object or a class/function that returns one when called without
    arguments (for benchmarks and tests of other solvers; the tests' stand-in LP is
    ``tests/sweep/toy_backend.py``, loaded as ``toy_backend:ToyBackend``). ``reach``: the largest value of each
    swept path, for the pipeline's live models.
    """
    if name == "pipeline":
        return PipelineBackend(reach)
    module_name, sep, attr = name.partition(":")
    if not sep:
        raise InputError(f"--solver '{name}': expected 'pipeline' or 'module:attribute'")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"--solver '{name}': cannot import it ({exc})") from None
    backend: Backend = obj() if isinstance(obj, type) or not hasattr(obj, "solve") else obj
    return backend


def make_solver(backend_name: str, path: Path, resolve: bool, reach: dict[str, float] | None = None) -> PointSolver:
    """The point solver a worker uses: re-solving (default) or cold."""
    backend = load_backend(backend_name, reach)
    return ResolveSolver(backend, path) if resolve else ColdSolver(backend, path)
