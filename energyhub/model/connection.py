"""Hub grid connections: import/export within the transport right, local generation, shedding, balance.

Variables (per hub h, step t): ``imp_mw[h,t]``, ``exp_mw[h,t]`` (≥ 0), ``gen_mw[h,t]`` (local PV + wind used,
≤ available), ``shed_mw[h,t]`` (≤ demand), ``cap_mw[h]`` (contracted import capacity, priced per kW-year),
``peak_mw[h,m]`` (import peak of month group m, priced per kW-month).

Transport rights scale the contracted capacity per step with an availability ``a[h,t]``: 1 in firm steps,
``non_firm_frac`` otherwise. ``time_block``: firm in the listed hours of the day. ``time_duration``: firm in a
share ``firm_share`` of the (weighted) steps; the non-firm steps are chosen deterministically as the steps with
the highest *baseline* loading (base flow / limit) over the branches the hub's bus affects (|PTDF| > 1e-3);
ties and hubs without such branches fall back to the earliest steps. The availability applies to import and
export alike.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energyhub.model import rows
from energyhub.model.core import HubModel
from energyhub.model.registry import Carrier, Component
from energyhub.scenario.schema import HubSpec

PTDF_AFFECTS = 1e-3

#: Electricity: the hub balance Σ supply terms = demand (MW), every step; shedding is a priced supply term.
ELECTRICITY = Carrier("electricity", "MW", "el_balance", "==", "electricity balance of hub {0}")


def injection_limits_mw(hub: HubSpec, avail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hub's import and export bounds per step: the connection's limits × the transport right's
    availability (:func:`availability`)."""
    return hub.connection.import_mw * avail, hub.connection.export_mw * avail


def availability(hm: HubModel, hub: HubSpec) -> np.ndarray:
    """Share of the contracted capacity usable in each step under the hub's transport right (n,).

    A window of a decomposed dispatch gets it from the whole horizon, as series ``hubs.<hub>.availability``
    (the non-firm steps of a time-duration-bound right are chosen over the year, not per window).
    """
    given = hm.series.get(f"hubs.{hub.name}.availability")
    if given is not None:
        return np.asarray(given, dtype=float)
    conn = hub.connection
    n = hm.time.n
    if conn.right == "firm":
        return np.ones(n)
    if conn.right == "time_block":
        firm = np.isin(hm.time.hour, np.asarray(conn.firm_hours or [], dtype=np.int64))
        return np.where(firm, 1.0, conn.non_firm_frac)
    non_firm = _non_firm_steps(hm, hub.name, 1.0 - float(conn.firm_share or 0.0))
    return np.where(non_firm, conn.non_firm_frac, 1.0)


def _non_firm_steps(hm: HubModel, hub: str, share: float) -> np.ndarray:
    """Mask of the steps of highest baseline loading covering ``share`` of the weighted horizon."""
    grid = hm.grid
    n = hm.time.n
    loading = np.zeros(n)
    col = grid.hub_names.index(hub) if hub in grid.hub_names else -1
    if col >= 0 and grid.n_branches:
        affected = np.abs(grid.ptdf_hub[:, col]) > PTDF_AFFECTS
        if affected.any():
            ratio = np.abs(grid.base_flow_mw[:, affected]) / np.maximum(grid.limit_mw[affected], 1e-9)
            loading = ratio.max(axis=1)
    order = np.lexsort((np.arange(n), -loading))  # highest loading first, then earliest
    weight = hm.time.weight[order]
    cum = np.cumsum(weight) / weight.sum()
    count = int(np.searchsorted(cum, share - 1e-9, side="left")) + 1 if share > 1e-9 else 0
    mask = np.zeros(n, dtype=bool)
    mask[order[:count]] = True
    return mask


