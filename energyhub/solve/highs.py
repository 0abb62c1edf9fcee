"""The one HiGHS adapter: compile a HubModel to arrays, hand it to highspy, solve, normalise the status.

Hand-over: :func:`energyhub.solve.standard_form.compile_standard_form` turns the model into ``c, A, rhs`` plus the
lists of columns (VarData) and rows (ConstraintData or a row family's row, sense), as Pyomo's
``LinearStandardFormCompiler`` (mixed form) does but faster on energyhub's expressions and row families;
:class:`CompiledModel` passes them to ``highspy.Highs.passModel`` with integrality, and keeps the map from variables
to columns so that a sweep can change costs and bounds in the live HiGHS instance and re-run warm
(:mod:`energyhub.sweep.live`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import highspy
import numpy as np
from pyomo.common.errors import InfeasibleConstraintException

from energyhub.errors import InfeasibleError, NoSolutionError, SolverError
from energyhub.model.build import gc_disabled
from energyhub.model.core import HubModel
from energyhub.solve.options import OptionValue
from energyhub.solve.standard_form import compile_standard_form

log = logging.getLogger(__name__)

Status = Literal[
    "optimal", "time_limit_feasible", "limit_feasible", "objective_target_feasible", "objective_bound_feasible",
    "infeasible", "time_limit_no_solution", "limit_no_solution", "objective_bound_no_solution", "memory_limit",
    "interrupted", "error",
]
#: Statuses with a usable solution (HiGHS stopped at the optimum or at a limit with a feasible point).
SOLVED: frozenset[str] = frozenset(
    {"optimal", "time_limit_feasible", "limit_feasible", "objective_target_feasible", "objective_bound_feasible"}
)
Progress = Callable[[str], None]


@dataclass
class CompiledModel:
    """A HubModel in a live highspy instance, with the column and row maps."""

    highs: highspy.Highs
    columns: list[Any]
    rows: Sequence[tuple[Any, int]]
    col_of: dict[int, int]
    cost: np.ndarray
    offset: float
    n_integer: int = 0
    coupling_share: float = 0.0  # share of the rows with more than DENSE_ROW_ENTRIES entries

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    def column(self, var: Any) -> int | None:
        """Column of a VarData, or None if it was fixed or appears nowhere."""
        return self.col_of.get(id(var))


@dataclass
class SolveResult:
    """Outcome of one solve, with the primal solution by column."""

    status: Status
    objective_eur: float
    mip_gap: float
    x: np.ndarray
    compiled: CompiledModel
    timings_s: dict[str, float] = field(default_factory=dict)
    highs_status: str = ""

    def value(self, var: Any) -> float:
        """Solution value of a VarData (fixed or unused variables: their own value or lower bound)."""
        col = self.compiled.column(var)
        if col is not None:
            return float(self.x[col])
        if var.value is not None:
            return float(var.value)
        return float(var.lb or 0.0)

    def values(self, var: Any, keys: Any) -> np.ndarray:
        """Solution values of ``var[k]`` for ``k`` in ``keys``."""
        return np.array([self.value(var[k]) for k in keys], dtype=float)


def compile_model(hm: HubModel) -> CompiledModel:
    """Compile the Pyomo model to standard form and pass it to a new Highs instance.

    A constraint whose variables are all fixed and which does not hold (e.g. a fully existing battery outside its
    duration range) is found here, before HiGHS: it is an :class:`InfeasibleError` in scenario terms.
    """
    with gc_disabled():  # the compiler makes many small objects and frees no cycles, like the build
        return _compile(hm)


def _compile(hm: HubModel) -> CompiledModel:
    try:
        form = compile_standard_form(hm.m)
    except InfeasibleConstraintException as exc:
        from energyhub.solve.diagnose import describe

        found = re.search(r"'([^']+)'", str(exc))
        what = describe(hm, found.group(1)) if found else str(exc)
        raise InfeasibleError(
            f"scenario '{hm.scenario.name}' has no feasible solution: {what} cannot hold with the fixed sizes "
            "(check the existing sizes and ranges of this asset)"
        ) from exc
    columns = form.columns
    n_col = len(columns)
    lower = np.array([-np.inf if (lb := v.lb) is None else lb for v in columns], dtype=float)
    upper = np.array([np.inf if (ub := v.ub) is None else ub for v in columns], dtype=float)
    integrality = np.array([1 if v.is_integer() else 0 for v in columns], dtype=np.int32)
    cost, offset = form.c, form.offset
    sense = form.rows.senses
    rhs = form.rhs
    row_lower = np.where(sense >= 0, np.where(sense == 0, rhs, -np.inf), rhs)
    row_upper = np.where(sense <= 0, np.where(sense == 0, rhs, np.inf), rhs)
    a = form.a
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    status = highs.passModel(
        n_col, len(rhs), a.nnz, 1, 1, offset, cost, lower, upper, row_lower, row_upper,
        a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data.astype(float), integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise SolverError(
            f"HiGHS rejected the model of scenario '{hm.scenario.name}' (passModel returned an error); this is a "
            "failure of energyhub or HiGHS, not of the scenario: report it with the scenario file"
        )
    col_of = {id(v): j for j, v in enumerate(columns)}
    entries = np.bincount(a.indices, minlength=len(rhs))  # per row (a is by column)
    coupling = float(np.count_nonzero(entries > DENSE_ROW_ENTRIES)) / max(len(entries), 1)
    return CompiledModel(highs, columns, form.rows, col_of, cost, offset, int(integrality.sum()), coupling)


#: A row of more entries than this couples many columns: a branch row that five or more hubs enter.
DENSE_ROW_ENTRIES = 10
#: From this share of such rows on, a MIP's LPs go to HiGHS's interior point (HiPO) unless the options name
#: ``mip_lp_solver``. Measured (benchmarks/README.md, "The LP algorithm chosen by the model's structure"): dual
#: simplex did not finish the root LP of the 20-hub model_bench sizing (6.9 % such rows) in 600 s, HiPO did in
#: 110 s; on the 10-hub year's sizing (1.8 %) HiPO reached 2.14 % at 600 s against dual simplex's 3.37 %; the
#: shipped studies (0 and 0.44 %) and the 10-hub month's sizing (0.39 %) do better with dual simplex.
HIPO_FROM_COUPLING_SHARE = 0.01


def lp_algorithm(compiled: CompiledModel, options: dict[str, OptionValue]) -> dict[str, OptionValue]:
    """``options`` with the MIP's LP algorithm chosen by the model's structure, if they do not choose it."""
    if "mip_lp_solver" in options or compiled.n_integer == 0 or compiled.coupling_share < HIPO_FROM_COUPLING_SHARE:
        return options
    return {**options, "mip_lp_solver": "hipo"}


_scheduler_threads: list[int] = []  # the thread count HiGHS's process-wide scheduler was started with


def _use_threads(threads: int) -> None:
    """HiGHS starts one task scheduler per process with the ``threads`` of the first run; a later run asking for
    another count fails with model status 'Not Set'. Restart the scheduler when the count changes (a sweep or a
    test session mixing presets)."""
    if _scheduler_threads and _scheduler_threads[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [threads]


def apply_options(highs: highspy.Highs, options: dict[str, OptionValue], log_file: Path | None) -> None:
    """Set HiGHS options; HiGHS output is appended to ``log_file`` (if given: energyhub's own file, which the
    command line moves into --out), never to the console. HiGHS itself is given no file name."""
    _use_threads(int(options.get("threads", 0)))
    for name, value in options.items():
        highs.setOptionValue(name, value)
    if log_file is not None:
        highs.setOptionValue("output_flag", True)
        highs.setOptionValue("log_to_console", False)
        highs.cbLogging.subscribe(_appender(log_file))


def configure(compiled: CompiledModel, options: dict[str, OptionValue] | None, log_file: Path | None = None,
              progress: Progress | None = None) -> dict[str, OptionValue]:
    """Set ``options`` on the compiled model's HiGHS, the MIP's LP algorithm chosen by the model's structure
    (:func:`lp_algorithm`) unless they name one; returns the options set."""
    given = dict(options or {})
    chosen = lp_algorithm(compiled, given)
    if chosen is not given and progress is not None:
        progress(f"{compiled.coupling_share:.1%} of the rows couple more than {DENSE_ROW_ENTRIES} columns: the MIP's "
                 "LPs by interior point (HiPO)")
    apply_options(compiled.highs, chosen, log_file)
    return chosen


def _appender(log_file: Path) -> Callable[[Any], None]:
    """A HiGHS logging callback appending each message to ``log_file`` (a sizing and a dispatch solve: one log)."""

    def append(event: Any) -> None:
        with open(log_file, "a", encoding="utf-8") as handle:
            handle.write(event.message)

    return append


_LIMIT_REASONS = {
    "kTimeLimit": "time_limit",
    "kIterationLimit": "limit",  # simplex_iteration_limit, ipm_iteration_limit, ...
    "kSolutionLimit": "limit",  # mip_max_nodes, mip_max_leaves, mip_max_improving_sols
    "kObjectiveTarget": "objective_target",
    "kObjectiveBound": "objective_bound",
}


def _status(highs: highspy.Highs, has_solution: bool, deadline_hit: bool = False) -> Status:
    """energyhub's status of a finished run: the real reason HiGHS stopped, never a memory limit or an interrupt
    reported as a time limit. An interrupt by energyhub's own wall-clock watch (``deadline_hit``) is the time limit."""
    ms = highs.getModelStatus()
    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return "optimal"
    if ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return "infeasible"
    interrupted = ms.name in ("kInterrupt", "kHighsInterrupt")  # (the second is missing from highspy's stubs)
    if interrupted and deadline_hit:
        return "time_limit_feasible" if has_solution else "time_limit_no_solution"
    if interrupted:
        return "interrupted"
    if ms == S.kMemoryLimit:
        return "memory_limit"
    reason = _LIMIT_REASONS.get(ms.name)
    if reason is None:
        return "error"
    if has_solution:
        return f"{reason}_feasible"  # type: ignore[return-value]
    return "limit_no_solution" if reason == "objective_target" else f"{reason}_no_solution"  # type: ignore[return-value]


