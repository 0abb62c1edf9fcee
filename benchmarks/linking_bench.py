"""Storage linked across typical periods: sizes and regret against the full-horizon optimum, six weeks of spring.

The scenario is a six-week cut (``--start``, default 2030-03-15, ``--days`` 42) of the reference study's
Almelo hub (``scenarios/twente-muensterland-2030.yaml``, hub ``almelo-process``): its demand, hydrogen demand,
PV, time-duration-bound connection and tariffs, the NL day-ahead prices, and its electrolyser (0-4 stacks of
2.5 MW), hydrogen store and battery, as shipped except that the store may reach ``--store-max-kg`` (default
30,000 kg, so that the full-horizon optimum is not at the store's shipped bound of 6,000 kg), on the shipped
Twente segment (DC flows anchored on the AC power flow, as in the reference study: the non-firm hours of the
time-duration-bound right are those of the highest loading of the branches the hub affects). Left out: the other
hubs, the Münsterland segment, the reinforcement options and the hydrogen trailer (the electrolyser is the only
supply; shortfall 8 EUR/kg).

Compared, each with HiGHS at ``--gap`` (default 0.01 %):

- ``full``: the full-horizon optimum, one MILP over every hour (no aggregation);
- ``typical-<k>``: sizing on k typical days (tsam, ``--method``, default hierarchical (medoids), commitment
  relaxed as shipped) without linking (storage cyclic within each typical day), then the full horizon
  dispatched with those sizes fixed (the contracted capacity stays free, as in ``energyhub solve``);
- ``linked-<k>``: the same with ``link_storage: true`` (inter-period levels, Kotzur et al. 2018).

Regret = cost of the full-horizon dispatch with the typical-day sizes fixed − the full-horizon optimum, in % of
the optimum. ``--windows`` dispatches in monthly windows, stitched, as ``energyhub solve`` does by default
(``dispatch_windows: month``). ``--free-store`` leaves the hydrogen store free in the dispatch too (added to
``energyhub.model.sizes.FREE_IN_DISPATCH`` for this run: the experiment of 2026-12-02, not adopted, see
benchmarks/README.md); the table gives the store of the sizing and the one the dispatch holds.

    python benchmarks/linking_bench.py --typical 4 8 12 21 42 --json /tmp/linking_bench.json
    python benchmarks/linking_bench.py --typical 8 12 21 42 --store-capex 150
    python benchmarks/linking_bench.py --typical 8 12 21 --method k_means
    python benchmarks/linking_bench.py --typical 8 12 21 --free-store --windows
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from energyhub.decompose import size_and_dispatch
from energyhub.model import sizes as sizes_module
from energyhub.model.build import build_model
from energyhub.model.inputs import GridInputs
from energyhub.pipeline import Timings, model_inputs, prepare_data
from energyhub.scenario.data import ScenarioData, read_series
from energyhub.scenario.load import parse_scenario, read_yaml
from energyhub.solve.highs import solve
from energyhub.solve.workflow import build_sizing, sizes_of

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "twente-muensterland-2030.yaml"
HUB = "almelo-process"
STORE = "almelo-h2-store.capacity_kg"
SIZES = ("almelo-electrolyser.stacks", STORE, "almelo-battery.energy_mwh",
         "almelo-battery.power_mw", "almelo-process.contracted_import_mw")


@dataclass
class Row:
    name: str
    objective_eur: float
    sizing_s: float = 0.0
    dispatch_s: float = 0.0
    sizes: dict[str, float] = field(default_factory=dict)
    days: int = 0
    regret_pct: float = 0.0
    store_dispatch_kg: float = 0.0
    status: str = ""
    gap: float = 0.0


def spring_case(start: str, days: int, store_max_kg: float, typical: int | None, link: bool,
                store_capex_eur_per_kg: float | None = None, method: str = "hierarchical",
                windows: str = "none") -> ScenarioData:
    """The six-week Almelo case (see the module docstring), with ``typical`` typical days if given."""
    raw: dict[str, Any] = read_yaml(SCENARIO)
    raw["hubs"] = [h for h in raw["hubs"] if h["name"] == HUB]
    raw["groups"], raw["links"] = [], []
    raw["assets"] = [a for a in raw["assets"] if a.get("hub") == HUB]
    for a in raw["assets"]:
        if a["type"] == "h2_storage":
            a["capacity_kg"]["max"] = store_max_kg
            if store_capex_eur_per_kg is not None:
                a["capacity_kg"]["capex_eur_per_kg"] = store_capex_eur_per_kg
    raw["time"] = {"start": start, "periods": 24 * days, "resolution": "1h"}
    if typical is not None:
        raw["time"]["aggregation"] = {"typical_periods": typical, "hours_per_period": 24, "method": method,
                                      "link_storage": link, "dispatch_windows": windows}
    raw["grid"]["segments"] = [s for s in raw["grid"]["segments"] if s["name"] == "twente"]
    return read_series(parse_scenario(raw, SCENARIO), SCENARIO)


def grid_of(data: ScenarioData) -> GridInputs:
    """The model's grid inputs, as ``energyhub solve`` prepares them."""
    return model_inputs(prepare_data(data, Timings()), Timings())


def full_horizon(data: ScenarioData, grid: GridInputs, options: dict[str, Any],
                 sizes: dict[str, float] | None = None) -> Any:
    hm = build_model(data, grid, fixed_sizes=sizes)
    return hm, solve(hm, options)


