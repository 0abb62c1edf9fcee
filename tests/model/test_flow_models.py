"""The ``transport`` and ``copperplate`` flow models solved by hand, also with typical periods.

The grid (three buses, bus 0 the external grid): branch 0 from bus 0 to bus 1 (limit 1.5 MW), branch 1 from bus 1
to bus 2 (1.5 MW), branch 2 from bus 0 to bus 2 (1 MW). A fixed load of 0.5 MW sits at bus 1, the hub at bus 2
(demand 3 MW, price 10 EUR/MWh, VOLL 1000 < overload penalty 5000 EUR/MWh).

Transport: Kirchhoff's current law at bus 1 gives f0 = f1 + 0.5 ≤ 1.5, so f1 ≤ 1; at bus 2 the import is
f1 + f2 ≤ 1 + 1 = 2 MW (flows may split in any way, unlike DC flows). So 2 MW are imported and 1 MW is shed:
2 × 10 + 1 × 1000 = 1020 EUR per hour. Copper plate: no limits, 3 × 10 = 30 EUR per hour.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from _model_helpers import OPTIONS, hub, make_data, run
from click.testing import CliRunner

from energyhub.cli import cli
from energyhub.model.inputs import GridInputs
from energyhub.scenario.data import ScenarioData
from energyhub.solve.workflow import solve_scenario

REL = 1e-7
INCIDENCE = np.array([[1.0, 0.0, 1.0], [-1.0, 1.0, 0.0], [0.0, -1.0, -1.0]])


def triangle(data: ScenarioData, load_at_bus1_mw: np.ndarray | float = 0.5) -> GridInputs:
    n = len(data.times)
    injection = np.zeros((n, 3))
    injection[:, 1] = -np.broadcast_to(np.asarray(load_at_bus1_mw, dtype=float), (n,))
    return GridInputs(["seg/b0", "seg/b1", "seg/b2"], np.array([1.5, 1.5, 1.0]), np.zeros((n, 3)),
                      np.zeros((3, 1)), ["h"], incidence=INCIDENCE, bus_injection_mw=injection,
                      hub_bus=np.array([2]), slack_buses=[0])


def _data(flow_model: str, periods: int = 1, **kw: object) -> ScenarioData:
    return make_data(periods, [hub("h", demand_mw=3.0, bus="seg/b2")], grid={"flow_model": flow_model},
                     markets=[{"zone": "NL", "energy_price_eur_per_mwh": 10.0}],
                     economics={"voll_eur_per_mwh": 1000.0}, **kw)  # type: ignore[arg-type]


def test_transport_flows_split_freely_within_limits() -> None:
    data = _data("transport")
    hm, res = run(data, triangle(data))
    assert res.status == "optimal"
    assert res.objective_eur == pytest.approx(1020.0 * 8760, rel=REL)
    assert res.value(hm.m.imp_mw["h", 0]) == pytest.approx(2.0, abs=1e-6)
    assert res.value(hm.m.shed_mw["h", 0]) == pytest.approx(1.0, abs=1e-6)
    flows = [res.value(hm.m.flow_mw[b, 0]) for b in range(3)]
    assert flows[0] == pytest.approx(flows[1] + 0.5, abs=1e-6)
    assert flows[0] <= 1.5 + 1e-6 and flows[2] <= 1.0 + 1e-6


def test_copperplate_has_no_limits() -> None:
    data = _data("copperplate")
    hm, res = run(data, triangle(data))
    assert res.objective_eur == pytest.approx(30.0 * 8760, rel=REL)
    assert hm.info["network_rows"] == 0
    assert res.value(hm.m.shed_mw["h", 0]) == pytest.approx(0.0, abs=1e-6)


def test_transport_with_typical_periods() -> None:
    """Two days: the load at bus 1 is 0.5 MW on day 1 and 1 MW on day 2 (then f1 ≤ 0.5, the import ≤ 1.5 MW).

    Demand 3 MW on day 1 (1020 EUR/h as above) and 1 MW on day 2 (10 EUR/h, within 1.5 MW). Two typical days
    represent both days exactly: (24 × 1020 + 24 × 10) × 8760/48 = 4,511,400 EUR/yr, in the sizing on typical
    periods and in the full-horizon dispatch. Typical periods must carry the bus injections day by day.
    """
    load = np.repeat([0.5, 1.0], 24)
    data = _data("transport", 48, series={"hubs.h.demand_mw": np.repeat([3.0, 1.0], 24)},
                 time={"aggregation": {"typical_periods": 2, "hours_per_period": 24}})
    hm, res = solve_scenario(data, triangle(data, load), OPTIONS)
    expected = (24 * 1020.0 + 24 * 10.0) * 8760 / 48
    assert hm.info["sizing_objective_eur"] == pytest.approx(expected, rel=REL)
    assert res.objective_eur == pytest.approx(expected, rel=REL)


@pytest.mark.filterwarnings("ignore:.*no profiles found:UserWarning")  # tiny_grid.json is static, on purpose
@pytest.mark.parametrize("flow_model", ["transport", "copperplate"])
def test_solve_with_typical_periods_on_the_small_grid(flow_model: str, tmp_path: Path) -> None:
    """``energyhub solve`` with ``flow_model: transport`` (or ``copperplate``) and ``time.aggregation`` on the
    small scenario, cut to two days: exit 0 and a summary (transport crashed with exit 1 before)."""
    small = Path(__file__).resolve().parents[1] / "data" / "small"
    for item in small.iterdir():
        if item.suffix in (".csv", ".json"):
            shutil.copy(item, tmp_path / item.name)
    hourly = (small / "profiles_hourly.csv").read_text().splitlines()
    (tmp_path / "profiles_hourly.csv").write_text("\n".join(hourly[:49]) + "\n")
    raw = yaml.safe_load((small / "scenario.yaml").read_text())
    raw["time"]["periods"] = 48
    raw["time"]["aggregation"]["typical_periods"] = 2
    raw["grid"]["flow_model"] = flow_model
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(raw))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["solve", str(tmp_path / "scenario.yaml"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