def watch_time_limit(highs: highspy.Highs, options: dict[str, OptionValue]) -> Callable[[], bool]:
    """Interrupt ``highs`` from its callbacks once the wall clock passes ``options["time_limit"]`` (s from now).

    HiGHS checks its own ``time_limit`` too; this watch makes the limit a wall-clock one wherever HiGHS calls back
    (simplex, interior point, MIP search). Returns a function that unsubscribes the watch and says whether it
    interrupted the run. See README "Time limit" for what neither can interrupt.
    """
    limit = options.get("time_limit")
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not np.isfinite(limit):
        return lambda: False
    deadline = time.monotonic() + float(limit)
    hit = [False]

    def check(event: Any) -> None:
        if time.monotonic() >= deadline:
            hit[0] = True
            event.interrupt()

    callbacks = (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt)
    for callback in callbacks:
        callback.subscribe(check)

    def stop() -> bool:
        for callback in callbacks:
            callback.unsubscribe(check)
        return hit[0]

    return stop


def solve(
    hm: HubModel,
    options: dict[str, OptionValue] | None = None,
    *,
    log_file: Path | None = None,
    progress: Progress | None = None,
    raise_on_failure: bool = True,
    start: dict[tuple[str, Any], float] | None = None,
    before_run: Callable[[], None] | None = None,
) -> SolveResult:
    """Hand the model to HiGHS and solve it; ``start``: values of some variables by (Pyomo component name,
    index), a (partial) MIP start that HiGHS completes by solving for the rest with those integers fixed;
    ``before_run`` is called after the hand-over, right before HiGHS runs.

    Raises :class:`InfeasibleError` (with an IIS-based diagnosis in scenario terms),
    :class:`NoSolutionError` (time limit without a solution) or :class:`SolverError` (HiGHS ended with an error or
    unknown status) unless ``raise_on_failure`` is false.
    """
    say = progress or (lambda msg: log.info("%s", msg))
    t0 = time.perf_counter()
    compiled = compile_model(hm)
    t_handover = time.perf_counter() - t0
    say(f"handed over {compiled.n_cols} columns, {compiled.highs.getNumRow()} rows to HiGHS in {t_handover:.1f} s")
    options = configure(compiled, options, log_file, say)
    if start:
        set_start(hm, compiled, start)
    if before_run is not None:
        before_run()
    return run_compiled(hm, compiled, options, t_handover=t_handover, progress=say, raise_on_failure=raise_on_failure)


