"""Batteries: sized energy and power, state of charge, optional build-or-not and anti-dumping binaries.

Per battery b (set ``BAT``) and step t:

* sizes ``e_mwh[b] ∈ [lo, hi]``, ``p_mw[b] ∈ [lo, hi]`` (fixed when not extendable); with ``build_or_not`` a binary
  ``build[b]``: ``e ≥ existing + (min − existing)·build``, ``e ≤ existing + (max − existing)·build`` (same for p);
* ``0 ≤ ch_mw[b,t] ≤ p_mw[b]``, ``0 ≤ dis_mw[b,t] ≤ p_mw[b]``, ``0 ≤ soc_mwh[b,t] ≤ e_mwh[b]`` (as variable bounds
  when the size is fixed);
* ``soc[t] = keep·soc[prev(t)] + η_ch·ch[t]·Δt − dis[t]·Δt/η_dis`` with ``keep = (1 − sd/100)^(Δt/24)``, cyclic
  within each segment of the time grid (the whole horizon, or each typical period); in a window of a decomposed
  dispatch ``soc[prev(first)]`` is the window's initial level (:meth:`HubModel.initial_state`); with storage
  linked across typical periods it is relative to each period's start (:mod:`energyhub.model.linking`);
* durations: ``min_duration_h·p ≤ e ≤ max_duration_h·p``;
* anti-dumping: a binary ``charging[b,t]`` with ``ch ≤ P̄·charging`` and ``dis ≤ P̄·(1 − charging)`` (P̄ = max
  power, or the power where it is fixed), only in the cyclic segments (the horizon, or a typical period) with a
  step where consuming energy at the battery's hub can pay (:func:`energyhub.model.market.dumping_pays`:
  negative import cost or export price, curtailment cost with local generation, an overloaded branch that
  withdrawal relieves, a must-run biogas engine); see :func:`dumping_steps` for why the whole segment. Elsewhere
  simultaneous charge and discharge only loses energy that must be paid for, so an optimum never does it and no
  binary is added. In a sizing whose commitment is relaxed (``hm.info[RELAXED_COMMITMENT]``) the binary would be
  continuous in [0, 1]; its exact projection ``ch + dis ≤ P̄`` (row ``bat_excl_relaxed``) is built instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from energyhub.model import costs, linking, market, rows
from energyhub.model.core import HubModel
from energyhub.model.registry import Component, LiveCapex, Output, Size, State, Values
from energyhub.model.sizes import RELAXED_COMMITMENT, fix_given, flow_limit
from energyhub.scenario.components.battery import BatteryAsset


def size_bounds(size: Any, build_or_not: bool) -> tuple[float, float]:
    """Bounds of a total size: with build-or-not the lower bound is the existing size."""
    lo = size.existing if build_or_not else max(size.min, size.existing)
    return float(lo), float(max(size.upper, lo))


def add(hm: HubModel) -> None:
    """All batteries of the scenario."""
    bats: list[BatteryAsset] = hm.assets_of("battery")
    if not bats:
        return
    m = hm.m
    spec = {b.name: b for b in bats}
    names = list(spec)
    m.BAT = pyo.Set(initialize=names, ordered=True)
    m.bat_e_mwh = pyo.Var(m.BAT, bounds=lambda _m, b: size_bounds(spec[b].energy_mwh, spec[b].build_or_not))
    m.bat_p_mw = pyo.Var(m.BAT, bounds=lambda _m, b: size_bounds(spec[b].power_mw, spec[b].build_or_not))
    fix_given(hm, m.bat_e_mwh)
    fix_given(hm, m.bat_p_mw)
    for name in names:
        _fix_if_fixed(m.bat_e_mwh[name])
        _fix_if_fixed(m.bat_p_mw[name])
    p_max = {n: _largest(m.bat_p_mw[n]) for n in names}
    e_max = {n: _largest(m.bat_e_mwh[n]) for n in names}
    hm.step_var("bat_ch_mw", m.BAT, p_max)
    hm.step_var("bat_dis_mw", m.BAT, p_max)
    hm.step_var("bat_soc_mwh", m.BAT, e_max)
    _add_capacity_limits(hm, names)
    _add_soc(hm, spec)
    _add_durations(hm, spec)
    _add_build_or_not(hm, spec)
    _add_no_dumping(hm, spec, p_max)
    for b in bats:
        hm.add_term("electricity", b.hub, 1.0, m.bat_dis_mw, b.name)
        hm.add_term("electricity", b.hub, -1.0, m.bat_ch_mw, b.name)
        costs.add_capex(hm, b, m.bat_e_mwh[b.name], b.energy_mwh.capex_eur_per_mwh, b.energy_mwh.existing,
                        f"assets.{b.name}.energy_mwh.capex_eur_per_mwh")
        costs.add_capex(hm, b, m.bat_p_mw[b.name], b.power_mw.capex_eur_per_mw, b.power_mw.existing,
                        f"assets.{b.name}.power_mw.capex_eur_per_mw")


def _largest(size: Any) -> float:
    """The largest value of a size VarData: its value when fixed, else its upper bound."""
    return float(size.value if size.fixed else size.ub)


def _fix_if_fixed(var: Any) -> None:
    if var.lb is not None and var.ub is not None and var.ub - var.lb < 1e-12:
        var.fix(var.lb)


def _add_capacity_limits(hm: HubModel, names: list[str]) -> None:
    """Flows ≤ power and level ≤ energy, as rows only where the size is a decision (else variable bounds)."""
    m = hm.m
    flow_limit(hm, "bat_ch_limit", m.bat_ch_mw, m.bat_p_mw, names)
    flow_limit(hm, "bat_dis_limit", m.bat_dis_mw, m.bat_p_mw, names)
    flow_limit(hm, "bat_soc_limit", m.bat_soc_mwh, m.bat_e_mwh, names)


def _add_soc(hm: HubModel, spec: dict[str, BatteryAsset]) -> None:
    m, dt = hm.m, hm.time.step_h
    keep = {b: (1.0 - s.self_discharge_pct_per_day / 100.0) ** (dt / 24.0) for b, s in spec.items()}
    linking.declare(hm, "bat_soc_mwh", "bat_e_mwh", "bat_soc_limit", keep)

    gain = {b: s.charge_efficiency * dt for b, s in spec.items()}
    loss = {b: dt / s.discharge_efficiency for b, s in spec.items()}
    # soc[t] − keep·soc[prev] − η_ch·Δt·ch[t] + Δt/η_dis·dis[t] = 0, or = keep·initial in a window's first step
    rows.storage_levels(hm, "bat_soc", m.bat_soc_mwh, m.bat_ch_mw, m.bat_dis_mw, keep, gain, loss)


def _add_durations(hm: HubModel, spec: dict[str, BatteryAsset]) -> None:
    m = hm.m
    lo = [b for b, s in spec.items() if s.min_duration_h is not None]
    hi = [b for b, s in spec.items() if s.max_duration_h is not None]
    m.bat_min_duration = pyo.Constraint(
        lo, rule=lambda _m, b: m.bat_e_mwh[b] >= float(spec[b].min_duration_h or 0.0) * m.bat_p_mw[b]
    )
    m.bat_max_duration = pyo.Constraint(
        hi, rule=lambda _m, b: m.bat_e_mwh[b] <= float(spec[b].max_duration_h or 0.0) * m.bat_p_mw[b]
    )


def _add_build_or_not(hm: HubModel, spec: dict[str, BatteryAsset]) -> None:
    m = hm.m
    names = [b for b, s in spec.items() if s.build_or_not]
    if not names:
        return
    m.bat_build = pyo.Var(names, domain=pyo.Binary)
    rows: list[tuple[str, str, str]] = [(b, kind, side) for b in names for kind in ("e", "p") for side in ("lo", "hi")]

    def rule(_m: pyo.ConcreteModel, b: str, kind: str, side: str) -> object:
        size = spec[b].energy_mwh if kind == "e" else spec[b].power_mw
        var = m.bat_e_mwh[b] if kind == "e" else m.bat_p_mw[b]
        if side == "lo":
            return var >= size.existing + max(size.min - size.existing, 0.0) * m.bat_build[b]
        return var <= size.existing + (size.upper - size.existing) * m.bat_build[b]

    m.bat_build_or_not = pyo.Constraint(rows, rule=rule)


def dumping_steps(hm: HubModel) -> dict[str, np.ndarray]:
    """Per hub, the steps (mask) in which a battery at the hub gets the exclusivity binary: every step of each
    cyclic segment holding a step in which consuming energy at the hub pays (:func:`market.dumping_pays`).

    Not only those steps: the state of charge moves energy within its segment, so energy taken in where
    consumption pays (e.g. PV that would be curtailed at a cost) can be burnt by charging and discharging at
    once in any other step of the segment (where the hub has nothing else to absorb the discharge). Across
    segments nothing moves, so segments without such a step (typical periods, or the whole horizon) stay
    binary-free: there simultaneous charge and discharge only loses energy that must be paid for.
    """
    out: dict[str, np.ndarray] = {}
    for hub, pays in market.dumping_pays(hm).items():
        mask = np.zeros(hm.time.n, dtype=bool)
        # linked storage moves energy across typical periods: then they are all one segment here
        for start, stop in [(0, hm.time.n)] if hm.time.link_storage else hm.time.segment_bounds():
            mask[start:stop] = bool(pays[start:stop].any())
        out[hub] = mask
    return out


def _add_no_dumping(hm: HubModel, spec: dict[str, BatteryAsset], p_max: dict[str, float]) -> None:
    """Charge/discharge exclusivity for the (battery, step) pairs where dumping can pay (:func:`dumping_steps`);
    none where it cannot, so that the model stays as small as it can."""
    m = hm.m
    steps_of = dumping_steps(hm)
    keys = [(b, t) for b, s in spec.items() if p_max[b] > 0 for t in hm.steps if steps_of[s.hub][t]]
    hm.info["no_dumping_pairs"] = len(keys)
    if not keys:
        return
    if hm.info.get(RELAXED_COMMITMENT):
        # the binary relaxed to [0, 1]: some c with ch ≤ P̄·c and dis ≤ P̄·(1 − c) exists iff ch + dis ≤ P̄, one
        # row and no variable (the exact projection: same optimum, 2 rows and a column fewer per pair)
        m.bat_excl_relaxed = pyo.Constraint(
            keys, rule=lambda _m, b, t: m.bat_ch_mw[b, t] + m.bat_dis_mw[b, t] <= p_max[b]
        )
        return
    m.bat_charging = pyo.Var(keys, domain=pyo.Binary)
    first = [b for b, _ in keys]
    steps = np.fromiter((t for _, t in keys), dtype=np.int64, count=len(keys))
    cap = rows.by_key(p_max, first)
    flows = {name: rows.term(getattr(m, name), rows.grid_pos(getattr(m, name), first, steps), 1.0)
             for name in ("bat_ch_mw", "bat_dis_mw")}
    mode = rows.key_pos(m.bat_charging, keys)
    rows.declare(hm, "bat_ch_excl", (first, steps),  # ch − P̄·charging ≤ 0
                 [flows["bat_ch_mw"], rows.term(m.bat_charging, mode, -cap)], "<=")
    rows.declare(hm, "bat_dis_excl", (first, steps),  # dis + P̄·charging ≤ P̄
                 [flows["bat_dis_mw"], rows.term(m.bat_charging, mode, cap)], "<=", cap)


SIMULTANEOUS_MW = 1e-6


def simultaneous(hm: HubModel, values: Values) -> dict[str, set[int]]:
    """Steps in which a battery charged and discharged at once in a solution (both above 1e-6 MW), by battery.

    A model is solved first with the exclusivity binaries ``bat_charging`` relaxed to continuous
    (:func:`energyhub.solve.workflow.solve_lazily`): a solution without simultaneous flows is feasible for the model
    with them binary, and its bound is no higher, so it is optimal for that model within the same gap.
    """
    m = hm.m
    if not hasattr(m, "bat_ch_mw"):
        return {}
    out: dict[str, set[int]] = {}
    for a in hm.assets_of("battery"):
        both = (values(m.bat_ch_mw, a.name) > SIMULTANEOUS_MW) & (values(m.bat_dis_mw, a.name) > SIMULTANEOUS_MW)
        if both.any():
            out[a.name] = set(np.flatnonzero(both).tolist())
    return out


def charging_start(hm: HubModel, values: Values) -> dict[tuple[str, Any], float]:
    """The exclusivity binaries a solution without them implies (charging where it charged more than it
    discharged): a start for the model with them."""
    m = hm.m
    out: dict[tuple[str, Any], float] = {}
    if not hasattr(m, "bat_ch_mw"):
        return out
    for a in hm.assets_of("battery"):
        charging = values(m.bat_ch_mw, a.name) > values(m.bat_dis_mw, a.name)
        out.update({("bat_charging", (a.name, t)): float(c) for t, c in enumerate(charging)})
    return out


def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Net output to the hub (discharge − charge) and state of charge per battery."""
    m = hm.m
    out: dict[str, dict[str, np.ndarray]] = {"p_mw": {}, "soc_mwh": {}}
    for a in hm.assets_of("battery"):
        out["p_mw"][a.name] = values(m.bat_dis_mw, a.name) - values(m.bat_ch_mw, a.name)
        out["soc_mwh"][a.name] = values(m.bat_soc_mwh, a.name)
    return out


