"""A one-cable study whose four alternatives are solved by hand (tests/test_compare.py, the report tests).

Grid: an external grid at bus ``Grid`` (20 kV) and one cable ``Cable`` (1 km, 0.1 Ω, no charging) to bus ``Hub``
with max_i_ka = 2 / (√3 × 20): a 2 MVA rating, so the model's limit is 2 × 100 % × (1 − 5 % DC margin) = 1.9 MW.
One hub at ``Hub`` draws 3, 3, 0.5, 0.5 MW in four hourly steps (7 MWh; each step counts 8760 / 4 = 2190 hours
a year) at 50 EUR/MWh, with no tariffs, so every alternative buys 7 × 2190 × 50 = 766,500 EUR/year of energy.

* A reinforcement ``cable-2`` adds 2 MVA to the cable (limit 3.8 MW ≥ 3) for 600,000 EUR over 40 years.
* A lossless battery must shift 3 − 1.9 = 1.1 MW out of each of the two peak hours: power 1.1 MW, energy 2.2 MWh
  (charged at 1.1 MW in the two low hours: 0.5 + 1.1 = 1.6 ≤ 1.9 MW), over 15 years.
* Doing nothing overloads the cable by 1.1 MW in two hours: 2.2 MWh × 2190 × 5000 EUR/MWh = 24,090,000 EUR/year
  (load shedding, at 10,000 EUR/MWh, is dearer). The AC loading is then 3 / 2 ≈ 150 % in two hours: 2 branch-hours
  over the limit; with the battery the cable carries 1.9 MW (≈ 95 % AC), reinforced 3 / 4 MVA = 75 %.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandapower as pp
import yaml

DEMAND_MW = (3.0, 3.0, 0.5, 0.5)
PRICE_EUR_PER_MWH = 50.0
HOURS_PER_STEP_A_YEAR = 8760 / len(DEMAND_MW)
RATE = 0.05
CABLE_CAPEX_EUR, CABLE_YEARS = 600_000.0, 40
BATTERY_YEARS = 15
POWER_MW, ENERGY_MWH = 1.1, 2.2
OVERLOAD_EUR_PER_MWH = 5000.0
#: (capex EUR/MW, capex EUR/MWh) of a battery cheaper and one dearer than the cable (per year)
CHEAP, DEAR = (100_000.0, 50_000.0), (200_000.0, 150_000.0)


def annuity(rate: float, years: int) -> float:
    return rate / (1.0 - (1.0 + rate) ** -years)


ENERGY_EUR = sum(DEMAND_MW) * HOURS_PER_STEP_A_YEAR * PRICE_EUR_PER_MWH  # 766,500
CABLE_EUR_PER_YEAR = CABLE_CAPEX_EUR * annuity(RATE, CABLE_YEARS)  # 34,966.9
OVERLOAD_EUR = 2 * (3.0 - 1.9) * HOURS_PER_STEP_A_YEAR * OVERLOAD_EUR_PER_MWH  # 24,090,000


def battery_investment_eur(capex: tuple[float, float]) -> float:
    return POWER_MW * capex[0] + ENERGY_MWH * capex[1]


def battery_eur_per_year(capex: tuple[float, float]) -> float:
    return battery_investment_eur(capex) * annuity(RATE, BATTERY_YEARS)


def write_cable_study(directory: Path, battery_capex: tuple[float, float]) -> Path:
    """Write the grid, the demand series and the scenario into ``directory``; return the scenario's path."""
    directory.mkdir(parents=True, exist_ok=True)
    net = pp.create_empty_network(name="cable")
    grid_bus = pp.create_bus(net, vn_kv=20.0, name="Grid")
    hub_bus = pp.create_bus(net, vn_kv=20.0, name="Hub")
    pp.create_ext_grid(net, grid_bus, vm_pu=1.0, name="Supply")
    pp.create_line_from_parameters(net, grid_bus, hub_bus, length_km=1.0, r_ohm_per_km=0.1, x_ohm_per_km=0.1,
                                   c_nf_per_km=0.0, max_i_ka=2.0 / (math.sqrt(3) * 20.0), name="Cable")
    pp.to_json(net, str(directory / "cable.json"))
    (directory / "demand.csv").write_text("demand_mw\n" + "".join(f"{d}\n" for d in DEMAND_MW), encoding="utf-8")
    scenario: dict[str, Any] = {
        "version": 1, "name": "one-cable",
        "time": {"start": "2030-01-07 00:00", "periods": len(DEMAND_MW), "resolution": "1h"},
        "grid": {"segments": [{"name": "s", "source": "cable.json", "zone": "NL"}], "flow_model": "dc",
                 "base_flow": "dc", "loading_limit_pct": 100, "dc_margin_pct": 5},
        "markets": [{"zone": "NL", "energy_price_eur_per_mwh": PRICE_EUR_PER_MWH}],
        "hubs": [{"name": "park", "bus": "s/Hub", "connection": {"import_mw": 10.0, "export_mw": 10.0},
                  "demand_mw": "demand.csv#demand_mw"}],
        "assets": [
            {"name": "battery", "type": "battery", "hub": "park", "lifetime_years": BATTERY_YEARS,
             "power_mw": {"max": 10, "capex_eur_per_mw": battery_capex[0]},
             "energy_mwh": {"max": 40, "capex_eur_per_mwh": battery_capex[1]},
             "charge_efficiency": 1.0, "discharge_efficiency": 1.0},
            {"name": "cable-2", "type": "reinforcement", "branch": "s/Cable", "added_mva": 2.0,
             "capex_eur": CABLE_CAPEX_EUR, "lifetime_years": CABLE_YEARS},
        ],
        "economics": {"discount_rate": RATE, "voll_eur_per_mwh": 10_000, "overload_penalty_eur_per_mwh":
                      OVERLOAD_EUR_PER_MWH},
        "solver": {"mip_gap": 1e-9, "threads": 1, "time_limit_s": 60},
    }
    path = directory / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path