def add(hm: HubModel) -> None:
    """Connection variables, transport-right bounds, group contracts and capacity tariffs."""
    m, hubs = hm.m, hm.hubs
    avail = {h.name: availability(hm, h) for h in hm.scenario.hubs}
    hm.info["availability"] = avail
    limits = {h.name: injection_limits_mw(h, avail[h.name]) for h in hm.scenario.hubs}

    hm.step_var("imp_mw", hubs, {h: np.asarray(limits[h][0], dtype=float) for h in hubs})
    hm.step_var("exp_mw", hubs, {h: np.asarray(limits[h][1], dtype=float) for h in hubs})
    _add_local_generation(hm)
    _add_shedding(hm)
    _add_groups(hm)
    _add_contracted(hm, avail)
    _add_monthly_peak(hm)
    for h in hm.scenario.hubs:
        hm.cost_const["fixed_tariff"] += h.tariffs.fixed_eur_per_year * hm.time.annual_share
        hm.add_term(ELECTRICITY.name, h.name, 1.0, m.imp_mw, h.name)
        hm.add_term(ELECTRICITY.name, h.name, -1.0, m.exp_mw, h.name)


def available_generation_mw(hm: HubModel, hub: HubSpec) -> np.ndarray:
    """Local PV plus wind output before curtailment (n,)."""
    out = np.zeros(hm.time.n)
    for kind in ("pv", "wind"):
        gen = getattr(hub, kind)
        if gen is not None:
            out = out + gen.capacity_mw * hm.hub_series(hub.name, f"{kind}.profile_pu")
    return out


def _add_local_generation(hm: HubModel) -> None:
    m = hm.m
    avail = {h.name: available_generation_mw(hm, h) for h in hm.scenario.hubs}
    hm.info["generation_available_mw"] = avail
    hm.step_var("gen_mw", hm.hubs, {h: np.asarray(avail[h], dtype=float) for h in hm.hubs})
    cost = hm.scenario.economics.curtailment_eur_per_mwh
    step_cost = hm.step_cost()
    for h in hm.hubs:
        hm.add_term(ELECTRICITY.name, h, 1.0, m.gen_mw, h)
        # curtailment cost × (available − used): the constant part goes to cost_const
        keys = [(h, t) for t in hm.steps]
        hm.add_cost("curtailment", m.gen_mw, keys, -step_cost, param="economics.curtailment_eur_per_mwh",
                    param_value=cost)
        hm.cost_const["curtailment"] += cost * float(step_cost @ avail[h])


def _add_shedding(hm: HubModel) -> None:
    m = hm.m
    demand = {h: hm.hub_series(h, "demand_mw") for h in hm.hubs}
    hm.step_var("shed_mw", hm.hubs, {h: np.asarray(demand[h], dtype=float) for h in hm.hubs})
    voll = hm.scenario.economics.voll_eur_per_mwh
    for h in hm.hubs:
        hm.add_term(ELECTRICITY.name, h, 1.0, m.shed_mw, h)
        hm.add_rhs(ELECTRICITY.name, h, demand[h])
        hm.add_cost("voll", m.shed_mw, [(h, t) for t in hm.steps], hm.step_cost(),
                    param="economics.voll_eur_per_mwh", param_value=voll)


def _add_groups(hm: HubModel) -> None:
    """Group transport agreement: member hubs' summed import (export) ≤ the group's capacity, every step."""
    m = hm.m
    groups = {g.name: g for g in hm.scenario.groups}
    members = {g: list(spec.hubs) for g, spec in groups.items()}
    for h in hm.scenario.hubs:
        if h.connection.group and h.connection.group in members and h.name not in members[h.connection.group]:
            members[h.connection.group].append(h.name)
    if not groups:
        return
    first, steps = rows.product(list(groups), hm.time.n)
    width = max(len(hs) for hs in members.values())
    for name, var, limit in (("group_import", m.imp_mw, "import_mw"), ("group_export", m.exp_mw, "export_mw")):
        # Σ_{h in group} flow[h, t] ≤ the group's limit; member j of each group is the j-th term
        terms = []
        for j in range(width):
            has = [len(members[g]) > j for g in first]
            hub = [members[g][j] if ok else members[g][0] for g, ok in zip(first, has, strict=True)]
            terms.append(rows.term(var, np.where(has, rows.grid_pos(var, hub, steps), -1), 1.0))
        rows.declare(hm, name, (first, steps), terms, "<=",
                     rows.by_key({g: getattr(spec, limit) for g, spec in groups.items()}, first))


