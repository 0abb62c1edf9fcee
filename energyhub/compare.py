"""``energyhub compare``: the optimum next to the counterfactuals a feasibility study needs, on the same data.

Alternatives (each an ordinary solve result directory under ``--out DIR``):

* ``optimum``: the scenario as it is (hub assets and reinforcements as the scenario allows);
* ``reinforcement-only``: no hub asset may grow beyond its existing capacity, reinforcements may be built;
* ``hubs-only``: no reinforcement may be built, hub assets may;
* ``as-is``: nothing is built beyond what exists (the baseline, with its overload, unserved-energy and hydrogen
  penalties).

Hub assets are held at their existing size by a changed copy of the scenario (``max = existing`` for every sized
quantity, pydantic ``model_copy``), which the scenario format can express; a reinforcement candidate is kept in the
scenario (so the grid, the typical periods and the monitored branches stay exactly those of the optimum) and its
build decision is fixed at 0 through the model's documented ``extra`` hook. All alternatives are solved and
AC-checked by :func:`energyhub.pipeline.solve_prepared` on one prepared grid (in this process), or in local worker
processes (``workers > 1``: each process prepares the grid once for the alternatives it solves).

``DIR/comparison.json`` holds the figures of :func:`comparison`; the optimum's ``summary.json`` gets each hub's
returns (:func:`energyhub.results.finance.hub_returns`, against *reinforcement only*) under
``finance.hub_returns``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import xarray as xr

from energyhub.errors import EnergyhubError, InputError
from energyhub.scenario.schema import Scenario

OPTIMUM, REINFORCEMENT_ONLY, HUBS_ONLY, AS_IS = "optimum", "reinforcement-only", "hubs-only", "as-is"
ALTERNATIVES = (OPTIMUM, REINFORCEMENT_ONLY, HUBS_ONLY, AS_IS)
DESCRIPTIONS = {
    OPTIMUM: "hub assets and reinforcements as the scenario allows",
    REINFORCEMENT_ONLY: "reinforcements only: no hub asset beyond its existing capacity",
    HUBS_ONLY: "hub assets only: no reinforcement",
    AS_IS: "nothing built beyond what exists (the baseline with its penalties)",
}
COMPARISON_FILE = "comparison.json"
Solved = tuple[dict[str, Any], xr.Dataset]


# ------------------------------------------------------------------------------------------------ alternatives
def without_hub_assets(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` in which no hub asset may grow beyond its existing capacity."""
    assets = []
    for asset in scenario.assets:
        update = {}
        if asset.at_hub is not None:  # every size range of a hub asset (energy_mwh, stacks, …) held at existing
            for name in type(asset).model_fields:
                size = getattr(asset, name)
                if hasattr(size, "existing") and hasattr(size, "max"):
                    update[name] = size.model_copy(update={"max": size.existing, "min": min(size.min, size.existing)})
        assets.append(asset.model_copy(update=update) if update else asset)
    return scenario.model_copy(update={"assets": assets})


def forbid_reinforcements(hm: Any) -> None:
    """Model hook (``build_model(extra=…)``): fix every reinforcement's build decision at 0."""
    build = getattr(hm.m, "reinf_build", None)
    if build is not None:
        for key in build:
            build[key].fix(0)


def alternative(scenario: Scenario, name: str) -> tuple[Scenario, tuple[Callable[[Any], None], ...]]:
    """The scenario and extra model components of one alternative."""
    if name not in ALTERNATIVES:
        raise InputError(f"unknown alternative '{name}'; choose from {', '.join(ALTERNATIVES)}")
    hub_scenario = without_hub_assets(scenario) if name in (REINFORCEMENT_ONLY, AS_IS) else scenario
    extra = (forbid_reinforcements,) if name in (HUBS_ONLY, AS_IS) else ()
    return hub_scenario, extra


# ------------------------------------------------------------------------------------------------------ solving
_prepared: dict[str, Any] = {}  # per process: the last prepared grid, by scenario path


def solve_alternative(scenario: Scenario, path: Path, name: str, prepared: Any = None) -> tuple[Solved, Any]:
    """Solve one alternative (cold), reusing ``prepared``'s grid; return ``((summary, dataset), prepared)``."""
    from energyhub import pipeline
    from energyhub.scenario.data import read_series

    timings = pipeline.Timings()
    changed, extra = alternative(scenario, name)
    if prepared is None:
        with timings.stage("load"):
            data = read_series(changed, path)
    else:
        data = replace(prepared.data, scenario=changed)
    prep = pipeline.prepare_data(data, timings, prepared)
    summary, dataset = pipeline.solve_prepared(prep, timings, extra=extra)
    summary["timings_s"] = timings.total()
    summary["alternative"] = {"name": name, "description": DESCRIPTIONS[name]}
    return (summary, dataset), prep


