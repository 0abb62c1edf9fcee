"""Money as investors and grid operators see it: investment per asset, each hub's annual bill, costs per actor.

Everything here is read from the solved summary (``capacities``, ``costs_eur``), the scenario (capex fields,
lifetimes, ``economics.discount_rate``) and, for the hubs' bills, the dispatch (imports, exports, unserved energy)
with the model's price series, so that each figure can be checked by hand:

* per asset: ``investment_eur`` = capex × (size − existing), summed over the asset's sized quantities;
  ``annuity_eur_per_year`` = investment × r / (1 − (1 + r)^−n) over its ``lifetime_years``;
  ``fixed_om_eur_per_year`` = investment × ``fixed_om_pct_per_year`` / 100. Σ annuities = ``costs_eur.capex``.
* per hub: its assets' investment, annuity and fixed O&M, and its **bill**: what it pays for electricity
  (``energy``, ``co2``, ``export_revenue``), network tariffs (``grid_energy_tariff``, ``hub_energy_tariff``,
  ``contracted_capacity``, ``monthly_peak``, ``fixed_tariff``) and for what it goes without (``voll``,
  ``h2_shortfall``, ``curtailment``: load shed, hydrogen bought elsewhere, local output curtailed), each in EUR per
  year. Summed over the hubs, each category equals ``costs_eur`` of the same name.
* per actor: the **hub companies** pay their assets (annuity + fixed O&M), energy, tariffs, the operation of their
  assets (``fuel``, ``variable_om``, ``start``, ``link_transport``) and what they go without; the **grid operator**
  pays the reinforcements (annuity + fixed O&M), receives the network tariffs, and carries the ``overload``
  penalty (a model device for the overload left, not a payment). hub companies + grid operator's reinforcements
  + overload = ``costs_eur.total``.

:func:`hub_returns` adds, given the same hub's figures without its assets (``energyhub compare``: the
*reinforcement only* alternative), the hub's annual cost with and without its assets, the net present value and
the simple payback of its investment.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import xarray as xr

from energyhub.model.core import HubModel
from energyhub.model.costs import annuity
from energyhub.model.registry import priced_sizes
from energyhub.scenario.schema import Scenario

ENERGY = ("energy", "co2", "export_revenue")
TARIFFS = ("grid_energy_tariff", "hub_energy_tariff", "contracted_capacity", "monthly_peak", "fixed_tariff")
UNSERVED = ("voll", "h2_shortfall", "curtailment")
OPERATION = ("fuel", "variable_om", "start", "link_transport")
BILL = (*ENERGY, *TARIFFS, *UNSERVED)


# ------------------------------------------------------------------------------------------------------ assets
def sized_quantities(asset: Any) -> list[tuple[str, float, float]]:
    """(capacity key in ``summary.capacities``, capex in EUR per unit of that key, existing) of an asset, as its
    component declares them (:func:`energyhub.model.registry.priced_sizes`)."""
    return priced_sizes(asset)


def asset_finance(scenario: Scenario, capacities: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    """Investment, lifetime, annuity and fixed O&M of every asset (EUR, years, EUR per year)."""
    rate = scenario.economics.discount_rate
    out: dict[str, dict[str, Any]] = {}
    for asset in scenario.assets:
        sizes = capacities.get(asset.name, {})
        investment = sum(capex * max(float(sizes.get(key, existing)) - existing, 0.0)
                         for key, capex, existing in sized_quantities(asset))
        out[asset.name] = {
            "type": asset.type,
            "hub": asset.at_hub,
            "side": "grid" if asset.at_branch is not None else "hub",  # who invests: the grid operator or the hub
            "investment_eur": investment,
            "lifetime_years": asset.lifetime_years,
            "annuity_eur_per_year": investment * annuity(rate, asset.lifetime_years),
            "fixed_om_eur_per_year": investment * asset.fixed_om_pct_per_year / 100.0,
        }
    return out


# ------------------------------------------------------------------------------------------------------- bills
def hub_bills(hm: HubModel, ds: xr.Dataset, capacities: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each hub's annual bill by category (EUR per year) from its dispatch in ``ds``, its contracted import in
    ``capacities`` (``summary.json``'s, nested by hub) and the model's series."""
    step_cost = hm.step_cost()
    economics = hm.scenario.economics
    out: dict[str, dict[str, float]] = {}
    for spec in hm.scenario.hubs:
        hub, zone = spec.name, hm.hub_zone(spec.name)
        market = hm.scenario.market(zone)
        imp = ds["import_mw"].sel(hub=hub).to_numpy()
        exp = ds["export_mw"].sel(hub=hub).to_numpy()

        def annual(x: np.ndarray, price: Any) -> float:
            return float(np.sum(np.nan_to_num(x) * price * step_cost))

        tariffs = spec.tariffs
        contracted = (capacities.get(hub) or {}).get("contracted_import_mw")
        bill = {
            "energy": annual(imp, hm.market_series(zone, "energy_price_eur_per_mwh")),
            "co2": annual(imp, hm.market_series(zone, "co2_intensity_t_per_mwh") * market.co2_price_eur_per_t),
            "export_revenue": -annual(exp, hm.market_series(zone, "export_price_eur_per_mwh")),
            "grid_energy_tariff": annual(imp, hm.market_series(zone, "grid_energy_tariff_eur_per_mwh")),
            "hub_energy_tariff": annual(imp, tariffs.energy_eur_per_mwh),
            "contracted_capacity": 1000.0 * tariffs.contracted_eur_per_kw_year * (
                float(contracted) if contracted is not None else float(np.max(imp, initial=0.0))),
            "monthly_peak": _monthly_peak_eur(hm, imp, tariffs.monthly_peak_eur_per_kw),
            "fixed_tariff": tariffs.fixed_eur_per_year,
            "voll": annual(_hub_var(ds, "shed_mw", hub), economics.voll_eur_per_mwh),
            "h2_shortfall": annual(_hub_var(ds, "h2_shortfall_kg_per_h", hub), economics.h2_shortfall_eur_per_kg),
            "curtailment": annual(_hub_var(ds, "curtailed_mw", hub), economics.curtailment_eur_per_mwh),
        }
        out[hub] = bill
    return out


