"""Explain an infeasible model in scenario terms, from HiGHS's irreducible infeasible subset (IIS)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import highspy

from energyhub.model.core import HubModel
from energyhub.model.registry import meanings

#: Pyomo component name → what it means in the scenario (``{0}``, ``{1}`` are its index parts): every component's
#: and carrier's phrases from the registry (:attr:`energyhub.model.registry.Component.meaning`).
MEANING: dict[str, str] = meanings()

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
        return (f"{head}; check asset size ranges, storage durations, demands and minimum loads against each "
                "other")
    more = f" (and {len(lines) - limit} more)" if len(lines) > limit else ""
    return f"{head}. These requirements conflict:\n  - " + "\n  - ".join(lines[:limit]) + more
