"""How HiGHS outcomes other than a solution become errors: a time limit without a solution (exit 4, with a hint
that fits the scenario) and a HiGHS failure (exit 1, naming the status, never reported as a time limit).

Real HiGHS on a tiny battery model: ``time_limit = 0`` makes it stop at once without a feasible point; a ``run``
that does nothing leaves the model status at ``kNotset``, as an unknown outcome of HiGHS would.
"""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
import pytest
from _model_helpers import hub, make_data, no_grid

from energyhub.errors import ExitCode, NoSolutionError, SolverError
from energyhub.model.build import build_model
from energyhub.scenario.data import ScenarioData
from energyhub.solve.highs import solve
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
