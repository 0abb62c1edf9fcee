"""The regional study (issue 11) as the test suite can afford it: its 21 hubs on three winter days, solved through
the CLI (~10-25 s), plus checks of the full-year study's make-up that need no solve.

``tests/data/regional-small/scenario.yaml`` is generated from ``scenarios/twente-muensterland-regional-2030.yaml``
by ``make_scenario.py`` beside it; the first test fails when the two drift apart.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import yaml
from click.testing import CliRunner

from energyhub.cli import cli

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "scenarios" / "twente-muensterland-regional-2030.yaml"
SMALL_DIR = ROOT / "tests" / "data" / "regional-small"
SMALL = SMALL_DIR / "scenario.yaml"


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regional") / "solve"
    result = CliRunner().invoke(cli, ["solve", str(SMALL), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_small_variant_is_generated_from_the_study() -> None:
    spec = importlib.util.spec_from_file_location("make_regional_small", SMALL_DIR / "make_scenario.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.week_scenario(STUDY.read_text(encoding="utf-8"))
    assert SMALL.read_text(encoding="utf-8") == expected, "run python tests/data/regional-small/make_scenario.py"
    study, small = _read(STUDY), _read(SMALL)
    for key in ("hubs", "groups", "assets", "links", "economics"):
        assert json.dumps(small[key]) == json.dumps(study[key]), key


def test_study_has_the_regional_make_up() -> None:
    """Issue 11: >= 20 hubs (>= 12 Twente, >= 8 Münsterland), each with demand and PV or wind; batteries at most
    hubs; electrolyser + hydrogen store + hydrogen demand at >= 4; biogas at >= 3; >= 3 links, one across the border;
    group contracts and all three transport-right types; a full hourly year sized on typical days."""
    study = _read(STUDY)
    hubs = {h["name"]: h for h in study["hubs"]}
    segment = {name: h["bus"].split("/")[0] for name, h in hubs.items()}
    zone = {s["name"]: s["zone"] for s in study["grid"]["segments"]}
    assert len(hubs) >= 20
    assert sum(s == "twente" for s in segment.values()) >= 12
    assert sum(s == "muensterland" for s in segment.values()) >= 8
    assert all("demand_mw" in h and ("pv" in h or "wind" in h) for h in hubs.values())
    by_type: dict[str, set[str]] = {}
    for asset in study["assets"]:
        by_type.setdefault(asset["type"], set()).add(asset.get("hub", asset.get("branch")))
    assert len(by_type["battery"]) > len(hubs) / 2
    h2_users = {name for name, h in hubs.items() if "h2_demand_kg_per_h" in h}
    h2_hubs = by_type["electrolyser"] & by_type["h2_storage"] & h2_users
    assert len(h2_hubs) >= 4
    assert len(by_type["biogas"]) >= 3
    links = study["links"]
    assert len(links) >= 3
    assert any(zone[segment[k["from_hub"]]] != zone[segment[k["to_hub"]]] for k in links)
    assert study["groups"] and {h["connection"].get("right", "firm") for h in hubs.values()} == {
        "firm", "time_duration", "time_block"}
    assert study["time"]["periods"] == 8760 and study["time"]["aggregation"]["typical_periods"] > 0


def test_regional_small_solves_with_every_hub(solved: Path) -> None:
    summary = json.loads((solved / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["mip_gap"] <= 0.01
    assert set(summary["hubs"]) == {h["name"] for h in _read(SMALL)["hubs"]}
    costs = {k: v for k, v in summary["costs_eur"].items() if k != "total"}
    assert sum(costs.values()) == pytest.approx(summary["objective_eur"], rel=1e-6)


def test_regional_small_relieves_congestion_with_hubs_and_reinforcement(solved: Path) -> None:
    summary = json.loads((solved / "summary.json").read_text())
    kpis, caps, kinds = summary["kpis"], summary["capacities"], summary["scenario_brief"]["assets"]
    before, after = kpis["overloaded_branch_hours_before"], kpis["overloaded_branch_hours_after"]
    assert before > 50  # congested without hub assets (AC): 97 branch-hours on these three days
    assert after <= 0.05 * before, (before, after)
    assert kpis["max_loading_pct_after"] < kpis["max_loading_pct_before"]
    # every branch overloaded before has a reinforcement option, and the optimiser weighs them against the hubs
    options = {a["branch"] for a in _read(SMALL)["assets"] if a["type"] == "reinforcement"}
    with xr.open_dataset(solved / "results.nc", engine="h5netcdf") as ds:
        over_before = (ds["loading_ac_before_pct"] > 100.0).any("time").values
        congested = set(np.asarray(ds["branch"].values)[over_before])
    assert congested and congested <= options, congested - options
    built = [a for a, k in kinds.items() if k == "reinforcement" and caps[a]["built"] > 0.5]
    assert built and len(built) < len(options)
    batteries = [a for a, k in kinds.items() if k == "battery"]
    assert sum(caps[a]["power_mw"] for a in batteries) > 5.0  # hub flexibility is built, not only cables
    assert kpis["shed_mwh"] < 1e-3 * kpis["grid_import_mwh"]
