"""``energyhub report``: one self-contained, offline HTML report of a solve, baseline or sweep directory.

The page inlines its CSS and its figures (PNG data URIs, see :mod:`energyhub.results.report_plots` for why) and
declares a Content-Security-Policy that forbids every network request, so it opens the same way on a laptop
without network, as an e-mail attachment or from an archive years later.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd

from energyhub import __version__
from energyhub.errors import InputError
from energyhub.results.report_decision import comparison_section, decision_section
from energyhub.results.report_grid import congestion_section, hubs_section
from energyhub.results.report_inputs import ResultDir, load_result_dir
from energyhub.results.report_penalties import penalties_section
from energyhub.results.report_sections import (
    Section,
    assets_section,
    costs_section,
    dispatch_section,
    parse_week,
    scenario_section,
)
from energyhub.results.report_sweep import sweep_section

REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"


def build_sections(result: ResultDir, week: str | None) -> list[Section]:
    """The sections for this kind of directory, in reading order."""
    if result.kind == "sweep":
        return [scenario_section(result), sweep_section(result)]
    if result.kind == "baseline":
        return [scenario_section(result), congestion_section(result)]
    first = [decision_section(result)] + ([comparison_section(result)] if result.comparison else [])
    return [
        *first,
        scenario_section(result),
        assets_section(result),
        congestion_section(result),
        penalties_section(result),
        hubs_section(result),
        dispatch_section(result, week),
        costs_section(result),
    ]


def render_report(result: ResultDir, week: str | None = None) -> str:
    """The report's HTML text."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source), autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    kind_titles = {"solve": "Hub sizing and dispatch", "baseline": "Congestion baseline", "sweep": "Parameter sweep"}
    return env.get_template(TEMPLATE).render(
        title=f"{'Hub sizing and counterfactuals' if result.comparison else kind_titles[result.kind]}: "
              f"{result.scenario}",
        scenario=result.scenario,
        kind=result.kind,
        sections=build_sections(result, week),
        generated=f"{datetime.now():%Y-%m-%d %H:%M}",
        version=__version__,
        source=result.path.resolve().name,
    )


def check_week(result: ResultDir, week: str | None) -> None:
    """Fail early (before any plotting) on a ``--week`` outside the horizon or given for a directory without one."""
    if week is None:
        return
    if result.results is None:
        raise InputError(f"--week applies to solve directories only; {result.path} is a {result.kind} directory")
    parse_week(week, pd.DatetimeIndex(result.results["time"].values))


def _template_source(name: str) -> str:
    return resources.files("energyhub.results").joinpath("templates", name).read_text(encoding="utf-8")


def write_report(directory: Path, week: str | None = None) -> Path:
    """Write ``DIRECTORY/report.html`` atomically (temporary file + rename) and return its path."""
    result = load_result_dir(directory)
    check_week(result, week)
    html = render_report(result, week)
    target = directory / REPORT_NAME
    handle, tmp_name = tempfile.mkstemp(prefix=".report.", suffix=".html.tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target