def _add_contracted(hm: HubModel, avail: dict[str, np.ndarray]) -> None:
    """Contracted import capacity ``cap_mw[h] ≤ import_mw`` priced per kW-year; fixed at GTV if unpriced."""
    m = hm.m
    specs = {h.name: h for h in hm.scenario.hubs}
    m.cap_mw = pyo.Var(hm.hubs, bounds=lambda _m, h: (0.0, specs[h].connection.import_mw))
    priced = [h for h in hm.hubs if specs[h].tariffs.contracted_eur_per_kw_year > 0]
    for h in hm.hubs:
        if h not in priced:
            m.cap_mw[h].fix(specs[h].connection.import_mw)
    if not priced:
        return
    # imp[h, t] − a[h, t]·cap[h] ≤ 0 in the steps with an availability
    first = [h for h in priced for t in hm.steps if avail[h][t] > 0]
    steps = np.concatenate([np.flatnonzero(avail[h] > 0) for h in priced]).astype(np.int64)
    share = np.concatenate([avail[h][avail[h] > 0] for h in priced]).astype(float)
    rows.declare(hm, "contracted_limit", (first, steps), [
        rows.term(m.imp_mw, rows.grid_pos(m.imp_mw, first, steps), 1.0),
        rows.term(m.cap_mw, rows.key_pos(m.cap_mw, first), -share),
    ], "<=")
    for h in priced:
        rate = specs[h].tariffs.contracted_eur_per_kw_year
        hm.add_cost("contracted_capacity", m.cap_mw, [h], [1000.0 * hm.time.annual_share],
                    param=f"hubs.{h}.tariffs.contracted",
                    param_value=rate)


def _add_monthly_peak(hm: HubModel) -> None:
    """``peak_mw[h,m] ≥ imp_mw[h,t]`` for t in month group m, priced per kW per month × months per year."""
    m = hm.m
    specs = {h.name: h for h in hm.scenario.hubs}
    priced = [h for h in hm.hubs if specs[h].tariffs.monthly_peak_eur_per_kw > 0]
    if not priced:
        return
    months = list(range(hm.time.n_months))
    m.peak_mw = pyo.Var(priced, months, bounds=(0.0, None))
    month = hm.time.month
    first, steps = rows.product(priced, hm.time.n)  # imp[h, t] − peak[h, month of t] ≤ 0
    rows.declare(hm, "peak_def", (first, steps), [
        rows.term(m.imp_mw, rows.grid_pos(m.imp_mw, first, steps), 1.0),
        rows.term(m.peak_mw, rows.grid_pos(m.peak_mw, first, month[steps]), -1.0),
    ], "<=")
    for h in priced:
        rate = specs[h].tariffs.monthly_peak_eur_per_kw
        hm.add_cost("monthly_peak", m.peak_mw, [(h, k) for k in months], 1000.0 * hm.time.months_per_year,
                    param=f"hubs.{h}.tariffs.monthly_peak", param_value=rate)


COMPONENTS = (
    Component(
        "connection", 10, add, carriers=(ELECTRICITY,),
        cost_categories={"fixed_tariff": "fixed grid tariff", "curtailment": "curtailed local generation",
                         "voll": "load shed (value of lost load)", "contracted_capacity": "contracted import capacity",
                         "monthly_peak": "monthly import peaks"},
        meaning={
            "group_import": "group contract {0}: import limit",
            "group_export": "group contract {0}: export limit",
            "contracted_limit": "contracted import capacity of hub {0}",
            "peak_def": "monthly import peak of hub {0}",
            "imp_mw": "import bound (connection.import_mw × transport right) of hub {0}",
            "exp_mw": "export bound (connection.export_mw × transport right) of hub {0}",
            "shed_mw": "load shedding of hub {0} (at most its demand)",
        },
        live_penalties={"economics.voll_eur_per_mwh": "voll"},
    ),
)