def run_compiled(hm: HubModel, compiled: CompiledModel, options: dict[str, OptionValue] | None = None, *,
                 t_handover: float = 0.0, progress: Progress | None = None,
                 raise_on_failure: bool = True) -> SolveResult:
    """Run HiGHS on a compiled model whose options are set (:func:`apply_options`), keeping the time limit."""
    say = progress or (lambda msg: log.info("%s", msg))
    highs = compiled.highs
    stop_reporting = _report_incumbents(highs, say)  # (an LP never calls it)
    stop_watch = watch_time_limit(highs, dict(options or {}))
    t1 = time.perf_counter()
    try:
        highs.run()
    finally:
        deadline_hit = stop_watch()
        stop_reporting()
    t_solve = time.perf_counter() - t1
    return _result(hm, compiled, t_handover, t_solve, say, raise_on_failure, deadline_hit=deadline_hit)


def set_start(hm: HubModel, compiled: CompiledModel, start: dict[tuple[str, Any], float]) -> None:
    """Pass the values of ``start`` found among the model's columns to HiGHS as a partial solution."""
    cols, values = [], []
    for (name, index), value in start.items():
        comp = getattr(hm.m, name, None)
        col = compiled.column(comp[index]) if comp is not None and index in comp else None
        if col is not None:
            cols.append(col)
            values.append(value)
    if cols:
        compiled.highs.setSolution(len(cols), np.asarray(cols, dtype=np.int32), np.asarray(values, dtype=float))


