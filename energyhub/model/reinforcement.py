"""Grid reinforcements: a binary ``reinf_build[r]`` that raises one branch's limit.

If built, branch b's limit grows by ``added_mva × limit_factor`` (the same loading limit and DC margin as the
rating), for the annualised ``capex_eur`` plus fixed O&M. The limit rows themselves are in
:mod:`energyhub.model.network`; this module registers ``info["branch_limit_extra"][b] = [(reinf_build[r], ΔL)]``
(any component may add such limit extensions: a variable and the MW it adds per unit).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model import costs
from energyhub.model.core import HubModel
from energyhub.model.registry import Component, LiveCapex, PerUnit, Size, Value
from energyhub.model.sizes import fix_given
from energyhub.scenario.components.reinforcement import ReinforcementAsset


def add(hm: HubModel) -> None:
    """One binary per reinforcement asset, its cost, and its branch's extra limit."""
    reinf: list[ReinforcementAsset] = hm.assets_of("reinforcement")
    by_branch: dict[int, list[tuple[Any, float]]] = hm.info.setdefault("branch_limit_extra", {})
    if not reinf:
        return
    m = hm.m
    names = [r.name for r in reinf]
    m.reinf_build = pyo.Var(names, domain=pyo.Binary)
    fix_given(hm, m.reinf_build)
    for r in reinf:
        b = hm.grid.branch_index(r.branch)
        by_branch.setdefault(b, []).append((m.reinf_build[r.name], r.added_mva * hm.grid.limit_factor))
        costs.add_capex(hm, r, m.reinf_build[r.name], r.capex_eur, 0.0, f"assets.{r.name}.capex_eur")
        if hm.scenario.grid.flow_model == "copperplate":
            m.reinf_build[r.name].fix(0)  # nothing to relieve


def branch_limit_mw(hm: HubModel, value: Value) -> np.ndarray:
    """Extra branch limits (B,) of the reinforcements built in a solved model."""
    extra = np.zeros(hm.grid.n_branches)
    for r in hm.assets_of("reinforcement"):
        b = hm.grid.branch_index(r.branch)
        extra[b] += r.added_mva * hm.grid.limit_factor * round(value(hm.m.reinf_build[r.name]))
    return extra


def priced_sizes(asset: Any) -> list[tuple[str, float, float]]:
    """A reinforcement is built (1) or not (0) at its capex."""
    return [("built", asset.capex_eur, 0.0)]


COMPONENTS = (
    Component(
        "reinforcement", 80, add, assets=(ReinforcementAsset,), priced_sizes=priced_sizes,
        sizes=(Size("reinf_build", "built", "Built (0/1)"),),
        per_unit=(PerUnit("built", "added_mva", "added_mva", "Added (MVA)"),),
        live_capex=(LiveCapex("capex_eur", None),),
        branch_limit_mw=branch_limit_mw,
    ),
)
