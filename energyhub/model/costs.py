"""Annualised investment costs and the objective.

Capex on capacity above ``existing`` is annualised with the annuity factor ``r / (1 − (1 + r)^−n)`` (``1/n`` at
``r = 0``); fixed O&M is ``fixed_om_pct_per_year`` % of that (un-annualised) capex per year. Operating costs are
scaled to one year by the step weights of :class:`energyhub.model.timegrid.TimeGrid`.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from energyhub.model.core import HubModel


def annuity(rate: float, years: int) -> float:
    """Annuity factor: the share of an investment paid back each year over ``years`` at ``rate``."""
    if rate == 0.0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def add_capex(hm: HubModel, asset: Any, var: Any, capex_per_unit: float, existing: float, param: str) -> None:
    """Annualised capex and fixed O&M of ``capex_per_unit × (var − existing)`` for one asset.

    ``var`` is a scalar VarData (the asset's total size). The constant ``−capex × existing`` is added so that
    existing capacity costs nothing. ``param`` names the capex field for sweeps (``assets.<name>.<field>``).
    """
    share = hm.time.annual_share  # a window of a decomposed dispatch carries its share of the year
    factor = annuity(hm.scenario.economics.discount_rate, asset.lifetime_years) * share
    om = asset.fixed_om_pct_per_year / 100.0 * share
    for category, part in (("capex", factor), ("fixed_om", om)):
        if part == 0.0:
            continue
        hm.add_cost(category, [var], [0], [part], param=f"{param}#{category}", param_value=capex_per_unit)
        hm.cost_const[category] -= part * capex_per_unit * existing


def add_objective(hm: HubModel) -> None:
    """Minimise total annual cost (EUR per year)."""
    hm.m.objective = pyo.Objective(expr=hm.objective_expr(), sense=pyo.minimize)
