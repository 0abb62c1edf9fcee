"""A small but real stand-in solver: a hub-import LP with batteries, in highspy, whose optimum is computable by hand.

A test backend (it lives in ``tests/``, not in the package): the sweep tests and ``benchmarks/sweep_bench.py`` load it
with ``--solver toy_backend:ToyBackend`` (:data:`TOY`), ``tests/sweep`` on the Python path. It reads only the
scenario's constants and ignores the grid, series files and the other asset types:

* every hub ``h`` has a constant demand ``d_h`` = ``hubs.h.demand_mw`` (1.0 MW when that is a series reference)
  and imports ``imp[h,t]`` in ``[0, connection.import_mw]``;
* the price of the hub's zone is ``p_t = p · (1 + 0.3 sin(2π · t·Δt / 24 h))`` with ``p`` =
  ``markets.Z.energy_price_eur_per_mwh`` (50 €/MWh when that is a series reference);
* each battery of a hub may add energy ``e_new`` in ``[0, energy_mwh.max − existing]`` at
  ``capex_eur_per_mwh · (horizon / 8760 h) / lifetime_years`` per MWh, charges and discharges up to half its
  energy per hour, with cyclic state of charge and the scenario's efficiencies;
* balance ``imp + discharge − charge = d_h`` in every step; objective ``Σ p_t · imp · Δt`` plus battery capex.

Without a useful battery (capex high) and a horizon of whole days, the optimum is ``p · Σ_h d_h · horizon_h``;
with any ``import_mw < d_h`` the LP is infeasible. The model is built row by row from Python, on purpose: like the
Pyomo model, building costs more than re-solving after a change of numbers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import xarray as xr

from energyhub.scenario.components.battery import BatteryAsset
from energyhub.scenario.schema import Scenario
from energyhub.sweep.points import Solved

TOY = "toy_backend:ToyBackend"  # the --solver value that loads this backend
DEFAULT_DEMAND_MW = 1.0
DEFAULT_PRICE_EUR_PER_MWH = 50.0
C_RATE_PER_H = 0.5


def _number(value: float | str | None, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


@dataclass
class _Layout:
    """Column and row indices of the toy LP, by name."""

    imports: dict[str, list[int]] = field(default_factory=dict)  # hub -> import columns
    balance: dict[str, list[int]] = field(default_factory=dict)  # hub -> balance rows
    e_new: dict[str, int] = field(default_factory=dict)  # battery -> added-energy column
    soc: dict[str, list[int]] = field(default_factory=dict)  # battery -> state-of-charge columns
    zone_of: dict[str, str] = field(default_factory=dict)  # hub -> price zone


class ToyModel:
    """The toy LP with a live ``highspy.Highs``: implements :class:`energyhub.sweep.points.CompiledModel`."""

    def __init__(self, scenario: Scenario) -> None:
        start = time.perf_counter()
        self.scenario = scenario
        self.steps = scenario.time.periods
        self.step_h = scenario.time.step_h
        self.shape = 1.0 + 0.3 * np.sin(2 * np.pi * np.arange(self.steps) * self.step_h / 24.0)
        self.prices = {m.zone: _number(m.energy_price_eur_per_mwh, DEFAULT_PRICE_EUR_PER_MWH) for m in scenario.markets}
        self.layout = _Layout()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self._build()
        self.build_s = time.perf_counter() - start

    # ----------------------------------------------------------------------------------------------- build
    def _add_col(self, cost: float, lower: float, upper: float) -> int:
        self.highs.addCol(cost, lower, upper, 0, np.array([], dtype=np.int32), np.array([], dtype=np.float64))
        return int(self.highs.getNumCol()) - 1

    def _add_row(self, lower: float, upper: float, cols: list[int], coefs: list[float]) -> int:
        self.highs.addRow(lower, upper, len(cols), np.array(cols, dtype=np.int32), np.array(coefs, dtype=np.float64))
        return int(self.highs.getNumRow()) - 1

    def _build(self) -> None:
        sc = self.scenario
        for hub in sc.hubs:
            zone = sc.hub_zone(hub) if hub.segment in {s.name for s in sc.grid.segments} else sc.markets[0].zone
            self.layout.zone_of[hub.name] = zone
            price = self.prices.get(zone, DEFAULT_PRICE_EUR_PER_MWH)
            cap = hub.connection.import_mw
            self.layout.imports[hub.name] = [self._add_col(price * s * self.step_h, 0.0, cap) for s in self.shape]
        batteries = [a for a in sc.assets if isinstance(a, BatteryAsset) and a.hub in self.layout.imports]
        flows = {b.name: self._add_battery(b) for b in batteries}
        for hub in sc.hubs:
            demand = _number(hub.demand_mw, DEFAULT_DEMAND_MW)
            rows = []
            for t, col in enumerate(self.layout.imports[hub.name]):
                cols, coefs = [col], [1.0]
                for b in batteries:
                    if b.hub == hub.name:
                        charge, discharge = flows[b.name]
                        cols += [discharge[t], charge[t]]
                        coefs += [1.0, -1.0]
                rows.append(self._add_row(demand, demand, cols, coefs))
            self.layout.balance[hub.name] = rows

    def _capex_per_mwh(self, battery: BatteryAsset) -> float:
        years = self.steps * self.step_h / 8760.0
        return battery.energy_mwh.capex_eur_per_mwh * years / battery.lifetime_years

    def _add_battery(self, b: BatteryAsset) -> tuple[list[int], list[int]]:
        existing = b.energy_mwh.existing
        e_new = self._add_col(self._capex_per_mwh(b), 0.0, max(b.energy_mwh.upper - existing, 0.0))
        inf = highspy.kHighsInf
        charge = [self._add_col(0.0, 0.0, inf) for _ in range(self.steps)]
        discharge = [self._add_col(0.0, 0.0, inf) for _ in range(self.steps)]
        soc = [self._add_col(0.0, 0.0, inf) for _ in range(self.steps)]
        for t in range(self.steps):
            prev = soc[t - 1]  # cyclic: step 0 follows the last step
            eta_c, eta_d = b.charge_efficiency, b.discharge_efficiency
            self._add_row(
                0.0,
                0.0,
                [soc[t], prev, charge[t], discharge[t]],
                [1.0, -1.0, -eta_c * self.step_h, self.step_h / eta_d],
            )
            self._add_row(-inf, existing, [soc[t], e_new], [1.0, -1.0])
            for flow in (charge[t], discharge[t]):
                self._add_row(-inf, C_RATE_PER_H * existing, [flow, e_new], [1.0, -C_RATE_PER_H])
        self.layout.e_new[b.name], self.layout.soc[b.name] = e_new, soc
        return charge, discharge

    # ----------------------------------------------------------------------------------------------- changes
    def apply(self, changes: dict[str, float]) -> bool:
        """Change prices, import limits, demands and battery energy capex/max in place; False for anything else."""
        return all(self._apply_one(path, value) for path, value in changes.items())

    def _apply_one(self, path: str, value: float) -> bool:
        parts = path.split(".")
        lay = self.layout
        if len(parts) == 3 and parts[0] == "markets" and parts[2] == "energy_price_eur_per_mwh":
            self.prices[parts[1]] = value
            for hub, zone in lay.zone_of.items():
                if zone == parts[1]:
                    self._set_costs(lay.imports[hub], value * self.shape * self.step_h)
            return True
        if len(parts) == 4 and parts[0] == "hubs" and parts[2:] == ["connection", "import_mw"]:
            cols = lay.imports.get(parts[1], [])
            self.highs.changeColsBounds(
                len(cols), np.array(cols, np.int32), np.zeros(len(cols)), np.full(len(cols), value)
            )
            return bool(cols)
        if len(parts) == 3 and parts[0] == "hubs" and parts[2] == "demand_mw":
            rows = lay.balance.get(parts[1], [])
            full = np.full(len(rows), value)
            self.highs.changeRowsBounds(len(rows), np.array(rows, np.int32), full, full)  # type: ignore[attr-defined]
            return bool(rows)
        return self._apply_battery(parts, value)

    def _apply_battery(self, parts: list[str], value: float) -> bool:
        if len(parts) != 4 or parts[0] != "assets" or parts[1] not in self.layout.e_new or parts[2] != "energy_mwh":
            return False
        battery = next(a for a in self.scenario.assets if a.name == parts[1])
        assert isinstance(battery, BatteryAsset)
        col = self.layout.e_new[battery.name]
        if parts[3] == "capex_eur_per_mwh":
            years = self.steps * self.step_h / 8760.0
            self.highs.changeColCost(col, value * years / battery.lifetime_years)
            return True
        if parts[3] == "max":
            self.highs.changeColBounds(col, 0.0, max(value - battery.energy_mwh.existing, 0.0))
            return True
        return False

    def _set_costs(self, cols: list[int], costs: np.ndarray) -> None:
        self.highs.changeColsCost(len(cols), np.array(cols, np.int32), np.asarray(costs, np.float64))

    # ----------------------------------------------------------------------------------------------- solve
    def solve(self) -> Solved:
        """Run HiGHS (warm from the previous basis after :meth:`apply`) and extract summary and dataset."""
        start = time.perf_counter()
        self.highs.run()
        solve_s = time.perf_counter() - start
        status = self.highs.getModelStatus()
        timings = {"build": self.build_s, "solve": solve_s}
        self.build_s = 0.0  # a re-solve builds nothing
        name = self.scenario.name
        if status != highspy.HighsModelStatus.kOptimal:
            text = self.highs.modelStatusToString(status).lower().replace(" ", "_")
            label = "infeasible" if status == highspy.HighsModelStatus.kInfeasible else text
            message = "toy LP: demand exceeds the import limit at some hub" if label == "infeasible" else text
            return {
                "scenario": name,
                "status": label,
                "objective_eur": None,
                "mip_gap": None,
                "timings_s": timings,
                "message": message,
            }, None
        return self._extract(timings)

    def _extract(self, timings: dict[str, float]) -> Solved:
        start = time.perf_counter()
        x = np.asarray(self.highs.getSolution().col_value)
        lay = self.layout
        hubs = list(lay.imports)
        imports = np.array([x[lay.imports[h]] for h in hubs]).reshape(len(hubs), self.steps)
        batteries = list(lay.e_new)
        existing = {a.name: a.energy_mwh.existing for a in self.scenario.assets if isinstance(a, BatteryAsset)}
        energy = {b: existing[b] + float(x[lay.e_new[b]]) for b in batteries}
        soc = np.array([x[lay.soc[b]] for b in batteries]).reshape(len(batteries), self.steps)
        dataset = xr.Dataset(
            {
                "import_mw": (("hub", "time"), imports, {"units": "MW"}),
                "soc_mwh": (("asset", "time"), soc, {"units": "MWh"}),
                "energy_mwh": (("asset",), np.array([energy[b] for b in batteries]), {"units": "MWh"}),
            },
            coords={"hub": hubs, "asset": batteries, "time": np.arange(self.steps)},
        )
        objective = float(self.highs.getInfo().objective_function_value)
        capex = sum(float(x[lay.e_new[b]]) * self.highs.getLp().col_cost_[lay.e_new[b]] for b in batteries)
        timings["extract"] = time.perf_counter() - start
        summary: dict[str, Any] = {
            "scenario": self.scenario.name,
            "status": "optimal",
            "objective_eur": objective,
            "mip_gap": 0.0,
            "timings_s": timings,
            "capacities": {b: {"energy_mwh": energy[b]} for b in batteries},
            "costs_eur": {"energy": objective - capex, "capex": capex},
            "kpis": {
                "import_mwh": {h: float(imports[i].sum() * self.step_h) for i, h in enumerate(hubs)},
                "peak_import_mw": {h: float(imports[i].max(initial=0.0)) for i, h in enumerate(hubs)},
                "battery_mwh_total": float(sum(energy.values())),
            },
        }
        return summary, dataset


def hand_objective(price: float, demands_mw: list[float], horizon_h: float) -> float:
    """The toy optimum without a battery over whole days: ``p · Σ d · horizon`` (the price shape averages to 1)."""
    if horizon_h % 24:
        raise ValueError("the hand formula needs a horizon of whole days")
    return price * math.fsum(demands_mw) * horizon_h


class ToyBackend:
    """Backend (:class:`energyhub.sweep.points.Backend`) of the toy LP."""

    def solve(self, scenario: Scenario, path: Path) -> Solved:
        return ToyModel(scenario).solve()

    def build(self, scenario: Scenario, path: Path) -> ToyModel:
        return ToyModel(scenario)
