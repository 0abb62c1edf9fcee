"""The report's first answers: the decision (what to build where, what it costs, what it saves, what congestion
remains and why) and, for a compare directory, the counterfactuals side by side.

Every figure shown is read from ``summary.json`` (``capacities``, ``costs_eur``, ``kpis``, ``finance``) or from
``comparison.json`` (:mod:`energyhub.compare`); nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energyhub.results import report_plots as plots
from energyhub.results.report_inputs import ResultDir
from energyhub.results.report_sections import Block, Section, figure, fmt, note, table

#: Size keys shown in "what to build", in this order, with their units.
SIZE_UNITS = {"power_mw": "MW", "energy_mwh": "MWh", "stacks": "stacks", "units": "units",
              "storage_mwh": "MWh gas store", "capacity_kg": "kg", "added_mva": "MVA added"}
COMPARE_COMMAND = "energyhub compare SCENARIO --out DIR"


def size_text(sizes: dict[str, Any]) -> str:
    """``1.10 MW, 2.20 MWh``: the non-zero sizes of one asset with their units (counts without decimals)."""
    parts = []
    for key, unit in SIZE_UNITS.items():
        value = sizes.get(key)
        if isinstance(value, int | float) and value > 0:
            counted = key in ("stacks", "units")
            unit = unit.rstrip("s") if counted and round(value) == 1 else unit
            parts.append(f"{fmt(value, 0 if counted else 2)} {unit}")
    return ", ".join(parts)


def built_assets(summary: dict[str, Any]) -> pd.DataFrame:
    """Assets with an investment: name, hub, type, sizes, investment, lifetime, annuity."""
    finance = summary.get("finance") or {}
    caps = summary.get("capacities") or {}
    rows = [{"Asset": name, "Where": a.get("hub") or "grid", "Type": a["type"],
             "Size": size_text(caps.get(name, {})), "Investment (EUR)": a["investment_eur"],
             "Lifetime (years)": a["lifetime_years"], "Annuity (EUR/year)": a["annuity_eur_per_year"]}
            for name, a in (finance.get("assets") or {}).items() if float(a.get("investment_eur") or 0.0) > 0.0]
    return pd.DataFrame(rows, columns=["Asset", "Where", "Type", "Size", "Investment (EUR)", "Lifetime (years)",
                                       "Annuity (EUR/year)"])


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and np.isfinite(value) else None


# -------------------------------------------------------------------------------------------------------- decision
def decision_section(result: ResultDir) -> Section:
    """What to build where, what it costs, what it saves against reinforcement only, what congestion remains."""
    section = Section("decision", "Decision")
    summary, comparison = result.summary, result.comparison
    built = built_assets(summary)
    investment = float(built["Investment (EUR)"].sum()) if not built.empty else 0.0
    kpis = summary.get("kpis") or {}
    value = _number((comparison or {}).get("value_of_hub_assets_eur_per_year"))
    section.blocks.append(Block("cards", cards=[
        ("Build", f"{len(built)} assets" if len(built) != 1 else "1 asset",
         ", ".join(built["Asset"]) if not built.empty else "nothing beyond what exists"),
        ("Investment", fmt(investment / 1e3, 0, "kEUR"), "hub assets and reinforcements"),
        ("Annual cost", fmt((_number(summary.get("objective_eur")) or 0.0) / 1e3, 0, "kEUR/year"),
         "annualised capex + operation"),
        ("Saves against reinforcement only", fmt(None if value is None else value / 1e3, 0, "kEUR/year"),
         "cost of reinforcement only − cost of this optimum" if value is not None
         else f"run '{COMPARE_COMMAND}' for the counterfactuals"),
        ("AC overloaded branch-hours left", fmt(kpis.get("overloaded_branch_hours_after"), 0, "h"),
         f"of {fmt(kpis.get('overloaded_branch_hours_before'), 0, 'h')} without hub assets"),
    ]))
    section.blocks.append(Block("text", text=_decision_sentence(built, investment, summary, comparison)))
    if not built.empty:
        section.blocks.append(table(built, {"Investment (EUR)": 0, "Annuity (EUR/year)": 0}, name="decision-build"))
    section.blocks.append(Block("text", text=remaining_text(summary)))
    section.blocks.append(table(remaining_table(summary), {"Amount": 1, "Cost (EUR/year)": 0},
                                name="decision-remaining"))
    section.blocks.extend(_actor_blocks(summary))
    if value is None:
        section.blocks.append(note(f"No comparison with reinforcement only: run '{COMPARE_COMMAND}' and "
                                   "'energyhub report DIR' for the savings and the counterfactuals."))
    return section


def _decision_sentence(built: pd.DataFrame, investment: float, summary: dict[str, Any],
                       comparison: dict[str, Any] | None) -> str:
    if built.empty:
        text = "Build nothing beyond what exists: no asset pays for itself against its penalties."
    else:
        what = "; ".join(f"{r['Asset']} ({r['Where']}): {r['Size']}" for _, r in built.iterrows())
        text = f"Build {what}, for {fmt(investment, 0, 'EUR')} in total."
    text += f" The annual cost is {fmt(summary.get('objective_eur'), 0, 'EUR/year')}."
    if comparison:
        value = comparison.get("value_of_hub_assets_eur_per_year")
        avoided = comparison.get("reinforcement_capex_avoided_eur")
        text += (f" Against reinforcement only this saves {fmt(value, 0, 'EUR/year')} and avoids "
                 f"{fmt(avoided, 0, 'EUR')} of reinforcement capex.")
    return text


def remaining_table(summary: dict[str, Any]) -> pd.DataFrame:
    """What the optimum leaves: AC and DC overload, load shed, hydrogen shortfall, curtailment, with their cost."""
    kpis, costs = summary.get("kpis") or {}, summary.get("costs_eur") or {}
    rows = [
        ("AC overloaded branch-hours", kpis.get("overloaded_branch_hours_after"), "h", None),
        ("Overload in the model (DC, penalised)", kpis.get("overload_mwh_after"), "MWh", costs.get("overload")),
        ("Load shed", kpis.get("shed_mwh"), "MWh", costs.get("voll")),
        ("Hydrogen shortfall", kpis.get("h2_shortfall_kg"), "kg", costs.get("h2_shortfall")),
        ("Curtailed PV and wind", kpis.get("curtailed_mwh"), "MWh", costs.get("curtailment")),
    ]
    return pd.DataFrame([{"Quantity": q, "Amount": _number(v), "Unit": u, "Cost (EUR/year)": _number(c)}
                         for q, v, u, c in rows])


def remaining_text(summary: dict[str, Any]) -> str:
    """Why congestion remains (or that none does)."""
    kpis = summary.get("kpis") or {}
    if "ac_check" in kpis:
        return f"The AC check was not run ({kpis['ac_check']}): remaining AC congestion is unknown."
    ac_h = _number(kpis.get("overloaded_branch_hours_after")) or 0.0
    dc_mwh = _number(kpis.get("overload_mwh_after")) or 0.0
    if ac_h <= 0 and dc_mwh <= 1e-6:
        return "No congestion remains: every branch stays within its limit in the AC check."
    reasons = []
    if dc_mwh > 1e-6:
        reasons.append(f"the model left {fmt(dc_mwh, 1, 'MWh')} of overload because relieving it would cost more "
                       "than its penalty (economics.overload_penalty_eur_per_mwh) with the assets and "
                       "reinforcements on offer")
    if ac_h > 0 and dc_mwh <= 1e-6:
        reasons.append("the linear (DC) model holds every limit, so the AC overload comes from what it leaves out "
                       "(reactive power, losses, voltages) beyond its margin (grid.dc_margin_pct)")
    return f"{fmt(ac_h, 0, 'AC overloaded branch-hours')} remain: " + "; ".join(reasons) + "."


def _actor_blocks(summary: dict[str, Any]) -> list[Block]:
    finance = summary.get("finance") or {}
    actors = finance.get("actors") or {}
    if not actors:
        return [note("No finance block in summary.json: who pays what is not shown.")]
    hub, grid = actors.get("hub_companies") or {}, actors.get("grid_operator") or {}
    rows = [
        ("Hub companies", "assets (annuity + fixed O&M)", hub.get("assets_eur_per_year"), hub.get("investment_eur")),
        ("Hub companies", "energy (net of export revenue)", hub.get("energy_eur_per_year"), None),
        ("Hub companies", "network tariffs", hub.get("tariffs_eur_per_year"), None),
        ("Hub companies", "operation (fuel, O&M, starts, transport)", hub.get("operation_eur_per_year"), None),
        ("Hub companies", "unserved (shed, hydrogen bought, curtailed)", hub.get("unserved_eur_per_year"), None),
        ("Grid operator", "reinforcements (annuity + fixed O&M)", grid.get("reinforcements_eur_per_year"),
         grid.get("investment_eur")),
        ("Grid operator", "overload left (penalty, not a payment)", grid.get("overload_penalty_eur_per_year"), None),
        ("Grid operator", "network tariffs received", grid.get("tariffs_received_eur_per_year"), None),
    ]
    frame = pd.DataFrame([{"Actor": a, "Item": i, "EUR/year": _number(v), "Investment (EUR)": _number(inv)}
                          for a, i, v, inv in rows])
    blocks = [Block("text", text="Who pays: the hub companies pay their assets, energy and tariffs; the grid "
                                 "operator pays the reinforcements and receives the tariffs."),
              table(frame, {"EUR/year": 0, "Investment (EUR)": 0}, name="decision-actors")]
    returns = finance.get("hub_returns") or {}
    if returns:
        hubs = pd.DataFrame([{
            "Hub": hub_name, "Investment (EUR)": (finance.get("hubs") or {}).get(hub_name, {}).get("investment_eur"),
            "Annual cost with assets (EUR/year)": r["annual_cost_with_assets_eur_per_year"],
            "Annual cost without (EUR/year)": r["annual_cost_without_assets_eur_per_year"],
            "Saving (EUR/year)": r["annual_saving_eur_per_year"], "NPV (EUR)": r["npv_eur"],
            "Simple payback (years)": r["simple_payback_years"]} for hub_name, r in returns.items()])
        blocks.append(Block("text", text="Per hub, against reinforcement only (no hub assets): the saving is the "
                                         "hub's bill without its assets minus its bill with them and their fixed "
                                         "O&M; NPV and payback at the scenario's discount rate "
                                         f"({fmt(100 * float(finance.get('discount_rate') or 0), 1, '%')})."))
        blocks.append(table(hubs, {c: 0 for c in hubs.columns if "EUR" in c}, name="decision-hubs"))
    return blocks


# ------------------------------------------------------------------------------------------------------ comparison
def comparison_frame(comparison: dict[str, Any]) -> pd.DataFrame:
    """One row per alternative: cost, investments, AC overload, unserved energy and what it builds."""
    rows = []
    for name, alt in (comparison.get("alternatives") or {}).items():
        rows.append({
            "Alternative": name,
            "Cost (EUR/year)": _number(alt.get("cost_eur_per_year")),
            "Hub investment (EUR)": _number(alt.get("hub_investment_eur")),
            "Reinforcement investment (EUR)": _number(alt.get("reinforcement_investment_eur")),
            "AC overloaded branch-hours": _number(alt.get("overloaded_branch_hours_ac")),
            "Shed (MWh)": _number(alt.get("shed_mwh")),
            "H2 shortfall (kg)": _number(alt.get("h2_shortfall_kg")),
            "Builds": "; ".join(f"{n}: {size_text(s)}" for n, s in (alt.get("built") or {}).items()) or "nothing",
        })
    return pd.DataFrame(rows)


def comparison_bars(frame: pd.DataFrame) -> Figure:
    """Annual cost and AC overloaded branch-hours per alternative, side by side."""
    fig, (left, right) = plots.plt.subplots(1, 2, figsize=(plots.WIDTH_IN, 0.9 + 0.45 * len(frame)), sharey=True)
    labels: Sequence[str] = list(frame["Alternative"])
    for ax, column, scale, xlabel, colour in (
        (left, "Cost (EUR/year)", 1e3, "Annual cost (kEUR/year)", plots.AFTER_COLOUR),
        (right, "AC overloaded branch-hours", 1.0, "AC overloaded branch-hours (h)", plots.BEFORE_COLOUR),
    ):
        values = frame[column].fillna(0.0).to_numpy(float) / scale
        ax.barh(labels, values, color=colour)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        for y, v in enumerate(values):
            ax.annotate(f"{v:,.0f}", (v, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
        ax.margins(x=0.2)
    left.invert_yaxis()
    fig.tight_layout()
    return fig


def comparison_section(result: ResultDir) -> Section:
    """The counterfactuals: what each alternative costs, builds and leaves overloaded."""
    section = Section("comparison", "Counterfactuals")
    comparison = result.comparison or {}
    per_meur = comparison.get("congestion_relieved_branch_hours_per_meur_invested")
    section.blocks.append(Block("cards", cards=[
        ("Value of the hub assets", fmt(_number(comparison.get("value_of_hub_assets_eur_per_year")), 0, "EUR/year"),
         "cost of reinforcement only − cost of the optimum"),
        ("Reinforcement capex avoided", fmt(_number(comparison.get("reinforcement_capex_avoided_eur")), 0, "EUR"),
         f"{fmt(_number(comparison.get('reinforcement_capex_avoided_eur_per_year')), 0, 'EUR/year')} annualised"),
        ("Congestion relieved", fmt(_number(comparison.get("congestion_relieved_branch_hours")), 0,
                                    "branch-hours"),
         f"{fmt(_number(per_meur), 2)} per MEUR invested, against as is"),
    ]))
    frame = comparison_frame(comparison)
    if frame.empty:
        section.blocks.append(note("comparison.json lists no alternatives."))
        return section
    section.blocks.append(figure("comparison", plots.to_data_uri(comparison_bars(frame)),
                                 "Annual cost (left) and AC overloaded branch-hours (right) of each alternative, "
                                 "solved on the same data with the same AC check."))
    section.blocks.append(table(frame, {c: 0 for c in frame.columns if "EUR" in c or "kg" in c or "hours" in c},
                                name="comparison"))
    descriptions = "; ".join(f"{n}: {a.get('description', '')}" for n, a in
                             (comparison.get("alternatives") or {}).items())
    section.blocks.append(Block("text", text=f"Alternatives: {descriptions}. Each is an ordinary result directory "
                                             "beside comparison.json (export and report work on it)."))
    return section
