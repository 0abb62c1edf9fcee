"""Short tables printed to the terminal after ``energyhub baseline`` and ``energyhub solve``."""

from __future__ import annotations

from typing import Any


def _rows(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def baseline_table(summary: dict[str, Any], out: str) -> str:
    """Totals and the most congested branches (AC)."""
    ac, dc = summary["ac"], summary["dc"]
    lines = [
        f"baseline of {summary['scenario']} (limit {summary['limit_pct']:g}%): written to {out}",
        _rows([
            ("steps with an AC overload", f"{ac['overloaded_steps']}  ({ac['overloaded_h_any_branch']:g} h)"),
            ("AC energy above limits", f"{ac['energy_above_limit_mwh']:,.1f} MWh"),
            ("steps with a DC overload", f"{dc['overloaded_steps']}"),
            ("AC steps not converged", f"{len(ac['nan_steps'])}"),
        ]),
    ]
    if ac["top"]:
        lines.append("  most congested branches (AC):")
        lines.append(f"    {'branch':<44} {'hours':>7} {'worst %':>8}  worst at")
        for row in ac["top"]:
            lines.append(
                f"    {row['branch'][:44]:<44} {row['overloaded_h']:>7.1f} {row['worst_loading_pct']:>8.1f}  "
                f"{row['worst_time']:%Y-%m-%d %H:%M}"
            )
    return "\n".join(lines)


def _quantity(sizes: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:,.3g}" for k, v in sizes.items())


def solve_table(summary: dict[str, Any], out: str) -> str:
    """Status, sized assets, costs, KPIs before/after and timings."""
    k = summary["kpis"]
    rows = [
        ("status", f"{summary['status']}  (MIP gap {summary['mip_gap']:.2%})"),
        ("objective", f"{summary['objective_eur']:,.0f} EUR/year"),
    ]
    rows += [(f"  {asset}", _quantity(sizes)) for asset, sizes in summary["capacities"].items()]
    if "overloaded_branch_hours_before" in k:
        rows += [
            ("overloaded branch-hours (AC)",
             f"{k['overloaded_branch_hours_before']:,.0f} before → {k['overloaded_branch_hours_after']:,.0f} after"),
            ("max loading (AC)",
             f"{k['max_loading_pct_before']:.1f}% before → {k['max_loading_pct_after']:.1f}% after"),
        ]
    rows += [
        ("overload after (DC, penalised)", f"{k['overload_mwh_after']:,.2f} MWh"),
        ("curtailed / shed", f"{k['curtailed_mwh']:,.1f} MWh / {k['shed_mwh']:,.2f} MWh"),
        ("hydrogen produced / short", f"{k['h2_produced_kg']:,.0f} kg / {k['h2_shortfall_kg']:,.0f} kg"),
        ("grid import / export", f"{k['grid_import_mwh']:,.0f} MWh / {k['grid_export_mwh']:,.0f} MWh"),
    ]
    costs = summary["costs_eur"]
    rows += [(f"cost: {name}", f"{value:,.0f} EUR/year") for name, value in costs.items() if abs(value) > 0.5]
    t = summary["timings_s"]
    rows.append(("timings", ", ".join(f"{name} {sec:.1f} s" for name, sec in t.items())))
    return f"solved {summary['scenario']}: written to {out}\n" + _rows(rows)
