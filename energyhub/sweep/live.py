"""The real model kept alive between sweep points: change numbers in the live HiGHS instance and re-solve warm.

:class:`LiveModel` implements :class:`energyhub.sweep.points.CompiledModel` for the pipeline backend. It holds the
built :class:`~energyhub.model.core.HubModel` and its :class:`~energyhub.solve.highs.CompiledModel` (with the live
``highspy.Highs``) of every stage of :func:`energyhub.solve.workflow.solve_scenario`:

* without ``time.aggregation``: one full-horizon model;
* with it: the sizing model on typical periods, plus (``check_full_horizon``) the full-horizon dispatch model.
  Unlike a cold solve, the dispatch model is built *once* with its size variables free and they are fixed by
  setting both column bounds to the sizing result before each solve (the same rounding and clamping as
  :func:`energyhub.model.sizes.fix_sizes`), so that a new sizing does not need a rebuild. The optimum is the
  same; the MIP may stop at a different solution within the gap;
* with the dispatch in monthly windows (``dispatch_windows: month`` over more than one month,
  :func:`energyhub.pipeline.decomposed`): the sizing model only. After each re-solve of it the windows are built
  and solved as ``energyhub solve`` does (:func:`energyhub.decompose.dispatch_sized`, in the worker's thread), so a
  point's dispatch is the same decomposition as a cold solve's, and no full-horizon model is held in memory.

What can change in place (:data:`MAPPED`; anything else makes :meth:`LiveModel.apply` return False, so the worker
rebuilds the model cold):

* the capex fields a component declares live in the registry (:attr:`energyhub.model.registry.Component.live_capex`,
  e.g. ``assets.<battery>.energy_mwh.capex_eur_per_mwh``, ``assets.<reinforcement>.capex_eur``): objective
  coefficients of the size column (annualised capex and fixed O&M) and the objective offset (``−capex × existing``);
* ``hubs.<h>.connection.import_mw`` / ``export_mw``: the upper bounds of ``imp_mw``/``exp_mw`` (× the transport
  right's availability) and of the contracted capacity ``cap_mw`` (only for hubs with a contracted-capacity
  tariff; without one ``cap_mw`` is fixed at ``import_mw`` when built, so a change rebuilds). The network rows
  are screened at the bounds (:mod:`energyhub.model.network`): the model is built screened at the sweep's
  largest limits (``reach``), and a bound raised beyond what was screened rebuilds when it needs a row that is
  not there, so no branch limit that can bind is ever missing;
* the penalties components declare live (``live_penalties``: ``economics.voll_eur_per_mwh``,
  ``economics.h2_shortfall_eur_per_kg``, ``economics.overload_penalty_eur_per_mwh``): objective coefficients.

The model's cost bookkeeping (``hm.cost_terms``/``hm.cost_const``, from which ``costs_eur`` is computed) and its
scenario (``hm.data``, for the summary and the AC check) follow every change, so a re-solved point's summary and
dataset are those of a cold solve of the point's scenario (tests/sweep/test_sweep_pipeline.py checks this). None
of the mapped paths changes a time series, so the series (and the typical periods) are kept.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.network import SCREEN_AT, screening_holds
from energyhub.model.registry import component_of, components
from energyhub.model.sizes import fixed_in_dispatch, size_vars
from energyhub.pipeline import Execution, Prepared, Timings, decomposed, finish_solved, finish_windows, model_inputs
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.schema import Scenario
from energyhub.solve.highs import SOLVED, SolveResult, compile_model, configure, resolve
from energyhub.solve.highs import CompiledModel as HighsModel

_ASSET = re.compile(r"^assets\.([^.]+)\.(.+)$")
_CONNECTION = re.compile(r"^hubs\.([^.]+)\.connection\.(import_mw|export_mw)$")
#: Penalties: scenario path -> cost category (each category holds this parameter's terms only), from the registry.
PENALTIES: dict[str, str] = {path: cat for c in components() for path, cat in c.live_penalties.items()}
#: The kinds of paths :meth:`LiveModel.apply` changes in place (documentation; see the module docstring).
MAPPED = (
    *(f"assets.<{t}>.{lc.field}" for c in components() for t in c.asset_types for lc in c.live_capex),
    _CONNECTION.pattern, *PENALTIES,
)


@dataclass
class Stage:
    """One built model in a live HiGHS instance, and its last solution (the next solve's start)."""

    hm: HubModel
    cm: HighsModel
    handover_s: float
    x: np.ndarray | None = None
    fresh: bool = True  # not solved yet: report its build and hand-over times

    @classmethod
    def build(cls, hm: HubModel, options: dict[str, Any]) -> Stage:
        t0 = time.perf_counter()
        cm = compile_model(hm)
        configure(cm, options)
        return cls(hm, cm, time.perf_counter() - t0)

    def cols(self, vars_: list[Any]) -> np.ndarray | None:
        """Columns of VarData; None when one of them is not a column (fixed or unused)."""
        cols = [self.cm.column(v) for v in vars_]
        if any(c is None for c in cols):
            return None
        return np.asarray(cols, dtype=np.int32)

    def change_costs(self, deltas: dict[int, float]) -> None:
        if deltas:
            cols = np.fromiter(deltas, dtype=np.int32)
            self.cm.cost[cols] += np.fromiter(deltas.values(), dtype=float)
            self.cm.highs.changeColsCost(len(cols), cols, self.cm.cost[cols])

    def shift_offset(self, delta: float) -> None:
        if delta:
            self.cm.offset += delta
            self.cm.highs.changeObjectiveOffset(self.cm.offset)

    def set_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        if len(cols):
            self.cm.highs.changeColsBounds(len(cols), cols, lower.astype(float), upper.astype(float))

    def run(self) -> tuple[SolveResult, float]:
        handover = self.handover_s if self.fresh else 0.0
        res = resolve(self.hm, self.cm, self.x, handover)
        t_solve = res.timings_s["solve"]
        if not self.fresh:
            res.timings_s["build"] = 0.0
        self.fresh = False
        if res.status in SOLVED:
            self.x = res.x.copy()
        return res, t_solve


@dataclass
class LiveModel:
    """The built stages of one scenario, changed in place between sweep points (see the module docstring)."""

    prep: Prepared
    inputs: GridInputs
    sizing: Stage | None  # typical periods (None without time.aggregation)
    final: Stage | None  # full horizon (None: typical periods only)
    size_bounds: dict[str, tuple[float, float]] = field(default_factory=dict)  # sizing's bounds, by size name
    seconds: dict[str, float] = field(default_factory=dict)  # load/grid/build times to report on the next solve
    options: dict[str, Any] = field(default_factory=dict)  # the scenario's HiGHS options (for the windows)
    windows: bool = False  # the dispatch in monthly windows after the sizing (instead of ``final``)

    @classmethod
    def build(cls, prep: Prepared, timings: Timings, reach: dict[str, float] | None = None) -> LiveModel:
        """Build every stage; ``reach`` is the largest value each swept path takes (the sweep knows all its
        points): the network rows are screened at the largest connection limits, so that raising a limit up to
        there keeps every row that can bind (:func:`energyhub.model.network.screening_holds`)."""
        from energyhub.model.build import build_model
        from energyhub.scenario.load import SOLVERS_DIR
        from energyhub.solve.options import resolve_options
        from energyhub.solve.workflow import build_sizing

        data = prep.data
        options = dict(resolve_options(data.scenario.solver, SOLVERS_DIR, data.path))
        inputs = model_inputs(prep, timings)
        spec = data.scenario.time.aggregation
        info = {SCREEN_AT: _connection_reach(reach or {})}
        sizing = final = None
        windows = decomposed(data)
        if spec is not None:
            sizing = Stage.build(build_sizing(data, inputs, info=info), options)
        if spec is None or (spec.check_full_horizon and not windows):
            final = Stage.build(build_model(data, inputs, info=info), options)
        bounds_of = sizing or final
        assert bounds_of is not None
        bounds = {name: (float(v.lb or 0.0), float(v.ub) if v.ub is not None else np.inf)
                  for name, v in size_vars(bounds_of.hm).items()}
        return cls(prep, inputs, sizing, final, bounds, dict(timings.seconds), options, windows)

    @property
    def stages(self) -> list[Stage]:
        return [s for s in (self.sizing, self.final) if s is not None]

    @property
    def scenario(self) -> Scenario:
        return self.prep.data.scenario

    # ------------------------------------------------------------------------------------------------ changes
    def apply(self, changes: dict[str, float]) -> bool:
        return all(self._apply_one(path, value) for path, value in changes.items())

    def set_scenario(self, scenario: Scenario, path: Path) -> None:
        """The point's scenario (after :meth:`apply`): its series are those of the live model's (no mapped path
        changes a series), so they are kept."""
        old = self.prep.data
        data = ScenarioData(scenario, path, old.times, old.series)
        self.prep = replace(self.prep, data=data)
        for stage in self.stages:
            stage.hm.data = data

    def _apply_one(self, path: str, value: float) -> bool:
        if (match := _ASSET.match(path)) is not None:
            return self._change_capex(path, match.group(1), match.group(2), value)
        if path in PENALTIES:
            old = float(getattr(self.scenario.economics, path.split(".")[1]))
            return self._change_param(path, old, value, 0.0, PENALTIES[path])
        if (match := _CONNECTION.match(path)) is not None:
            return self._change_connection(match.group(1), match.group(2), value)
        return False

    def _change_capex(self, path: str, name: str, field_path: str, value: float) -> bool:
        """A capex field the asset's component declares live (:class:`energyhub.model.registry.LiveCapex`)."""
        asset = _asset(self.scenario, name)
        component = component_of(asset.type) if asset is not None else None
        live = next((lc for lc in component.live_capex if lc.field == field_path), None) if component else None
        if live is None:
            return False
        try:  # a component with several asset types: not every type has every live field
            old = _field(asset, live.field)
            existing = _field(asset, live.existing) if live.existing is not None else 0.0
        except AttributeError:
            return False
        return self._change_param(path, old, value, existing, None)

    def _change_param(self, path: str, old: float, new: float, existing: float, category: str | None) -> bool:
        """A cost parameter recorded in ``hm.cost_params`` (capex: ``path#capex``/``path#fixed_om``)."""
        names = [path] if category is not None else [f"{path}#capex", f"{path}#fixed_om"]
        for stage in self.stages:
            params = {n: stage.hm.cost_params[n] for n in names if n in stage.hm.cost_params}
            if not params:
                return False
            for name, entries in params.items():
                if stage.cols([v for v, _ in entries]) is None:
                    return False
                cat = category or name.rpartition("#")[2]
                deltas: dict[int, float] = {}
                for var, factor in entries:
                    col = stage.cm.column(var)
                    assert col is not None
                    deltas[col] = deltas.get(col, 0.0) + factor * (new - old)
                stage.change_costs(deltas)
                # bookkeeping for costs_eur: the terms of these variables in this category, as build_model adds them
                ids = {id(v) for v, _ in entries}
                kept = [(c, v) for c, v in stage.hm.cost_terms.get(cat, []) if id(v) not in ids]
                added = [(f * new, v) for v, f in entries if f != 0.0 and new != 0.0]
                stage.hm.cost_terms[cat] = kept + added
                if category is None and existing:
                    share = entries[0][1]
                    stage.hm.cost_const[cat] -= share * (new - old) * existing
                    stage.shift_offset(-share * (new - old) * existing)
        return True

    def _change_connection(self, hub: str, field_name: str, value: float) -> bool:
        """New bounds of ``imp_mw``/``exp_mw`` (and ``cap_mw``) in HiGHS and in the Pyomo model; False (rebuild)
        when a raised bound needs a network row that screening left out."""
        if value < 0 or hub not in [h.name for h in self.scenario.hubs]:
            return False
        for stage in self.stages:
            m = stage.hm.m
            var = m.imp_mw if field_name == "import_mw" else m.exp_mw
            avail = np.asarray(stage.hm.info["availability"][hub], dtype=float)
            cols = stage.cols([var[hub, t] for t in stage.hm.steps])
            if cols is None:
                return False
            if field_name == "import_mw":
                cap = m.cap_mw[hub]
                if cap.fixed:  # no contracted-capacity tariff: cap_mw is fixed at import_mw (structural)
                    return False
                cap_col = stage.cols([cap])
                if cap_col is None:
                    return False
                stage.set_bounds(cap_col, np.zeros(1), np.array([value]))  # free in every stage (FREE_IN_DISPATCH)
                cap.setub(value)
                self.size_bounds[f"{hub}.contracted_import_mw"] = (0.0, value)
            stage.set_bounds(cols, np.zeros(len(cols)), value * avail)
            for t, ub in zip(stage.hm.steps, value * avail, strict=True):
                var[hub, t].setub(float(ub))
            if not screening_holds(stage.hm):  # a row that can bind now was screened out: rebuild
                return False
        return True

    # ------------------------------------------------------------------------------------------------ solving
    def solve(self) -> tuple[dict[str, Any], Any]:
        timings = Timings()
        timings.seconds.update(self.seconds)
        self.seconds = {}
        if self.windows:
            return self._solve_in_windows(timings)
        fresh = any(s.fresh for s in self.stages)
        build_s = sum(s.hm.timings_s.get("build", 0.0) for s in self.stages) if fresh else 0.0
        handover_s = sum(s.handover_s for s in self.stages if s.fresh)
        sized: SolveResult | None = None
        if self.sizing is not None:
            sized, _ = self.sizing.run()
        if self.final is None:
            assert sized is not None and self.sizing is not None
            hm, res = self.sizing.hm, sized
        else:
            if sized is not None and self.sizing is not None:
                self._fix_sizes(self.final, {n: sized.value(v) for n, v in size_vars(self.sizing.hm).items()})
            hm, res = self.final.hm, self.final.run()[0]
            if sized is not None:
                for key, val in sized.timings_s.items():
                    res.timings_s[f"sizing.{key}"] = val
                hm.info["sizing_objective_eur"] = sized.objective_eur
        timings.seconds["build"] = build_s
        timings.seconds["handover"] = handover_s
        timings.seconds["solve"] = res.timings_s.get("solve", 0.0) + res.timings_s.get("sizing.solve", 0.0)
        summary, dataset = finish_solved(self.prep, self.inputs, hm, res, timings)
        summary["timings_s"] = timings.total()
        return summary, dataset

    def _solve_in_windows(self, timings: Timings) -> tuple[dict[str, Any], Any]:
        """Re-solve the sizing, then dispatch its sizes in monthly windows built cold from the point's scenario."""
        from energyhub.decompose import dispatch_sized

        assert self.sizing is not None
        sized, _ = self.sizing.run()  # its build and hand-over reported on the first solve only
        run = dispatch_sized(self.prep.data, self.inputs, self.options, self.sizing.hm, sized)
        summary, dataset = finish_windows(self.prep, self.inputs, run, timings, Execution())
        summary["timings_s"] = timings.total()
        return summary, dataset

    def _fix_sizes(self, stage: Stage, sizes: dict[str, float]) -> None:
        """Both bounds of the stage's size columns at the sizing result (as :func:`fix_sizes` fixes them)."""
        cols, values = [], []
        for name, var in size_vars(stage.hm).items():
            col = stage.cm.column(var)
            if col is None or name not in sizes or not fixed_in_dispatch(name):
                continue
            lb, ub = self.size_bounds.get(name, (0.0, np.inf))
            value = float(sizes[name])
            ub_or_value = ub if np.isfinite(ub) and ub else value
            cols.append(col)
            values.append(round(value) if var.is_integer() else min(max(value, lb or 0.0), ub_or_value))
        if cols:
            arr = np.asarray(values, dtype=float)
            stage.set_bounds(np.asarray(cols, dtype=np.int32), arr, arr)


def _connection_reach(reach: dict[str, float]) -> dict[tuple[str, str], float]:
    """``{(hub, "import_mw" | "export_mw"): MW}`` of the swept connection limits in ``reach``."""
    out: dict[tuple[str, str], float] = {}
    for path, value in reach.items():
        if (match := _CONNECTION.match(path)) is not None:
            out[(match.group(1), match.group(2))] = float(value)
    return out


def _asset(scenario: Scenario, name: str) -> Any:
    return next((a for a in scenario.assets if a.name == name), None)


def _field(obj: Any, dotted: str) -> float:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return float(obj)