def resolve(hm: HubModel, compiled: CompiledModel, start: np.ndarray | None = None, t_handover: float = 0.0,
            progress: Progress | None = None, raise_on_failure: bool = True) -> SolveResult:
    """Solve a model already in HiGHS again (after its costs or bounds changed in place), warm from ``start``.

    The public re-solve of a live model (the sweep's :class:`energyhub.sweep.live.LiveModel`): ``start`` is a
    previous solution by column (used as the MIP start); ``t_handover`` is reported as the hand-over time. Raises
    as :func:`solve` does unless ``raise_on_failure`` is false.
    """
    say = progress or (lambda _msg: None)
    highs = compiled.highs
    if start is not None:
        highs.setSolution(compiled.n_cols, np.arange(compiled.n_cols, dtype=np.int32), start)
    t0 = time.perf_counter()
    highs.run()
    return _result(hm, compiled, t_handover, time.perf_counter() - t0, say, raise_on_failure)


def _report_incumbents(highs: highspy.Highs, say: Progress, every_s: float = 15.0) -> Callable[[], None]:
    """Progress while HiGHS searches: each improving MIP solution, at most one line per ``every_s`` seconds.
    Returns the function that stops the reports."""
    last = [-every_s]

    def improved(event: Any) -> None:
        out = event.data_out
        if out.running_time - last[0] < every_s:
            return
        last[0] = out.running_time
        gap = f", gap {out.mip_gap:.2%}" if np.isfinite(out.mip_gap) else ""
        say(f"HiGHS: solution {out.objective_function_value:,.0f} EUR/yr after {out.running_time:.0f} s{gap}")

    highs.cbMipImprovingSolution.subscribe(improved)
    return lambda: highs.cbMipImprovingSolution.unsubscribe(improved)


def _result(hm: HubModel, compiled: CompiledModel, t_handover: float, t_solve: float, say: Progress,
            raise_on_failure: bool, *, deadline_hit: bool = False) -> SolveResult:
    highs = compiled.highs
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = _status(highs, has_solution, deadline_hit)
    x = np.asarray(highs.getSolution().col_value, dtype=float) if has_solution else np.zeros(compiled.n_cols)
    integer = any(v.is_integer() for v in compiled.columns)
    gap = float(info.mip_gap) if integer and has_solution else 0.0
    if not np.isfinite(gap):
        gap = 0.0
    objective = float(info.objective_function_value) if has_solution else float("nan")
    timings = {"build": hm.timings_s.get("build", 0.0), "handover": t_handover, "solve": t_solve}
    say(f"HiGHS: {status} after {t_solve:.1f} s, objective {objective:,.0f} EUR/yr, gap {gap:.2%}")
    result = SolveResult(status, objective, gap, x, compiled, timings, str(highs.getModelStatus()))
    if raise_on_failure and status == "infeasible":
        from energyhub.solve.diagnose import diagnose_infeasible

        raise InfeasibleError(diagnose_infeasible(hm, compiled))
    if raise_on_failure and status not in SOLVED:
        raise _failure(hm, highs, status, t_solve)
    return result