def _hub_var(ds: xr.Dataset, name: str, hub: str) -> np.ndarray:
    return ds[name].sel(hub=hub).to_numpy() if name in ds else np.zeros(ds.sizes["time"])


def _monthly_peak_eur(hm: HubModel, imp: np.ndarray, eur_per_kw: float) -> float:
    """Σ over the horizon's month groups of the highest import × EUR/kW × 1000, scaled to 12 months."""
    if eur_per_kw <= 0.0:
        return 0.0
    month = np.asarray(hm.time.month)
    peaks = [float(np.max(imp[month == k], initial=0.0)) for k in range(hm.time.n_months)]
    return 1000.0 * eur_per_kw * hm.time.months_per_year * sum(peaks)


# ------------------------------------------------------------------------------------------------------ actors
def _total(costs: dict[str, float], categories: tuple[str, ...]) -> float:
    return float(sum(float(costs.get(c, 0.0)) for c in categories))


def actors(assets: dict[str, dict[str, Any]], costs: dict[str, float]) -> dict[str, dict[str, float]]:
    """What the hub companies pay and what the grid operator spends and receives (EUR, EUR per year)."""
    hub_assets = [a for a in assets.values() if a.get("side") != "grid"]
    reinforcements = [a for a in assets.values() if a.get("side") == "grid"]
    known = {*BILL, *OPERATION, "capex", "fixed_om", "overload", "total"}
    other = sum(float(v) for k, v in costs.items() if k not in known)
    hub_side = {
        "investment_eur": sum(a["investment_eur"] for a in hub_assets),
        "assets_eur_per_year": sum(a["annuity_eur_per_year"] + a["fixed_om_eur_per_year"] for a in hub_assets),
        "energy_eur_per_year": _total(costs, ENERGY),
        "tariffs_eur_per_year": _total(costs, TARIFFS),
        "operation_eur_per_year": _total(costs, OPERATION) + other,
        "unserved_eur_per_year": _total(costs, UNSERVED),
    }
    hub_side["total_eur_per_year"] = sum(v for k, v in hub_side.items() if k.endswith("_eur_per_year"))
    grid_side = {
        "investment_eur": sum(a["investment_eur"] for a in reinforcements),
        "reinforcements_eur_per_year": sum(a["annuity_eur_per_year"] + a["fixed_om_eur_per_year"]
                                           for a in reinforcements),
        "overload_penalty_eur_per_year": float(costs.get("overload", 0.0)),
        "tariffs_received_eur_per_year": hub_side["tariffs_eur_per_year"],
    }
    return {"hub_companies": hub_side, "grid_operator": grid_side}


