"""The sizing's LP algorithm: dual simplex against HiPO (and others) per model, beside the model's structure.

For each case (a scenario file, or ``HUBSxHOURS`` for a synthetic ``model_bench.py`` case), builds the sizing on
typical periods as ``energyhub solve`` does (:func:`energyhub.solve.workflow.build_sizing`), and solves it once per
``--lp`` value with the ``default`` preset plus ``mip_lp_solver`` set to that value (``auto``: energyhub's own
choice, :func:`energyhub.solve.highs.lp_algorithm`). Prints the share of rows with more than
:data:`~energyhub.solve.highs.DENSE_ROW_ENTRIES` entries (what the choice looks at), then per algorithm HiGHS's time,
status, objective and gap. One run each, one after the other: compare within a case, on an otherwise idle machine.

    python benchmarks/lp_algorithm.py scenarios/twente-muensterland-2030.yaml 10x8760 20x720
    python benchmarks/lp_algorithm.py 10x8760 --lp simplex hipo ipm --time-limit 300
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from energyhub.model.inputs import GridInputs
from energyhub.pipeline import Timings, model_inputs, prepare
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.solve.highs import DENSE_ROW_ENTRIES, solve
from energyhub.solve.options import OptionValue, read_preset
from energyhub.solve.workflow import build_sizing


def case_inputs(case: str) -> tuple[ScenarioData, GridInputs]:
    """A scenario file's data and grid as ``energyhub solve`` prepares them, or a ``model_bench`` case."""
    if case.endswith((".yaml", ".yml")):
        timings = Timings()
        prep = prepare(Path(case), timings)
        return prep.data, model_inputs(prep, timings)
    import model_bench  # benchmarks/model_bench.py

    hubs, hours = (int(part) for part in case.lower().split("x"))
    return model_bench.make_inputs(hubs, hours, typical_periods=model_bench.typical_days(hours, 336, 24))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="+", help="scenario files or HUBSxHOURS model_bench cases")
    parser.add_argument("--lp", nargs="+", default=["simplex", "hipo"],
                        help="mip_lp_solver values to compare ('auto': energyhub's choice)")
    parser.add_argument("--time-limit", type=float, default=None, help="s (default: the preset's)")
    args = parser.parse_args()
    base: dict[str, OptionValue] = read_preset(SOLVERS_DIR / "default.opt")
    if args.time_limit is not None:
        base["time_limit"] = args.time_limit
    for case in args.cases:
        data, grid = case_inputs(case)
        for number, lp in enumerate(args.lp):
            options = dict(base) if lp == "auto" else {**base, "mip_lp_solver": lp}
            res = solve(build_sizing(data, grid), options, progress=lambda _m: None, raise_on_failure=False)
            if number == 0:  # the structure is the same in every run
                compiled = res.compiled
                print(f"{case}: sizing {compiled.highs.getNumRow():,} rows, {compiled.n_cols:,} columns, "
                      f"{compiled.coupling_share:.2%} of the rows with more than {DENSE_ROW_ENTRIES} entries",
                      flush=True)
            print(f"  {lp:8s} HiGHS {res.timings_s['solve']:7.1f} s  {res.status:24s} "
                  f"objective {res.objective_eur:,.0f}  gap {res.mip_gap:.2%}", flush=True)


if __name__ == "__main__":
    main()
