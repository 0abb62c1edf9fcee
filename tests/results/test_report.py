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

SOLVE_SECTIONS = ("decision", "scenario", "assets", "congestion", "penalties", "hubs", "dispatch", "costs")
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


SWEPT = ("assets.bat_hengelo.capex_eur_per_mwh", "hubs.hengelo.import_mw", "prices.scale")


@pytest.mark.parametrize("n_params", [1, 2, 3])
def test_sweep_report(make_dir: Callable[..., Path], n_params: int) -> None:
    html = write_report(make_dir("sweep", n_params=n_params)).read_text(encoding="utf-8")
    found = outline(html)
    assert found.sections == ["scenario", "sweep"]
    lines = {f"sweep-{p}" for p in SWEPT[:n_params]}  # one figure per parameter, also beyond two
    tornado = {"sweep-tornado"} if n_params > 1 else set()
    assert {p for p in found.plots if p.startswith("sweep-")} == lines | tornado
    assert ("sweep-tornado" in found.tables) == (n_params > 1)
    assert "sweep-points" in found.tables
    assert f"{n_params} parameter(s) ({', '.join(SWEPT[:n_params])})" in html
    if n_params == 3:
        assert "the other parameters at the base point (hubs.hengelo.import_mw = 8.0, prices.scale = 0.8)" in html


def test_sweep_base_point_and_tornado_by_hand() -> None:
    """A one-at-a-time sweep around (a=1, b=10): the base is the most frequent value, the tornado the ends."""
    import pandas as pd

    from energyhub.results.report_sweep import base_point, is_product, tornado_rows

    points = pd.DataFrame({"a": [1, 0, 2, 1, 1], "b": [10, 10, 10, 5, 20],
                           "objective_eur": [100.0, 90.0, 130.0, 95.0, 101.0]})
    base = base_point(points, ["a", "b"])
    assert base == {"a": 1, "b": 10} and not is_product(points, ["a", "b"])
    rows = tornado_rows(points, ["a", "b"], base)
    assert rows is not None
    assert rows.to_dict("records") == [
        {"Parameter": "a", "Low value": 0, "High value": 2, "Objective at low (EUR)": 90.0,
         "Base objective (EUR)": 100.0, "Objective at high (EUR)": 130.0, "Swing (EUR)": 40.0},
        {"Parameter": "b", "Low value": 5, "High value": 20, "Objective at low (EUR)": 95.0,
         "Base objective (EUR)": 100.0, "Objective at high (EUR)": 101.0, "Swing (EUR)": 6.0},
    ]
    assert tornado_rows(points[points["a"] != 1], ["a", "b"], base) is None  # no base point: no tornado


@pytest.mark.parametrize(("limit_pct", "max_pct"), [(100.0, 0.0), (100.0, 250.0), (60.0, 209.0), (80.0, 90.0)])
def test_loading_colour_changes_at_the_limit(limit_pct: float, max_pct: float) -> None:
    from energyhub.results.report_plots import loading_colour

    def reddish(rgb: tuple[float, float, float]) -> bool:
        r, g, b = rgb
        return r > 0.5 and r > 3 * g and r > 3 * b  # from bright red (at the limit) to dark red

    for above in (1.001, 1.01, 1.03, 1.06, 1.2):
        assert reddish(loading_colour(above * limit_pct, limit_pct, max_pct)), above
    for below in (0.0, 0.5, 0.9, 0.99, 0.999):
        r, _, b = loading_colour(below * limit_pct, limit_pct, max_pct)
        assert b > r, below  # blue side, whatever its shade


def test_heatmap_pixels_are_red_only_where_the_limit_is_exceeded() -> None:
    """Render a heatmap of one branch at 103 % and one at 97 % of the limit: the first row red, the second not."""
    import base64
    import io

    import numpy as np
    import pandas as pd
    import xarray as xr
    from PIL import Image

    from energyhub.results.report_plots import loading_heatmap, to_data_uri

    times = pd.date_range("2030-01-01", periods=48, freq="h")
    loading = xr.DataArray(np.array([[103.0, 97.0]] * 48), coords={"time": times, "branch": ["over", "under"]},
                           dims=("time", "branch"))
    uri = to_data_uri(loading_heatmap([("test", loading)], 100.0))
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    red = (r > 180) & (g < 90) & (b < 90)
    pale_yellow = (r > 230) & (g > 200) & (b < 200) & (b > 100)  # the old scale's colour at 103 %
    rows = np.nonzero(red.sum(axis=1) > 0.3 * pixels.shape[1])[0]
    assert len(rows) > 10 and not pale_yellow.any()
    blue_rows = np.nonzero(((b > r + 40) & (b > 120)).sum(axis=1) > 0.3 * pixels.shape[1])[0]
    assert len(blue_rows) > 10 and blue_rows.min() > rows.max()  # branch "under" is drawn below "over"


def test_week_outside_the_horizon_is_exit_2(make_dir: Callable[..., Path]) -> None:
    directory = make_dir("solve")
    result = CliRunner().invoke(cli, ["report", str(directory), "--week", "2031-01-01"])
    assert result.exit_code == 2
    assert re.search(r"--week 2031-01-01 is outside the horizon 2030-01-07 to 2030-01-13", result.output)
    bad = CliRunner().invoke(cli, ["report", str(directory), "--week", "June"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    assert not (directory / "report.html").exists()
