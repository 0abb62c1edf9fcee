"""The sizing decisions of a model by name, to report them and to fix them for a full-horizon dispatch.

Names carry units: ``<asset>.energy_mwh``, ``<asset>.power_mw``, ``<asset>.stacks``, ``<asset>.units``,
``<asset>.storage_mwh``, ``<asset>.capacity_kg``, ``<asset>.built`` (reinforcement 0/1) and
``<hub>.contracted_import_mw``.
"""

from __future__ import annotations

from typing import Any

from energyhub.model.core import HubModel

#: (Pyomo variable name, size suffix) of every indexed size variable.
SIZE_VARS: list[tuple[str, str]] = [
    ("bat_e_mwh", "energy_mwh"),
    ("bat_p_mw", "power_mw"),
    ("ely_built", "stacks"),
    ("gas_built", "units"),
    ("gas_sto_mwh", "storage_mwh"),
    ("h2s_kg", "capacity_kg"),
    ("reinf_build", "built"),
    ("cap_mw", "contracted_import_mw"),
]


def size_vars(hm: HubModel) -> dict[str, Any]:
    """Every size VarData by its name."""
    out: dict[str, Any] = {}
    for comp_name, suffix in SIZE_VARS:
        comp = getattr(hm.m, comp_name, None)
        if comp is None:
            continue
        for key in comp:
            out[f"{key}.{suffix}"] = comp[key]
    return out


def fix_sizes(hm: HubModel, sizes: dict[str, float]) -> None:
    """Fix the named size variables (integers rounded) so that only dispatch remains to decide."""
    for name, var in size_vars(hm).items():
        if name in sizes:
            value = float(sizes[name])
            var.fix(round(value) if var.is_integer() else min(max(value, var.lb or 0.0), var.ub or value))
