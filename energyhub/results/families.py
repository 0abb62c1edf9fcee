"""Variable families of a result dataset: which variables share one table (CSV/Parquet) or one group of sheets.

Used by :mod:`energyhub.results.export` (long tables) and :mod:`energyhub.results.report_xlsx` (workbook); it lives
in its own module so that neither has to import the other.
"""

from __future__ import annotations

import xarray as xr

from energyhub.model.registry import outputs


def _component_families() -> dict[str, tuple[str, ...]]:
    """Export families of the registry's outputs (``asset_dispatch``, ``asset_storage``, ``hub_hydrogen``…)."""
    families: dict[str, list[str]] = {}
    for output in outputs().values():
        families.setdefault(output.family, []).append(output.name)
    return {family: tuple(names) for family, names in families.items()}


# family name -> the variables it holds (all share one element dimension besides time)
FAMILIES: dict[str, tuple[str, ...]] = {
    **{f: names for f, names in _component_families().items() if f.startswith("asset_")},
    "hub_exchange": ("import_mw", "export_mw", "import_limit_mw", "export_limit_mw"),
    "hub_balance": ("demand_mw", "generation_available_mw", "generation_used_mw", "pv_mw", "wind_mw",
                    "curtailed_mw", "shed_mw", "price_eur_per_mwh"),
    **{f: names for f, names in _component_families().items() if not f.startswith("asset_")},
    "branch_loading": ("flow_mw", "base_flow_mw", "overload_mw", "loading_pct", "loading_ac_before_pct",
                       "loading_ac_after_pct"),
    "branches": ("limit_mw",),
    "bus_voltage": ("vm_before_pu", "vm_after_pu"),
    "time_weight": ("weight",),
    "baseline_branch_loading": ("loading_dc_pct", "loading_ac_pct"),
    "baseline_bus_voltage": ("vm_pu", "p_inj_mw"),
    "baseline_ac_converged": ("ac_converged",),
    "baseline_branches": ("branch_limit_mva", "ac_overloaded_h", "ac_worst_loading_pct", "ac_energy_above_limit_mwh",
                          "dc_overloaded_h", "dc_worst_loading_pct", "dc_energy_above_limit_mwh"),
    "baseline_buses": ("ac_below_h", "ac_above_h", "ac_min_vm_pu", "ac_max_vm_pu"),
}
DROP_ALL_NAN = frozenset({"asset_storage"})  # storage levels exist for storage assets only


def dataset_families(ds: xr.Dataset, prefix: str = "") -> dict[str, list[str]]:
    """Group the variables of ``ds`` into families; the others are grouped by dims, named after their first one."""
    groups: dict[str, list[str]] = {}
    for family, candidates in FAMILIES.items():
        members = [n for n in candidates if n in ds.data_vars and ds[n].ndim > 0]
        for dims in dict.fromkeys(ds[n].dims for n in members):
            groups[_family_key(groups, prefix + family)] = [n for n in members if ds[n].dims == dims]
    claimed = {n for names in groups.values() for n in names}
    leftovers: dict[tuple[object, ...], list[str]] = {}
    for name, var in ds.data_vars.items():
        if str(name) not in claimed and var.ndim > 0:
            leftovers.setdefault(tuple(var.dims), []).append(str(name))
    for same in leftovers.values():
        groups[_family_key(groups, prefix + same[0])] = same
    return groups


def _family_key(groups: dict[str, list[str]], key: str) -> str:
    suffix = 2
    candidate = key
    while candidate in groups:
        candidate = f"{key}_{suffix}"
        suffix += 1
    return candidate
