"""``energyhub report``: sections, plots and notes in the HTML (parsed, no browser), for every kind of directory."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from energyhub.cli import cli
from energyhub.results.report import write_report

SOLVE_SECTIONS = ("decision", "scenario", "assets", "congestion", "hubs", "dispatch", "costs")
SOLVE_PLOTS = ("heatmap", "duration", "hub-exchange", "week-0", "week-1", "costs")


class Outline(HTMLParser):
    """Collects section ids, plot names with their image sources, table names, notes and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.plots: dict[str, str] = {}
        self.tables: list[str] = []
        self.external: list[str] = []
        self._plot = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self.sections.append(str(attributes.get("data-section")))
        if tag == "figure":
            self._plot = str(attributes.get("data-plot"))
        if tag == "img":
            self.plots[self._plot] = str(attributes.get("src"))
        if tag == "table":
            self.tables.append(str(attributes.get("data-table")))
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_solve_report_has_every_section_and_plot(solve_report: Path) -> None:
    html = solve_report.read_text(encoding="utf-8")
    found = outline(html)
    assert found.sections == list(SOLVE_SECTIONS)
    assert set(SOLVE_PLOTS) <= set(found.plots)
    for name, src in found.plots.items():
        assert src.startswith("data:image/png;base64,") and len(src) > 5000, name
    assert {"capacities", "top-branches", "hubs", "costs"} <= set(found.tables)
    assert found.external == []  # offline: no links to anything outside the file
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    summary = json.loads((solve_report.parent / "summary.json").read_text())
    h2_store = f"{summary['capacities']['h2-store-hengelo']['capacity_kg']:,.1f}"
    objective = f"{summary['objective_eur']:,.0f}"
    for text in (h2_store, objective, "Energy (MWh)", "Max before (%)", "GTV import (MW)", "Contracted import (MW)",
                 "kEUR/year", "168 → 0 h", "118.4 → 95.0 %", "Overload in the optimisation",
                 "Most congested week: Mon 2030-01-07", "Chosen week: Wed 2030-01-09", "biogas-boekelo (MWh)"):
        assert text in html, text
    assert html.count(">Total<") == 1  # costs_eur.total is not counted as a category


@pytest.mark.parametrize("congested", [False, True])
def test_baseline_report_has_congestion_only(make_dir: Callable[..., Path], congested: bool) -> None:
    html = write_report(make_dir("baseline", congested=congested)).read_text(encoding="utf-8")
    found = outline(html)
    assert found.sections == ["scenario", "congestion"]
    assert {"heatmap", "duration"} <= set(found.plots)
    assert "Baseline directory: no assets were sized" in html
    assert "Congestion without hub assets" in html and "baseline-totals" in found.tables
    assert ("baseline-top" in found.tables) == congested
    assert ("lists no congested branch" in html) != congested


def test_cli_report_without_hydrogen_and_week(make_dir: Callable[..., Path]) -> None:
    directory = make_dir("solve", with_hydrogen=False)
    result = CliRunner().invoke(cli, ["report", str(directory)])
    assert result.exit_code == 0, result.output
    html = (directory / "report.html").read_text(encoding="utf-8")
    assert outline(html).sections == list(SOLVE_SECTIONS)
    assert "No --week given" in html
    assert not list(directory.glob(".report.*"))  # the temporary file was renamed into place


@pytest.mark.parametrize(("n_params", "plots", "note"), [(1, 1, None), (2, 2, None), (3, 0, "shown as a table")])
def test_sweep_report(make_dir: Callable[..., Path], n_params: int, plots: int, note: str | None) -> None:
    html = write_report(make_dir("sweep", n_params=n_params)).read_text(encoding="utf-8")
    found = outline(html)
    assert found.sections == ["scenario", "sweep"]
    assert len([p for p in found.plots if p.startswith("sweep-")]) == plots
    assert "sweep-points" in found.tables
    assert "assets.bat_hengelo.capex_eur_per_mwh" in html
    if note:
        assert note in html


def test_week_outside_the_horizon_is_exit_2(make_dir: Callable[..., Path]) -> None:
    directory = make_dir("solve")
    result = CliRunner().invoke(cli, ["report", str(directory), "--week", "2031-01-01"])
    assert result.exit_code == 2
    assert re.search(r"--week 2031-01-01 is outside the horizon 2030-01-07 to 2030-01-13", result.output)
    bad = CliRunner().invoke(cli, ["report", str(directory), "--week", "June"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    assert not (directory / "report.html").exists()
