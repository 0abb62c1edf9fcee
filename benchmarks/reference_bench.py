"""Time the sizing stage of the reference study under its sizing options, in one run, variants alternating.

The sizing stage is what ``energyhub solve`` runs first on a scenario with ``time.aggregation``: typical days
(tsam), the model on them, HiGHS. Variants change the loaded scenario (pydantic ``model_copy``), nothing else:

- ``relaxed-ac``: as shipped (``relax_commitment: true``, ``grid.base_flow: ac``);
- ``integer-ac``: ``relax_commitment: false`` (every per-step on/off integer kept in the sizing);
- ``relaxed-dc``: ``grid.base_flow: dc`` (base flows from the DC flow instead of the AC power flow);
- ``integer-dc``: both (not run by default).

Per variant: aggregation + relaxation s (tsam, :func:`relax_operation`), build s (Pyomo), hand-over s (standard
form + ``passModel``), HiGHS s, objective, gap; medians of ``--runs`` runs (each run goes through every variant in
turn). Solver options are the scenario's (``resolve_options``: preset ``default``, mip_rel_gap 1 %, 2 threads,
time limit 600 s) unless ``--time-limit`` is given. Grid, base flows and AC power flow are prepared once per
``base_flow`` before the timed runs.

    python benchmarks/reference_bench.py --runs 1
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from energyhub.model.inputs import GridInputs
from energyhub.model.sizes import size_vars
from energyhub.pipeline import Timings, model_inputs, prepare, prepare_data
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.solve.highs import solve
from energyhub.solve.options import OptionValue, resolve_options
from energyhub.solve.workflow import build_sizing

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "twente-muensterland-2030.yaml"
BaseFlow = Literal["ac", "dc"]
VARIANTS: dict[str, tuple[bool, BaseFlow]] = {
    "relaxed-ac": (True, "ac"),
    "integer-ac": (False, "ac"),
    "relaxed-dc": (True, "dc"),
    "integer-dc": (False, "dc"),
}


@dataclass
class Measured:
    aggregate: float
    build: float
    handover: float
    solve: float
    objective: float
    gap: float
    status: str
    steps: int
    cols: int
    rows: int
    integers: int
    relaxed: int
    sizes: dict[str, float] = field(default_factory=dict)


def variant(data: ScenarioData, relax: bool, base_flow: BaseFlow) -> ScenarioData:
    """``data`` with ``time.aggregation.relax_commitment`` and ``grid.base_flow`` set."""
    sc = data.scenario
    agg = sc.time.aggregation
    if agg is None:
        raise SystemExit(f"{data.path}: the scenario has no time.aggregation, so no sizing stage to time")
    time_spec = sc.time.model_copy(update={"aggregation": agg.model_copy(update={"relax_commitment": relax})})
    grid_spec = sc.grid.model_copy(update={"base_flow": base_flow})
    return replace(data, scenario=sc.model_copy(update={"time": time_spec, "grid": grid_spec}))


def measure(data: ScenarioData, inputs: GridInputs, options: dict[str, OptionValue]) -> Measured:
    """Build the sizing model as :func:`solve_scenario` does, hand it to HiGHS and solve it."""
    said: list[str] = []
    t0 = time.perf_counter()
    hm = build_sizing(data, inputs, said.append)
    wall_build = time.perf_counter() - t0
    res = solve(hm, options, progress=lambda _m: None, raise_on_failure=False)
    found = [re.search(r"commitment of (\d+) per-step integers", m) for m in said]
    relaxed = next((int(f.group(1)) for f in found if f), 0)
    build = res.timings_s["build"]
    return Measured(
        aggregate=wall_build - build, build=build, handover=res.timings_s["handover"], solve=res.timings_s["solve"],
        objective=res.objective_eur, gap=res.mip_gap, status=res.status, steps=hm.time.n,
        cols=res.compiled.n_cols, rows=len(res.compiled.rows),
        integers=sum(1 for v in res.compiled.columns if v.is_integer()), relaxed=relaxed,
        sizes={k: res.value(v) for k, v in size_vars(hm).items()},
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=["relaxed-ac", "integer-ac", "relaxed-dc"])
    ap.add_argument("--time-limit", type=float, help="override the scenario's HiGHS time limit, s")
    ap.add_argument("--json", type=Path, help="also write every run (with the sizes) here")
    args = ap.parse_args()

    timings = Timings()
    prep = prepare(args.scenario, timings)
    options = resolve_options(prep.data.scenario.solver, SOLVERS_DIR, prep.data.path)
    if args.time_limit is not None:
        options["time_limit"] = args.time_limit
    inputs: dict[BaseFlow, GridInputs] = {}
    for base_flow in sorted({VARIANTS[v][1] for v in args.variants}):
        data = variant(prep.data, True, base_flow)
        inputs[base_flow] = model_inputs(prepare_data(data, timings, reuse=prep), timings)
    print(f"prepared in {timings.total()}; options {options}", file=sys.stderr, flush=True)

    runs: dict[str, list[Measured]] = {v: [] for v in args.variants}
    for k in range(args.runs):
        for name in args.variants:
            relax, base_flow = VARIANTS[name]
            m = measure(variant(prep.data, relax, base_flow), inputs[base_flow], options)
            runs[name].append(m)
            print(f"  run {k + 1} {name}: build {m.aggregate + m.build:.1f} s, hand-over {m.handover:.1f} s, "
                  f"HiGHS {m.solve:.1f} s, {m.status}, gap {m.gap:.2%}", file=sys.stderr, flush=True)

    limit = float(options.get("time_limit", float("inf")))
    print("| variant | relax_commitment | base_flow | steps | columns | integer columns | aggregation + relaxation s "
          "| build s | hand-over s | HiGHS s | objective EUR/yr | gap | status |")
    print("|---" * 13 + "|")
    first = args.variants[0]
    for name in args.variants:
        ms = runs[name]
        relax, base_flow = VARIANTS[name]
        rep = sorted(ms, key=lambda m: m.solve)[len(ms) // 2]

        def med(key: str, ms: list[Measured] = ms) -> float:
            return statistics.median(float(getattr(m, key)) for m in ms)

        status = rep.status if not rep.status.startswith("time_limit") else f"{rep.status} (limit {limit:g} s)"
        print(f"| {name} | {str(relax).lower()} | {base_flow} | {rep.steps:,} | {rep.cols:,} | {rep.integers:,} | "
              f"{med('aggregate'):.2f} | {med('build'):.2f} | {med('handover'):.2f} | {med('solve'):.1f} | "
              f"{rep.objective:,.0f} | {rep.gap:.2%} | {status} |")
    for name in args.variants[1:]:
        a, b = runs[first][0].sizes, runs[name][0].sizes
        diff = {k: (round(a[k], 3), round(b[k], 3)) for k in a if abs(a[k] - b.get(k, float("nan"))) > 1e-6}
        print(f"sizes {first} vs {name}: " + (", ".join(f"{k} {x} vs {y}" for k, (x, y) in diff.items()) or "equal"))
    if args.json:
        out: dict[str, Any] = {name: [m.__dict__ for m in ms] for name, ms in runs.items()}
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
