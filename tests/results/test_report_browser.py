"""The report as a person sees it: rendered by headless Chromium, checked in the DOM and in a screenshot."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium): browser rendering not checked"
)
SECTIONS = ("decision", "scenario", "assets", "congestion", "penalties", "hubs", "dispatch", "costs")
PLOTS = ("heatmap", "duration", "hub-exchange", "week-0", "week-1", "costs")
WINDOW = (1280, 4000)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline with a throw-away profile."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class RenderedDom(HTMLParser):
    """Sections with their visible text length, and the rendered size of each plot's image."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, int] = {}
        self.rendered: dict[str, str] = {}
        self._section = ""
        self._plot = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self._section = str(attributes.get("data-section"))
            self.text[self._section] = 0
        elif tag == "figure":
            self._plot = str(attributes.get("data-plot"))
        elif tag == "img":
            self.rendered[self._plot] = str(attributes.get("data-rendered", ""))

    def handle_data(self, data: str) -> None:
        if self._section:
            self.text[self._section] += len(data.strip())


def ink_fraction(png: Path) -> float:
    """Share of pixels that are not (near) white."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return 1.0 - sum(histogram[245:]) / (grey.width * grey.height)


def test_rendered_dom_has_every_section_and_plot(solve_report: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", solve_report.as_uri()).stdout
    found = RenderedDom()
    found.feed(dom)
    assert list(found.text) == list(SECTIONS)
    for section, length in found.text.items():
        assert length > 50, f"section {section} is (nearly) empty"
    for plot in PLOTS:
        size = found.rendered.get(plot, "")
        match = re.fullmatch(r"(\d+)x(\d+)", size)
        assert match and int(match[1]) > 300 and int(match[2]) > 150, f"plot {plot} did not render: {size!r}"


def test_screenshot_is_not_blank(solve_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", solve_report.as_uri())
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == WINDOW
        header = image.crop((0, 0, WINDOW[0], 60)).convert("RGB").getpixel((WINDOW[0] // 2, 30))
    assert header[2] > header[0] + 40, f"the blue header band is missing: {header}"  # type: ignore[index]
    assert ink_fraction(shot) > 0.15


def test_screenshot_check_catches_a_blank_page(tmp_path: Path) -> None:
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    chromium(tmp_path, f"--screenshot={shot}", blank.as_uri())
    assert ink_fraction(shot) < 0.01


class Tables(HTMLParser):
    """Every ``data-table`` of a page as rows of cell texts (the header row first) and every card's texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.cards: list[list[str]] = []
        self._table = ""
        self._cell: list[str] | None = None
        self._card_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = str(attributes.get("data-table"))
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "div" and attributes.get("class") == "card":
            self.cards.append([])
            self._card_depth = 1
        elif tag == "div" and self._card_depth:
            self._card_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = ""
        elif tag == "div" and self._card_depth:
            self._card_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._card_depth > 1 and data.strip():
            self.cards[-1].append(data.strip())


def rendered_page(directory: Path, tmp_path: Path) -> tuple[Tables, RenderedDom]:
    """Write the report of a copy of ``directory``, render it in Chromium and parse the DOM it shows."""
    from energyhub.results.report import write_report

    copy = tmp_path / directory.name
    shutil.copytree(directory, copy)
    dom = chromium(tmp_path, "--dump-dom", write_report(copy).as_uri()).stdout
    tables, plots = Tables(), RenderedDom()
    tables.feed(dom)
    plots.feed(dom)
    return tables, plots


def number(text: str) -> float:
    """``"1,234.5 MWh"`` -> 1234.5."""
    return float(text.split()[0].replace(",", ""))


def assert_rendered(plots: RenderedDom, name: str) -> None:
    match = re.fullmatch(r"(\d+)x(\d+)", plots.rendered.get(name, ""))
    assert match and int(match[1]) > 300 and int(match[2]) > 150, f"plot {name} did not render"


def test_penalties_read_back_from_the_page_equal_summary_json(penalised_dir: Path, tmp_path: Path) -> None:
    from energyhub.results.report_penalties import PENALTIES

    summary = json.loads((penalised_dir / "summary.json").read_text())
    page, plots = rendered_page(penalised_dir, tmp_path)
    header, *rows = page.tables["penalties"]
    shown = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    cards = {card[0]: card[1:] for card in page.cards}
    for penalty in PENALTIES:
        amount, cost = summary["kpis"][penalty.kpi], summary["costs_eur"][penalty.category]
        assert amount > 0 and cost > 0, penalty  # the scenario makes every penalty occur
        row = shown[penalty.label]
        assert number(row["Amount"]) == pytest.approx(amount, abs=0.051) and row["Unit"] == penalty.unit
        assert number(row["Cost (EUR/year)"]) == pytest.approx(cost, abs=0.51)
        share = 100 * cost / summary["costs_eur"]["total"]
        assert number(row["Share of total cost (%)"]) == pytest.approx(share, abs=0.051)
        value, sub = cards[penalty.label]
        assert number(value) == pytest.approx(amount, abs=0.051) and value.endswith(penalty.unit)
        assert number(sub.removeprefix("cost ")) == pytest.approx(cost, abs=0.51)
        parts = re.findall(r"([\w/ -]+?) ([\d,.]+) \S+ \((\d+) %\)", row["Where"])
        assert parts and sum(number(p[1]) for p in parts) == pytest.approx(amount, abs=0.2), row["Where"]
    assert_rendered(plots, "penalties")


def test_sweep_report_of_a_real_sweep_in_the_browser(real_sweep_dir: Path, tmp_path: Path) -> None:
    points = pd.read_csv(real_sweep_dir / "sweep.csv")
    capex = "assets.electrolyser-hengelo.capex_eur_per_mw"  # the parameters of conftest.SWEEP_PARAMS
    fuel = "assets.biogas-boekelo.fuel_cost_eur_per_mwh"
    page, plots = rendered_page(real_sweep_dir, tmp_path)
    for name in (f"sweep-{capex}", f"sweep-{fuel}", "sweep-tornado"):
        assert_rendered(plots, name)

    def objective(capex_value: float, fuel_value: float) -> float:
        row = points[(points[capex] == capex_value) & (points[fuel] == fuel_value)]
        return float(row["objective_eur"].item())

    # base point: the middle of three capex values, the lower of two fuel costs
    expected = {capex: (300000, 2000000, objective(300000, 10), objective(2000000, 10)),
                fuel: (10, 60, objective(1200000, 10), objective(1200000, 60))}
    header, *rows = page.tables["sweep-tornado"]
    shown = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(shown) == set(expected)
    for param, (low, high, at_low, at_high) in expected.items():
        row = shown[param]
        assert (number(row["Low value"]), number(row["High value"])) == (low, high)
        assert number(row["Objective at low (EUR)"]) == pytest.approx(at_low, abs=0.51)
        assert number(row["Objective at high (EUR)"]) == pytest.approx(at_high, abs=0.51)
        assert number(row["Base objective (EUR)"]) == pytest.approx(objective(1200000, 10), abs=0.51)
    swings = [number(dict(zip(header, row, strict=True))["Swing (EUR)"]) for row in rows]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
