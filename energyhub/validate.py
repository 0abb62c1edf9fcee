"""``energyhub validate``: every check that can be made before a model is built, and a short summary."""

from __future__ import annotations

from pathlib import Path

from energyhub.grid.build import build_grid
from energyhub.scenario.data import ScenarioData, load
from energyhub.scenario.load import SOLVERS_DIR
from energyhub.solve.options import resolve_options


def summary(data: ScenarioData) -> str:
    """A few lines that say what the scenario contains."""
    sc = data.scenario
    t = sc.time
    kinds: dict[str, int] = {}
    for asset in sc.assets:
        kinds[asset.type] = kinds.get(asset.type, 0) + 1
    agg = (
        f", aggregated to {t.aggregation.typical_periods} × {t.aggregation.hours_per_period} h"
        if t.aggregation
        else ""
    )
    lines = [
        f"scenario {sc.name}: valid",
        f"  time      {data.times[0]:%Y-%m-%d %H:%M} + {t.periods} × {t.resolution} "
        f"({data.horizon_h:g} h){agg}",
        f"  grid      {', '.join(f'{s.name} ({s.source}, {s.zone})' for s in sc.grid.segments)}; "
        f"flow model {sc.grid.flow_model}, limit {sc.grid.loading_limit_pct:g}% − {sc.grid.dc_margin_pct:g}% DC margin",
        f"  markets   {', '.join(m.zone for m in sc.markets)}",
        f"  hubs      {', '.join(h.name for h in sc.hubs) or 'none'}",
        f"  assets    {', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'}",
        f"  links     {', '.join(f'{lk.name} ({lk.carrier})' for lk in sc.links) or 'none'}",
        f"  solver    preset {sc.solver.preset}",
    ]
    return "\n".join(lines)


def validate_scenario(path: Path, solvers_dir: Path = SOLVERS_DIR) -> str:
    """Validate a scenario completely (structure, references, series, solver options, grid names); summarise it."""
    data = load(path, solvers_dir)
    resolve_options(data.scenario.solver, solvers_dir, path)
    grid = build_grid(data, log_notes=False)
    notes = "".join(f"\n  note      {note}" for note in grid.notes)
    return summary(data) + (
        f"\n  network   {grid.n_bus} buses, {grid.n_branch} branches (lines and transformers), "
        f"all hub buses and reinforced branches found"
    ) + notes
