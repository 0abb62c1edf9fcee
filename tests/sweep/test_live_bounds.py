"""A live re-solve that raises a connection limit keeps every branch limit that can bind (hand-solved).

The grid: an external grid at bus A and one 10 kV line A–B rated 2 MVA (max_i_ka = 2/(√3·10)); no loads or
generators, DC base flows (zero). The hub at B has 5 MW of PV (profile 1, demand 0) and sells at 50 EUR/MWh
(buys at 60: importing while exporting never pays). The line carries the hub's export, so the export is at most
2 MW unless the overload penalty (5000 EUR/MWh) is paid. With ``export_mw`` 1 the line cannot reach its limit and
screening drops its rows; with 3 the hub exports 2 MW: −2 MW × 50 EUR/MWh × 8760 h = −876,000 EUR/yr (on two
hourly steps, or on two days sized on one typical day).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandapower as pp
import pytest
from click.testing import CliRunner

from energyhub.cli import cli
from energyhub.scenario.load import load_scenario
from energyhub.sweep.live import LiveModel
from energyhub.sweep.points import PipelineBackend
from energyhub.sweep.run import largest_values
from energyhub.sweep.spec import Point

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # a JSON grid without profiles: static values

EXPORT = "hubs.h.connection.export_mw"
SCENARIO = """\
name: raise-a-bound
time: {{start: 2030-06-01 00:00, periods: {periods}, resolution: 1h{aggregation}}}
grid:
  segments: [{{name: seg, source: grid.json, zone: NL}}]
  flow_model: dc
  base_flow: dc
  dc_margin_pct: 0
markets: [{{zone: NL, energy_price_eur_per_mwh: 60.0, export_price_eur_per_mwh: 50.0}}]
hubs:
  - name: h
    bus: seg/B
    connection: {{import_mw: 1.0, export_mw: {export}}}
    demand_mw: 0.0
    pv: {{capacity_mw: 5.0, profile_pu: 1.0}}
economics: {{overload_penalty_eur_per_mwh: 5000, curtailment_eur_per_mwh: 0}}
solver: {{mip_gap: 0.0, threads: 1}}
"""


AGGREGATION = ", aggregation: {typical_periods: 1, hours_per_period: 24}"


def _scenario(folder: Path, export_mw: float, typical: bool = False) -> Path:
    """The scenario above: two hourly steps, or two days sized on one typical day (then dispatched)."""
    net = pp.create_empty_network()
    a = pp.create_bus(net, 10.0, name="A")
    b = pp.create_bus(net, 10.0, name="B")
    pp.create_ext_grid(net, a, name="grid")
    pp.create_line_from_parameters(net, a, b, 1.0, r_ohm_per_km=0.1, x_ohm_per_km=0.1, c_nf_per_km=0.0,
                                   max_i_ka=2.0 / (math.sqrt(3) * 10.0), name="line")
    pp.to_json(net, str(folder / "grid.json"))
    path = folder / f"export-{export_mw:g}-{typical}.yaml"
    path.write_text(SCENARIO.format(export=export_mw, periods=48 if typical else 2,
                                    aggregation=AGGREGATION if typical else ""))
    return path


def _export_and_flow(dataset) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return float(dataset.export_mw.sel(hub="h").max()), float(abs(dataset.flow_mw).max())


@pytest.mark.parametrize("typical", [False, True])
def test_raised_export_limit_equals_a_cold_solve(tmp_path: Path, typical: bool) -> None:
    """Screened at the sweep's largest limit, the raise is made in place and equals the cold solve by hand (with
    typical periods in both live stages: the sizing and the full-horizon dispatch)."""
    low, high = _scenario(tmp_path, 1.0, typical), _scenario(tmp_path, 3.0, typical)
    cold, cold_ds = PipelineBackend().solve(load_scenario(high), high)
    assert cold["objective_eur"] == pytest.approx(-876_000.0, rel=1e-9)
    assert _export_and_flow(cold_ds) == pytest.approx((2.0, 2.0), abs=1e-6)

    model = PipelineBackend(reach={EXPORT: 3.0}).build(load_scenario(low), low)
    assert isinstance(model, LiveModel)
    first, _ = model.solve()
    assert first["objective_eur"] == pytest.approx(-438_000.0, rel=1e-9)  # 1 MW exported
    assert model.apply({EXPORT: 3.0})
    model.set_scenario(load_scenario(high), high)
    live, live_ds = model.solve()
    assert live["objective_eur"] == pytest.approx(cold["objective_eur"], rel=1e-9)
    assert _export_and_flow(live_ds) == pytest.approx((2.0, 2.0), abs=1e-6)


@pytest.mark.parametrize("typical", [False, True])
def test_raise_beyond_the_screened_limit_rebuilds(tmp_path: Path, typical: bool) -> None:
    """Without the sweep's largest values the line's rows were screened out: the raise is refused (rebuild)."""
    low = _scenario(tmp_path, 1.0, typical)
    model = PipelineBackend().build(load_scenario(low), low)
    assert model is not None
    assert model.apply({EXPORT: 0.5})  # lowering never needs a row
    assert not model.apply({EXPORT: 3.0})


def test_sweep_raising_the_limit_matches_the_hand_solution(tmp_path: Path) -> None:
    """The CLI sweep (largest values passed to the workers) re-solves 1 → 3 MW in place, with the hand optimum."""
    low = _scenario(tmp_path, 1.0)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["sweep", str(low), "--param", f"{EXPORT}=1,3", "--out", str(out),
                                      "--workers", "1", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = (out / "sweep.csv").read_text().splitlines()
    header = rows[0].split(",")
    got = {float(r.split(",")[header.index(EXPORT)]): r.split(",") for r in rows[1:]}
    assert float(got[3.0][header.index("objective_eur")]) == pytest.approx(-876_000.0, rel=1e-9)
    assert float(got[1.0][header.index("objective_eur")]) == pytest.approx(-438_000.0, rel=1e-9)
    assert got[3.0][header.index("mode")] == "resolve"


def test_largest_values_ignore_booleans_and_strings() -> None:
    points = [Point("a", {EXPORT: 1.0, "x": "s", "y": True}), Point("b", {EXPORT: 3, "x": "t", "y": False})]
    assert largest_values(points) == {EXPORT: 3.0}
