"""How HiGHS outcomes other than a solution become errors: a time limit without a solution (exit 4, with a hint
that fits the scenario) and a HiGHS failure (exit 1, naming the status, never reported as a time limit).

Real HiGHS on a tiny battery model: ``time_limit = 0`` makes it stop at once without a feasible point; a ``run``
that does nothing leaves the model status at ``kNotset``, as an unknown outcome of HiGHS would.
"""

from __future__ import annotations

import time
from typing import Any

import highspy
import numpy as np
import pytest
from _model_helpers import hub, make_data, no_grid

from energyhub.errors import ExitCode, NoSolutionError, SolverError
from energyhub.model.build import build_model
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import _status, apply_options, compile_model, solve, watch_time_limit
from energyhub.solve.workflow import solve_scenario

NO_TIME: dict[str, Any] = {"time_limit": 0.0, "threads": 1}


def battery_data(**extra: Any) -> ScenarioData:
    """Two days of day/night prices and a battery that may be built (a MIP: build_or_not)."""
    hours = np.arange(48) % 24
    price = np.where((hours >= 8) & (hours < 20), 100.0, 10.0)
    assets = [{"type": "battery", "name": "bat", "hub": "h", "build_or_not": True,
               "energy_mwh": {"min": 1.0, "max": 20.0, "capex_eur_per_mwh": 1e4},
               "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e3}}]
    series = {"hubs.h.demand_mw": 2.0, "markets.NL.energy_price_eur_per_mwh": price}
    return make_data(48, [hub("h", export_mw=0.0)], assets=assets, series=series, **extra)


def test_time_limit_without_aggregation_suggests_it() -> None:
    data = battery_data()
    with pytest.raises(NoSolutionError) as caught:
        solve(build_model(data, no_grid(data)), NO_TIME)
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.NO_SOLUTION
    assert "kTimeLimit" in message and "without a feasible solution" in message
    assert "solver.time_limit_s" in message and "use time.aggregation" in message


def test_time_limit_with_aggregation_does_not_suggest_it_again() -> None:
    """A scenario that already sizes on representative periods is pointed to the time limit, the gap and the fast
    preset instead, and told which of its two solves stopped."""
    data = battery_data(time={"aggregation": {"typical_periods": 1, "hours_per_period": 24}})
    with pytest.raises(NoSolutionError) as caught:
        solve_scenario(data, no_grid(data), NO_TIME)
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.NO_SOLUTION
    assert "without a feasible solution in the sizing on typical periods" in message
    assert "time.aggregation" not in message
    assert "solver.time_limit_s" in message and "solver.mip_gap" in message and "solver.preset 'fast'" in message


def test_unknown_highs_status_is_a_solver_failure_not_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS ending without an outcome (model status kNotset) is a SolverError (exit 1) naming the status."""
    data = battery_data()
    hm = build_model(data, no_grid(data))
    monkeypatch.setattr(highspy.Highs, "run", lambda self: highspy.HighsStatus.kOk)
    with pytest.raises(SolverError) as caught:
        solve(hm, {"threads": 1})
    message = str(caught.value)
    assert not isinstance(caught.value, NoSolutionError)
    assert caught.value.exit_code == ExitCode.UNEXPECTED
    assert message.startswith("HiGHS failed on scenario 'test'")
    assert "kNotset" in message and "'Not Set'" in message
    assert "without a feasible solution" not in message and "time_limit_s" not in message


def test_thread_count_may_change_between_solves_in_one_process() -> None:
    """HiGHS's process-wide scheduler keeps the thread count of its first run; a later solve with another count
    (a session mixing presets: tests with 1 thread, then the reference study's default of 2) must still solve."""
    data = battery_data()
    objectives = []
    for threads in (1, 2, 1):
        result = solve(build_model(data, no_grid(data)), {"threads": threads, "mip_rel_gap": 1e-9})
        assert result.status == "optimal", threads
        objectives.append(result.objective_eur)
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-9) == pytest.approx(objectives[2], rel=1e-9)


def test_progress_reports_improving_solutions_while_highs_searches() -> None:
    """A long MIP must not be silent: the first improving solution is reported with its objective (throttled
    afterwards), before the final 'optimal' line, and the last one reported is never better than the optimum."""
    data = battery_data()
    said: list[str] = []
    result = solve(build_model(data, no_grid(data)), {"threads": 1, "mip_rel_gap": 1e-9}, progress=said.append)
    found = [line for line in said if line.startswith("HiGHS: solution ")]
    assert found, said
    assert said.index(found[0]) < next(i for i, line in enumerate(said) if line.startswith("HiGHS: optimal"))
    last = float(found[-1].removeprefix("HiGHS: solution ").split(" EUR/yr")[0].replace(",", ""))
    assert last >= result.objective_eur - 1.0


# ----------------------------------------------------------------------- the real reason HiGHS stopped (item 13)
def lp_battery_data() -> ScenarioData:
    """The battery of :func:`battery_data` without build_or_not: an LP (dual simplex honours objective_bound)."""
    hours = np.arange(48) % 24
    price = np.where((hours >= 8) & (hours < 20), 100.0, 10.0)
    assets = [{"type": "battery", "name": "bat", "hub": "h", "energy_mwh": {"max": 20.0, "capex_eur_per_mwh": 1e4},
               "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e3}}]
    series = {"hubs.h.demand_mw": 2.0, "markets.NL.energy_price_eur_per_mwh": price}
    return make_data(48, [hub("h", export_mw=0.0)], assets=assets, series=series)


def hard_mip_data(steps: int = 336, hubs: int = 4) -> ScenarioData:
    """Biogas engines with a minimum up time and optional batteries under random prices: builds in under a second,
    but HiGHS needs far more than 30 s to prove the optimum (measured: gap 3e-6 after 30 s)."""
    rng = np.random.default_rng(1)
    assets: list[dict[str, Any]] = []
    for i in range(hubs):
        assets.append({"type": "biogas", "name": f"g{i}", "hub": f"h{i}", "unit_mw": 1.0, "units": {"max": 3},
                       "biogas_supply_mwh_per_day": 30.0, "min_load_frac": 0.5, "min_up_h": 3,
                       "variable_om_eur_per_mwh": 50.0})
        assets.append({"type": "battery", "name": f"b{i}", "hub": f"h{i}", "build_or_not": True,
                       "energy_mwh": {"min": 1.0, "max": 20.0, "capex_eur_per_mwh": 2e3},
                       "power_mw": {"max": 5.0, "capex_eur_per_mw": 1e3}})
    hub_list = [hub(f"h{i}", import_mw=3.0, export_mw=0.0, demand_mw=float(1 + i % 3)) for i in range(hubs)]
    series = {"markets.NL.energy_price_eur_per_mwh": rng.uniform(0.0, 200.0, steps)}
    return make_data(steps, hub_list, assets=assets, series=series)


def test_objective_bound_is_named_not_reported_as_a_time_limit() -> None:
    """objective_bound below the LP's optimum: dual simplex stops with kObjectiveBound (no solution cheaper)."""
    data = lp_battery_data()
    optimum = solve(build_model(data, no_grid(data)), {"threads": 1}).objective_eur
    with pytest.raises(NoSolutionError) as caught:
        solve(build_model(data, no_grid(data)), {"threads": 1, "presolve": "off", "objective_bound": 0.5 * optimum})
    message = str(caught.value)
    assert "kObjectiveBound" in message and "no solution is cheaper than solver.options.objective_bound" in message
    assert "time_limit_s" not in message


def test_node_limit_is_named_not_reported_as_a_time_limit() -> None:
    data = battery_data()
    result = solve(build_model(data, no_grid(data)), {"threads": 1, "mip_max_nodes": 0}, raise_on_failure=False)
    assert result.status == "limit_no_solution"
    with pytest.raises(NoSolutionError, match=r"node, iteration or solution limit of solver\.options"):
        solve(build_model(data, no_grid(data)), {"threads": 1, "mip_max_nodes": 0})


def test_an_interrupt_is_not_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run interrupted from a HiGHS callback (as Ctrl-C through highspy does) is exit 1 'interrupted'."""
    run = highspy.Highs.run

    def interrupted_run(self: highspy.Highs) -> Any:
        self.cbMipInterrupt.subscribe(lambda event: event.interrupt())
        return run(self)

    monkeypatch.setattr(highspy.Highs, "run", interrupted_run)
    data = battery_data()
    hm = build_model(data, no_grid(data))
    assert solve(hm, {"threads": 1}, raise_on_failure=False).status == "interrupted"
    with pytest.raises(SolverError) as caught:
        solve(build_model(data, no_grid(data)), {"threads": 1})
    assert caught.value.exit_code == ExitCode.UNEXPECTED
    assert "HiGHS was interrupted" in str(caught.value) and "kInterrupt" in str(caught.value)
    assert "time_limit_s" not in str(caught.value)


def test_a_memory_limit_is_not_a_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS's kMemoryLimit cannot be provoked safely on a shared machine: a real run whose model status then
    reads kMemoryLimit. It is a HiGHS failure (exit 1) that says what to change, never a time limit."""
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kMemoryLimit)
    data = battery_data()
    with pytest.raises(SolverError) as caught:
        solve(build_model(data, no_grid(data)), {"threads": 1})
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.UNEXPECTED and not isinstance(caught.value, NoSolutionError)
    assert "ran out of memory" in message and "time.aggregation" in message and "time_limit" not in message


def test_the_wall_clock_watch_stops_highs_and_counts_as_the_time_limit() -> None:
    """HiGHS's own time_limit off: energyhub's wall-clock watch (HiGHS callbacks) interrupts it at 0.5 s, and
    the interrupt is reported as the time limit it is."""
    data = hard_mip_data()
    compiled = compile_model(build_model(data, no_grid(data)))
    apply_options(compiled.highs, {"threads": 1, "mip_rel_gap": 0.0}, None)
    stop = watch_time_limit(compiled.highs, {"time_limit": 0.5})
    start = time.perf_counter()
    compiled.highs.run()
    elapsed = time.perf_counter() - start
    assert stop() is True
    assert compiled.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert _status(compiled.highs, True, deadline_hit=True) == "time_limit_feasible"
    assert elapsed < 0.5 + 2.0


def test_a_time_limit_of_2_s_holds_on_a_model_that_takes_much_longer() -> None:
    data = hard_mip_data()
    result = solve(build_model(data, no_grid(data)), {"threads": 1, "mip_rel_gap": 0.0, "time_limit": 2.0})
    assert result.status == "time_limit_feasible"
    assert result.timings_s["solve"] < 2.0 + 3.0


def test_hipo_interior_point_is_installed_and_gives_the_same_optimum() -> None:
    """HiGHS's newer interior point (``solver``/``mip_lp_solver: hipo``, for the root LP of large sizings,
    benchmarks/README.md) needs BLAS, METIS and AMD from ``highspy-extras``; without them HiGHS says the features
    are unavailable and falls back to the simplex. On the battery model's LP relaxation: interior-point iterations
    ran, and the optimum is the dual simplex's."""

    def relaxation(solver: str) -> highspy.Highs:
        compiled = compile_model(build_model(battery_data(), no_grid(battery_data())))
        h = compiled.highs
        n = h.getNumCol()
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        apply_options(h, {"solver": solver, "presolve": "off", "threads": 1}, None)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return h

    simplex, hipo = relaxation("simplex"), relaxation("hipo")
    assert hipo.getInfo().ipm_iteration_count > 0 and hipo.getInfo().simplex_iteration_count == 0
    assert hipo.getInfo().objective_function_value == pytest.approx(
        simplex.getInfo().objective_function_value, rel=1e-7)