def hubs(scenario: Scenario, assets: dict[str, dict[str, Any]],
         bills: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    """Per hub: its assets' investment, annuity and fixed O&M, its bill, and its annual cost with its assets."""
    out: dict[str, dict[str, Any]] = {}
    for spec in scenario.hubs:
        own = {n: a for n, a in assets.items() if a["hub"] == spec.name}
        bill = bills.get(spec.name, {})
        entry: dict[str, Any] = {
            "assets": sorted(own),
            "investment_eur": sum(a["investment_eur"] for a in own.values()),
            "annuity_eur_per_year": sum(a["annuity_eur_per_year"] for a in own.values()),
            "fixed_om_eur_per_year": sum(a["fixed_om_eur_per_year"] for a in own.values()),
            "bill_eur_per_year": {c: float(bill.get(c, 0.0)) for c in BILL},
        }
        entry["bill_total_eur_per_year"] = sum(entry["bill_eur_per_year"].values())
        entry["annual_cost_eur_per_year"] = (entry["annuity_eur_per_year"] + entry["fixed_om_eur_per_year"]
                                             + entry["bill_total_eur_per_year"])
        out[spec.name] = entry
    return out


def finance_summary(scenario: Scenario, summary: dict[str, Any],
                    bills: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The ``finance`` block of ``summary.json`` (after its ``capacities`` are nested by asset)."""
    assets = asset_finance(scenario, summary.get("capacities") or {})
    return {
        "discount_rate": scenario.economics.discount_rate,
        "assets": assets,
        "hubs": hubs(scenario, assets, bills),
        "actors": actors(assets, summary.get("costs_eur") or {}),
    }


# ----------------------------------------------------------------------------------------------------- returns
def present_value_factor(rate: float, years: int) -> float:
    """Σ_{y=1..n} (1 + r)^−y: today's value of one EUR a year for ``years`` years (= 1 / annuity factor)."""
    return 1.0 / annuity(rate, years)


def hub_returns(with_assets: dict[str, Any], without_assets: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per hub, from the ``finance`` blocks of the optimum and of a solve without hub assets: annual cost with and
    without its assets, the annual saving its assets bring (bill without − bill with − their fixed O&M), the net
    present value of its investment and its simple payback.

    NPV = Σ_assets (−I_a + S × I_a / I × PVF(r, n_a)): the saving S is shared among the hub's assets by
    investment and each share counts over its asset's lifetime n_a (one asset: −I + S × PVF(r, n)).
    Simple payback = I / S in years (None when the assets save nothing).
    """
    rate = float(with_assets["discount_rate"])
    out: dict[str, dict[str, Any]] = {}
    for hub, entry in with_assets["hubs"].items():
        other = without_assets["hubs"].get(hub)
        if other is None:
            continue
        investment = float(entry["investment_eur"])
        saving = other["bill_total_eur_per_year"] - entry["bill_total_eur_per_year"] - entry["fixed_om_eur_per_year"]
        npv = 0.0
        for name in entry["assets"]:
            asset = with_assets["assets"][name]
            share = asset["investment_eur"] / investment if investment > 0 else 0.0
            npv += -asset["investment_eur"] + saving * share * present_value_factor(rate, asset["lifetime_years"])
        out[hub] = {
            "annual_cost_with_assets_eur_per_year": entry["annual_cost_eur_per_year"],
            "annual_cost_without_assets_eur_per_year": other["annual_cost_eur_per_year"],
            "annual_saving_eur_per_year": saving,
            "npv_eur": npv if investment > 0 else 0.0,
            "simple_payback_years": investment / saving if investment > 0 and saving > 0 else None,
        }
    return out


def by_category(bills: dict[str, dict[str, float]]) -> dict[str, float]:
    """Σ over hubs of each bill category (equals ``costs_eur`` of the same name)."""
    total: dict[str, float] = defaultdict(float)
    for bill in bills.values():
        for category, value in bill.items():
            total[category] += value
    return dict(total)