def _failure(hm: HubModel, highs: highspy.Highs, status: Status, t_solve: float) -> SolverError | NoSolutionError:
    """The error of a run without a usable solution (infeasibility aside): exit 4 for a limit the scenario set,
    exit 1 for a memory limit, an interrupt or a HiGHS failure."""
    stopped = f"HiGHS stopped ({highs.getModelStatus()}) after {t_solve:.0f} s without a feasible solution"
    if status == "time_limit_no_solution":
        return NoSolutionError(f"{stopped}{_which_solve(hm)}; {time_limit_hint(hm)}")
    if status == "limit_no_solution":
        return NoSolutionError(
            f"{stopped}{_which_solve(hm)}: it reached a node, iteration or solution limit of solver.options "
            "(mip_max_nodes, mip_max_leaves, mip_max_improving_sols, simplex_iteration_limit, ...); raise or remove it"
        )
    if status == "objective_bound_no_solution":
        return NoSolutionError(
            f"{stopped}{_which_solve(hm)}: no solution is cheaper than solver.options.objective_bound; raise or "
            "remove that bound"
        )
    if status == "memory_limit":
        return SolverError(
            f"HiGHS ran out of memory on scenario '{hm.scenario.name}' after {t_solve:.0f} s{_which_solve(hm)} "
            f"({highs.getModelStatus()}): not a time limit, more time would not help; use time.aggregation "
            "(representative periods), a shorter horizon or fewer hubs, or a machine with more memory"
        )
    if status == "interrupted":
        return SolverError(
            f"HiGHS was interrupted after {t_solve:.0f} s{_which_solve(hm)} ({highs.getModelStatus()}); nothing "
            "was written"
        )
    return SolverError(solver_failure_message(hm, highs, t_solve))


def _which_solve(hm: HubModel) -> str:
    """' in the sizing on typical periods' / ' in the full-horizon dispatch' with time.aggregation, else ''."""
    if hm.scenario.time.aggregation is None:
        return ""
    return " in the sizing on typical periods" if hm.time.times is None else " in the full-horizon dispatch"


def time_limit_hint(hm: HubModel) -> str:
    """What to change when HiGHS found no solution within its time limit.

    Representative periods (``time.aggregation``) are suggested only to a scenario that does not use them yet.
    """
    if hm.scenario.time.aggregation is None:
        return "raise solver.time_limit_s, loosen solver.mip_gap, or use time.aggregation (representative periods)"
    return (
        "raise solver.time_limit_s, loosen solver.mip_gap, or try solver.preset 'fast' (more MIP heuristics; "
        "solver.time_limit_s still overrides its time limit)"
    )


def solver_failure_message(hm: HubModel, highs: highspy.Highs, t_solve: float) -> str:
    """The message of a HiGHS failure: a model status that is neither a solution, an infeasibility nor a limit."""
    ms = highs.getModelStatus()
    label = highs.modelStatusToString(ms)
    head = (
        f"HiGHS failed on scenario '{hm.scenario.name}': it ended after {t_solve:.0f} s with model status "
        f"'{label}' ({ms}), which is neither a solution, nor an infeasibility, nor a time limit"
    )
    if ms == highspy.HighsModelStatus.kUnbounded:
        return (
            f"{head}; the model is unbounded (every cost and revenue of energyhub is meant to be bounded): this is "
            "a bug, report it with the scenario file"
        )
    return (
        f"{head}; the scenario is not at fault and more time would not help: retry with another solver.preset or "
        "other solver.options (e.g. presolve: \"off\"), and report it with the scenario file if it persists"
    )
