"""``energyhub report`` on a compare directory, as headless Chromium renders it: the decision and the
counterfactual sections come first, and every figure read back from the page is the one in summary.json or
comparison.json (the one-cable study of tests/compare_helpers.py, cheap battery)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest
from compare_helpers import CHEAP, write_cable_study

from energyhub.compare import ALTERNATIVES, run_compare
from energyhub.results.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium): browser "
                                                "rendering not checked"),
    pytest.mark.filterwarnings("ignore:.*no profiles found:UserWarning"),
]


class Page(HTMLParser):
    """Sections in order, card values by (section, label), table cells by table name, rendered plot sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.cards: dict[tuple[str, str], str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.rendered: dict[str, str] = {}
        self._class = ""
        self._label = ""
        self._table = ""
        self._plot = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(str(a.get("data-section")))
        elif tag == "div" and a.get("class") in ("label", "value"):
            self._class = str(a["class"])
        elif tag == "table":
            self._table = str(a.get("data-table"))
            self.tables[self._table] = []
        elif tag == "tr":
            self.tables[self._table].append([])
        elif tag == "td":
            self._cell = []
        elif tag == "figure":
            self._plot = str(a.get("data-plot"))
        elif tag == "img":
            self.rendered[self._plot] = str(a.get("data-rendered", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "div":
            self._class = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._class == "label":
            self._label = data.strip()
        elif self._class == "value":
            self.cards[(self.sections[-1], self._label)] = data.strip()

    def rows(self, name: str) -> list[list[str]]:
        return [r for r in self.tables[name] if r]  # the header row has th cells only


def number(text: str) -> float:
    """The first number of a cell or card ('13,772 EUR/year' -> 13772.0, '-220,000' -> -220000.0)."""
    match = re.search(r"-?[\d,]+(\.\d+)?", text)
    assert match, text
    return float(match[0].replace(",", ""))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, dict[str, Any], dict[str, Any]]:
    root = tmp_path_factory.mktemp("compare-report")
    out = root / "out"
    run_compare(write_cable_study(root / "study", CHEAP), out)
    report = write_report(out)
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={root / 'profile'}", "--window-size=1280,4000", "--dump-dom", report.as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    page = Page()
    page.feed(dom)
    summary = json.loads((out / "optimum" / "summary.json").read_text())
    return page, summary, json.loads((out / "comparison.json").read_text())


def test_decision_and_counterfactuals_come_first(rendered: tuple[Page, dict[str, Any], dict[str, Any]]) -> None:
    page, _summary, _comparison = rendered
    assert page.sections[:3] == ["decision", "comparison", "scenario"]
    match = re.fullmatch(r"(\d+)x(\d+)", page.rendered.get("comparison", ""))
    assert match and int(match[1]) > 300 and int(match[2]) > 100, "the comparison plot did not render"


def test_decision_figures_are_those_of_summary_and_comparison(
    rendered: tuple[Page, dict[str, Any], dict[str, Any]],
) -> None:
    page, summary, comparison = rendered
    card = {label: value for (section, label), value in page.cards.items() if section == "decision"}
    assert number(card["Saves against reinforcement only"]) == round(
        comparison["value_of_hub_assets_eur_per_year"] / 1e3)
    assert number(card["Annual cost"]) == round(summary["objective_eur"] / 1e3)
    battery = summary["finance"]["assets"]["battery"]
    assert number(card["Investment"]) == round(battery["investment_eur"] / 1e3)
    assert number(card["AC overloaded branch-hours left"]) == summary["kpis"]["overloaded_branch_hours_after"]
    [row] = page.rows("decision-build")
    assert row[:4] == ["battery", "park", "battery", "1.10 MW, 2.20 MWh"]
    assert [number(c) for c in row[4:]] == [round(battery["investment_eur"]), battery["lifetime_years"],
                                            round(battery["annuity_eur_per_year"])]
    [hub] = page.rows("decision-hubs")
    assert number(hub[5]) == round(summary["finance"]["hub_returns"]["park"]["npv_eur"])


def test_counterfactual_figures_are_those_of_comparison(
    rendered: tuple[Page, dict[str, Any], dict[str, Any]],
) -> None:
    page, _summary, comparison = rendered
    card = {label: value for (section, label), value in page.cards.items() if section == "comparison"}
    assert number(card["Value of the hub assets"]) == round(comparison["value_of_hub_assets_eur_per_year"])
    assert number(card["Reinforcement capex avoided"]) == round(comparison["reinforcement_capex_avoided_eur"])
    assert number(card["Congestion relieved"]) == comparison["congestion_relieved_branch_hours"]
    rows = page.rows("comparison")
    assert [r[0] for r in rows] == list(ALTERNATIVES)
    for row in rows:
        alt = comparison["alternatives"][row[0]]
        assert number(row[1]) == round(alt["cost_eur_per_year"]), row
        assert number(row[4]) == alt["overloaded_branch_hours_ac"], row
    assert rows[1][-1] == "cable-2: 2.00 MVA added" and rows[3][-1] == "nothing"
