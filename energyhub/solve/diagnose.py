"""Explain an infeasible model in scenario terms, from HiGHS's irreducible infeasible subset (IIS)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import highspy

from energyhub.model.core import HubModel

#: Pyomo component name → what it means in the scenario (``{0}``, ``{1}`` are its index parts).
MEANING: dict[str, str] = {
    "el_balance": "electricity balance of hub {0}",
    "h2_balance": "hydrogen balance of hub {0} (demand must be met or shortfall is capped at demand)",
    "gas_balance": "biogas balance of hub {0}",
    "group_import": "group contract {0}: import limit",
    "group_export": "group contract {0}: export limit",
    "contracted_limit": "contracted import capacity of hub {0}",
    "peak_def": "monthly import peak of hub {0}",
    "bat_soc": "state of charge of battery {0}",
    "bat_min_duration": "battery {0}: min_duration_h (energy ≥ duration × power)",
    "bat_max_duration": "battery {0}: max_duration_h (energy ≤ duration × power)",
    "bat_build_or_not": "battery {0}: build_or_not minimum size",
    "ely_p_min": "electrolyser {0}: minimum load of running stacks",
    "ely_p_max": "electrolyser {0}: stack rating",
    "ely_run_limit": "electrolyser {0}: running stacks ≤ built stacks",
    "gas_min_up": "biogas {0}: min_up_h",
    "gas_min_down": "biogas {0}: min_down_h",
    "gas_p_min": "biogas {0}: minimum load",
    "branch_upper": "limit of branch {1}",
    "branch_lower": "limit of branch {1} (reverse direction)",
    "imp_mw": "import bound (connection.import_mw × transport right) of hub {0}",
    "exp_mw": "export bound (connection.export_mw × transport right) of hub {0}",
    "shed_mw": "load shedding of hub {0} (at most its demand)",
    "bat_e_mwh": "energy_mwh range of battery {0}",
    "bat_p_mw": "power_mw range of battery {0}",
    "ely_built": "stacks range of electrolyser {0}",
    "gas_built": "units range of biogas asset {0}",
}

_NAME = re.compile(r"^(?P<comp>[A-Za-z0-9_]+)(\[(?P<index>.*)\])?$")


def describe(hm: HubModel, name: str) -> str:
    """A Pyomo name like ``el_balance[hengelo,12]`` in scenario terms, with the step's time."""
    match = _NAME.match(name)
    if not match:
        return name
    comp, index = match["comp"], match["index"] or ""
    parts = [p.strip().strip("'\"") for p in index.split(",")] if index else []
    text = MEANING.get(comp, comp)
    if comp.startswith("branch_") and len(parts) == 2 and parts[1].isdigit():
        b = int(parts[1])
        parts[1] = hm.grid.branch_names[b] if b < hm.grid.n_branches else parts[1]
        parts = [parts[1], parts[1], parts[0]]
    with contextlib.suppress(IndexError):
        text = text.format(*parts)
    step = next((p for p in reversed(parts) if p.isdigit()), None)
    if step is not None and hm.time.times is not None and int(step) < hm.time.n:
        text += f" at {hm.time.times[int(step)]}"
    elif step is not None:
        text += f" at step {step}"
    return text


def diagnose_infeasible(hm: HubModel, compiled: Any, limit: int = 12) -> str:
    """The IIS's rows and bounded columns, described; a generic hint if HiGHS gives no IIS."""
    highs = compiled.highs
    lines: list[str] = []
    try:
        status, iis = highs.getIis()
        if status != highspy.HighsStatus.kError:
            rows = [compiled.rows[i][0].name for i in iis.row_index_]
            cols = [compiled.columns[j].name for j in iis.col_index_]
            seen: list[str] = []
            for name in [*rows, *cols]:
                text = describe(hm, name)
                if text not in seen:
                    seen.append(text)
            lines = seen
    except Exception as exc:  # IIS is best effort: never hide the infeasibility itself
        lines = [f"(no IIS: {type(exc).__name__}: {exc})"]
    head = f"scenario '{hm.scenario.name}' has no feasible solution"
    if not lines:
        return (f"{head}; check asset size ranges, battery durations, hydrogen demand and biogas minimum loads "
                "against each other")
    more = f" (and {len(lines) - limit} more)" if len(lines) > limit else ""
    return f"{head}. These requirements conflict:\n  - " + "\n  - ".join(lines[:limit]) + more