def in_one(name: str, data: ScenarioData, plain: ScenarioData, grid: GridInputs, options: dict[str, Any]) -> Row:
    """Sizing on typical days, then the full horizon dispatched as one model."""
    t0 = time.perf_counter()
    sizing = build_sizing(data, grid)
    sized = solve(sizing, options)
    t1 = time.perf_counter()
    sizes = sizes_of(sizing, sized)
    dispatch, fixed = full_horizon(plain, grid, options, sizes)
    return Row(name, fixed.objective_eur, t1 - t0, time.perf_counter() - t1,
               {n: v for n, v in sizes.items() if n in SIZES}, len(sizing.time.segment_start),
               store_dispatch_kg=sizes_of(dispatch, fixed).get(STORE, 0.0), status=fixed.status, gap=fixed.mip_gap)


def in_windows(name: str, data: ScenarioData, grid: GridInputs, options: dict[str, Any]) -> Row:
    """Sizing on typical days, then the full horizon dispatched in monthly windows and stitched, as
    ``energyhub solve`` does by default (``dispatch_windows: month``)."""
    run = size_and_dispatch(data, grid, options)
    sizes = sizes_of(run.sizing, run.sized)
    return Row(name, run.stitched.costs_eur["total"], run.sized.timings_s.get("solve", 0.0), run.dispatch_wall_s,
               {n: v for n, v in sizes.items() if n in SIZES}, len(run.sizing.time.segment_start),
               store_dispatch_kg=run.stitched.capacities.get(STORE, 0.0), status=run.stitched.status,
               gap=run.stitched.mip_gap)


def run(args: argparse.Namespace) -> list[Row]:
    options = {"mip_rel_gap": args.gap, "threads": args.threads, "time_limit": args.time_limit, "random_seed": 1}
    plain = spring_case(args.start, args.days, args.store_max_kg, None, False, args.store_capex)
    grid = grid_of(plain)
    t0 = time.perf_counter()
    hm, res = full_horizon(plain, grid, options)
    full = sizes_of(hm, res)
    rows = [Row("full", res.objective_eur, dispatch_s=time.perf_counter() - t0, days=args.days,
                sizes={k: v for k, v in full.items() if k in SIZES}, store_dispatch_kg=full.get(STORE, 0.0))]
    print(f"full: {res.objective_eur:,.0f} EUR/yr ({res.status}, gap {res.mip_gap:.4%})", flush=True)
    for k in args.typical:
        for link in (False, True):
            data = spring_case(args.start, args.days, args.store_max_kg, k, link, args.store_capex, args.method,
                               "month" if args.windows else "none")
            name = f"{'linked' if link else 'typical'}-{k}"
            row = in_windows(name, data, grid, options) if args.windows else in_one(name, data, plain, grid, options)
            row.regret_pct = 100.0 * (row.objective_eur - rows[0].objective_eur) / rows[0].objective_eur
            rows.append(row)
            print(f"{row.name}: {row.objective_eur:,.0f} EUR/yr, regret {row.regret_pct:.3f} % "
                  f"({row.status}, gap {row.gap:.4%}); sizes {row.sizes}, store dispatched "
                  f"{row.store_dispatch_kg:,.0f} kg", flush=True)
    return rows


def table(rows: list[Row]) -> str:
    store = rows[0].sizes.get(STORE, 0.0)
    lines = ["| variant | days in sizing | H2 store sized (kg) | sized / full | H2 store dispatched (kg) | "
             "dispatched / full | stacks | battery (MWh / MW) | full-horizon cost (EUR/yr) | regret | sizing (s) | "
             "dispatch (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def ratio(kg: float) -> float:
        return kg / store if store else float("nan")

    for r in rows:
        s = r.sizes
        kg = s.get(STORE, 0.0)
        lines.append(
            f"| {r.name} | {r.days} | {kg:,.0f} | {ratio(kg):.2f} | {r.store_dispatch_kg:,.0f} | "
            f"{ratio(r.store_dispatch_kg):.2f} | "
            f"{s.get('almelo-electrolyser.stacks', 0):.0f} | {s.get('almelo-battery.energy_mwh', 0):.1f} / "
            f"{s.get('almelo-battery.power_mw', 0):.1f} | {r.objective_eur:,.0f} | {r.regret_pct:.3f} % | "
            f"{r.sizing_s:.1f} | {r.dispatch_s:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", default="2030-03-15 00:00")
    parser.add_argument("--days", type=int, default=42)
    parser.add_argument("--typical", type=int, nargs="+", default=[4, 8, 12, 21, 42])
    parser.add_argument("--store-max-kg", type=float, default=30_000.0)
    parser.add_argument("--store-capex", type=float, default=None,
                        help="hydrogen store capex, EUR/kg (default: as shipped, 500)")
    parser.add_argument("--method", default="hierarchical", choices=["hierarchical", "k_means", "k_medoids"],
                        help="time.aggregation.method of the sizing")
    parser.add_argument("--windows", action="store_true",
                        help="dispatch in monthly windows, stitched (energyhub solve's default), not as one model")
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--free-store", action="store_true",
                        help="decide the hydrogen store again in the dispatch (not what energyhub solve does)")
    args = parser.parse_args()
    if args.free_store:
        sizes_module.FREE_IN_DISPATCH = (*sizes_module.FREE_IN_DISPATCH, "capacity_kg")
    rows = run(args)
    print(table(rows))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