#: Electricity to the hub (+) or from it (−), MW: shared by every asset at the hub's electricity balance.
P_MW = Output("p_mw", "asset", "MW", "electricity to the hub (+) or from it (−)", "asset_dispatch")

COMPONENTS = (
    Component(
        "battery", 30, add, assets=(BatteryAsset,), states=(State("bat_soc_mwh", "MWh"),),
        lazy_binaries=("bat_charging", simultaneous, charging_start),
        sizes=(Size("bat_e_mwh", "energy_mwh", "Energy (MWh)"), Size("bat_p_mw", "power_mw", "Power (MW)")),
        outputs=(P_MW, Output("soc_mwh", "asset", "MWh", "battery state of charge", "asset_storage", storage=True)),
        extract=extract,
        cost_categories={"capex": "annualised investment", "fixed_om": "fixed operation and maintenance"},
        meaning={
            "bat_soc": "state of charge of battery {0}",
            "bat_min_duration": "battery {0}: min_duration_h (energy ≥ duration × power)",
            "bat_max_duration": "battery {0}: max_duration_h (energy ≤ duration × power)",
            "bat_build_or_not": "battery {0}: build_or_not minimum size",
            "bat_e_mwh": "energy_mwh range of battery {0}",
            "bat_p_mw": "power_mw range of battery {0}",
            "bat_ch_limit": "battery {0}: charging ≤ power_mw",
            "bat_dis_limit": "battery {0}: discharging ≤ power_mw",
            "bat_soc_limit": "battery {0}: state of charge ≤ energy_mwh",
            "bat_excl_relaxed": "battery {0}: charging + discharging ≤ power (exclusivity relaxed in the sizing)",
            "bat_ch_mw": "charging of battery {0} (at most power_mw)",
            "bat_dis_mw": "discharging of battery {0} (at most power_mw)",
            "bat_soc_mwh": "state of charge of battery {0} (at most energy_mwh)",
        },
        live_capex=(LiveCapex("energy_mwh.capex_eur_per_mwh", "energy_mwh.existing"),
                    LiveCapex("power_mw.capex_eur_per_mw", "power_mw.existing")),
    ),
)