def _solve_in_worker(scenario: Scenario, path: Path, name: str) -> Solved:
    """Worker-process entry: solve one alternative, keeping the prepared grid for the next one in this process."""
    logging.getLogger("pandapower").setLevel(logging.ERROR)  # as the CLI: its numba notice is not the user's
    solved, prep = solve_alternative(scenario, path, name, _prepared.get(str(path)))
    _prepared[str(path)] = prep
    return solved


def solve_all(scenario: Scenario, path: Path, workers: int = 1,
              say: Callable[[str], None] = lambda _m: None) -> dict[str, Solved]:
    """Every alternative's ``(summary, dataset)``: serially on one prepared grid, or in ``workers`` processes."""
    out: dict[str, Solved] = {}
    if workers <= 1:
        prepared = None
        for name in ALTERNATIVES:
            say(f"solving {name}")
            with _naming(name):
                out[name], prepared = solve_alternative(scenario, path, name, prepared)
        return out
    from energyhub.sweep.executors import _stop
    from energyhub.sweep.worker import init_process_worker

    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_process_worker)
    try:
        futures = {name: pool.submit(_solve_in_worker, scenario, path, name) for name in ALTERNATIVES}
        say(f"solving {len(futures)} alternatives in {workers} processes")
        for name, future in futures.items():
            with _naming(name):
                out[name] = future.result()
    except BaseException:
        _stop(pool)  # as the sweep: kill the workers at once on an error or Ctrl-C
        raise
    pool.shutdown(wait=True)
    return out


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """Prefix a known error's message with the alternative it came from (same class: same exit code)."""
    try:
        yield
    except EnergyhubError as exc:
        raise type(exc)(f"alternative '{name}' ({DESCRIPTIONS[name]}): {exc}") from exc


