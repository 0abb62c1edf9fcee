"""The decision section's words: what congestion remains and why, and what it says without a comparison."""

from __future__ import annotations

import json
from pathlib import Path

from energyhub.results.report_decision import decision_section, remaining_table, remaining_text
from energyhub.results.report_inputs import load_result_dir


def test_remaining_overload_left_by_the_model_is_explained_by_its_penalty() -> None:
    summary = {"kpis": {"overloaded_branch_hours_after": 12.0, "overload_mwh_after": 3.5, "shed_mwh": 0.0},
               "costs_eur": {"overload": 1750.0}}
    text = remaining_text(summary)
    assert text.startswith("12 AC overloaded branch-hours remain")
    assert "3.5 MWh of overload" in text and "overload_penalty_eur_per_mwh" in text
    row = remaining_table(summary).set_index("Quantity").loc["Overload in the model (DC, penalised)"]
    assert row["Amount"] == 3.5 and row["Cost (EUR/year)"] == 1750.0


def test_remaining_ac_overload_without_model_overload_is_put_down_to_ac_effects() -> None:
    text = remaining_text({"kpis": {"overloaded_branch_hours_after": 4.0, "overload_mwh_after": 0.0}})
    assert "dc_margin_pct" in text and "penalty" not in text


def test_no_congestion_left_and_skipped_ac_check() -> None:
    assert remaining_text({"kpis": {"overloaded_branch_hours_after": 0, "overload_mwh_after": 0.0}}).startswith(
        "No congestion remains")
    assert "not run" in remaining_text({"kpis": {"ac_check": "skipped: typical periods only"}})


def test_solve_directory_without_comparison_says_how_to_get_the_savings(solve_dir: Path) -> None:
    section = decision_section(load_result_dir(solve_dir))
    cards = {label: (value, sub) for block in section.blocks if block.kind == "cards"
             for label, value, sub in block.cards}
    assert cards["Saves against reinforcement only"][0] == "n/a"
    assert "energyhub compare" in cards["Saves against reinforcement only"][1]
    build = next(b for b in section.blocks if b.name == "decision-build")
    summary = json.loads((solve_dir / "summary.json").read_text())
    invested = [n for n, a in summary["finance"]["assets"].items() if a["investment_eur"] > 0]
    assert "electrolyser-hengelo" in invested  # the small study builds a stack
    assert [row[0] for row in build.rows] == invested