# -------------------------------------------------------------------------------------------------- comparison
def _built(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Assets built beyond their existing capacity, with their sizes (from the finance block)."""
    finance = summary.get("finance") or {}
    caps = summary.get("capacities") or {}
    return {name: caps.get(name, {}) for name, asset in (finance.get("assets") or {}).items()
            if float(asset.get("investment_eur") or 0.0) > 0.0}


def alternative_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures of one alternative that the comparison shows."""
    kpis = summary.get("kpis") or {}
    actors = (summary.get("finance") or {}).get("actors") or {}
    hub_side, grid_side = actors.get("hub_companies") or {}, actors.get("grid_operator") or {}
    return {
        "description": (summary.get("alternative") or {}).get("description", ""),
        "status": summary.get("status"),
        "cost_eur_per_year": summary.get("objective_eur"),
        "costs_eur": summary.get("costs_eur") or {},
        "hub_investment_eur": hub_side.get("investment_eur", 0.0),
        "reinforcement_investment_eur": grid_side.get("investment_eur", 0.0),
        "reinforcement_annuity_eur_per_year": sum(
            a["annuity_eur_per_year"] for a in ((summary.get("finance") or {}).get("assets") or {}).values()
            if a.get("side") == "grid"),
        "overloaded_branch_hours_ac": kpis.get("overloaded_branch_hours_after"),
        "max_loading_pct_ac": kpis.get("max_loading_pct_after"),
        "overload_mwh_dc": kpis.get("overload_mwh_after"),
        "shed_mwh": kpis.get("shed_mwh"),
        "h2_shortfall_kg": kpis.get("h2_shortfall_kg"),
        "curtailed_mwh": kpis.get("curtailed_mwh"),
        "built": _built(summary),
        "actors": actors,
    }


def comparison(summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``comparison.json``: the alternatives side by side and what the hub assets are worth.

    * ``value_of_hub_assets_eur_per_year`` = cost(reinforcement only) − cost(optimum);
    * ``reinforcement_capex_avoided_eur`` (``_eur_per_year``: its annuity) = reinforcement investment (annuity)
      of *reinforcement only* − that of the optimum;
    * ``congestion_relieved_branch_hours`` = AC overloaded branch-hours of *as is* − of the optimum, and per EUR
      of the optimum's investment (hub assets + reinforcements) and per EUR per year of its annualised capex.
    """
    alts = {name: alternative_figures(summaries[name]) for name in ALTERNATIVES if name in summaries}
    opt, reinf, as_is = alts[OPTIMUM], alts[REINFORCEMENT_ONLY], alts[AS_IS]
    relieved = _minus(as_is["overloaded_branch_hours_ac"], opt["overloaded_branch_hours_ac"])
    investment = opt["hub_investment_eur"] + opt["reinforcement_investment_eur"]
    capex_per_year = float(opt["costs_eur"].get("capex", 0.0))
    return {
        "scenario": summaries[OPTIMUM].get("scenario"),
        "alternatives": alts,
        "value_of_hub_assets_eur_per_year": _minus(reinf["cost_eur_per_year"], opt["cost_eur_per_year"]),
        "reinforcement_capex_avoided_eur": reinf["reinforcement_investment_eur"] - opt["reinforcement_investment_eur"],
        "reinforcement_capex_avoided_eur_per_year": reinf["reinforcement_annuity_eur_per_year"]
        - opt["reinforcement_annuity_eur_per_year"],
        "congestion_relieved_branch_hours": relieved,
        "congestion_relieved_branch_hours_per_meur_invested":
            None if relieved is None or investment <= 0 else relieved / investment * 1e6,
        "congestion_relieved_branch_hours_per_meur_per_year":
            None if relieved is None or capex_per_year <= 0 else relieved / capex_per_year * 1e6,
    }


def _minus(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return None
    return float(a) - float(b)


# ------------------------------------------------------------------------------------------------------ writing
def check_compare_out(out: Path) -> None:
    """``--out`` must be new, empty or an earlier compare directory (it is replaced as a whole)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; give a directory (it is created)")
    if out.is_dir() and any(out.iterdir()) and not (out / COMPARISON_FILE).is_file():
        raise InputError(f"--out {out}: the folder exists, is not empty and is not an energyhub compare directory "
                         f"(it holds no {COMPARISON_FILE}); choose a new or empty folder")


def write_compare(out: Path, solved: dict[str, Solved]) -> dict[str, Any]:
    """Write every alternative's result directory and ``comparison.json`` into ``out`` atomically."""
    from energyhub.results.finance import hub_returns
    from energyhub.results.write import _plain, write_results

    check_compare_out(out)
    opt_summary = solved[OPTIMUM][0]
    opt_summary.setdefault("finance", {})["hub_returns"] = hub_returns(
        opt_summary.get("finance") or {}, solved[REINFORCEMENT_ONLY][0].get("finance") or {})
    result = comparison({name: s for name, (s, _ds) in solved.items()})
    result["hub_returns"] = opt_summary["finance"]["hub_returns"]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for name, (summary, dataset) in solved.items():
            write_results(tmp / name, summary, dataset)
        (tmp / COMPARISON_FILE).write_text(json.dumps(_plain(result), indent=2, allow_nan=False) + "\n",
                                           encoding="utf-8")
        old = out.with_name(f".{out.name}.old-{tmp.name}") if out.exists() else None
        if old is not None:
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


@dataclass
class CompareRun:
    """What ``energyhub compare`` did: the figures written and the seconds it took."""

    comparison: dict[str, Any]
    seconds: float


def run_compare(path: Path, out: Path, workers: int = 1, say: Callable[[str], None] = lambda _m: None) -> CompareRun:
    """Load the scenario, solve every alternative and write ``out``."""
    import time

    from energyhub.scenario.load import load_scenario

    start = time.perf_counter()
    check_compare_out(out)
    scenario = load_scenario(path)
    solved = solve_all(scenario, path, workers, say)
    return CompareRun(write_compare(out, solved), time.perf_counter() - start)


def comparison_table(result: dict[str, Any], out: str, seconds: float) -> str:
    """The console summary of ``energyhub compare``."""

    def num(value: Any, unit: str = "", digits: int = 0) -> str:
        if not isinstance(value, int | float):
            return "n/a"
        return f"{round(value, digits) + 0.0:,.{digits}f} {unit}".rstrip()  # + 0.0: no "-0"

    lines = [f"compared {result.get('scenario')}: written to {out} ({seconds:.1f} s)",
             f"  {'alternative':<20}{'cost EUR/year':>16}{'AC overloaded h':>18}{'shed MWh':>11}{'H2 short kg':>13}"]
    for name, alt in result["alternatives"].items():
        lines.append(f"  {name:<20}{num(alt['cost_eur_per_year']):>16}{num(alt['overloaded_branch_hours_ac']):>18}"
                     f"{num(alt['shed_mwh'], '', 1):>11}{num(alt['h2_shortfall_kg']):>13}")
    lines += [
        f"  value of the hub assets          {num(result['value_of_hub_assets_eur_per_year'], 'EUR/year')}",
        f"  reinforcement capex avoided      {num(result['reinforcement_capex_avoided_eur'], 'EUR')} "
        f"({num(result['reinforcement_capex_avoided_eur_per_year'], 'EUR/year')})",
        f"  congestion relieved              {num(result['congestion_relieved_branch_hours'], 'branch-hours')}",
    ]
    return "\n".join(lines)
