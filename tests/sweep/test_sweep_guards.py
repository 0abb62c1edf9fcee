"""Refusals before any work (issue 10 item 12): a sweep above the point cap, an unknown backend; and the toy backend
lives in tests/, not in the package (issue 13 item 4)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

from click.testing import CliRunner, Result
from toy_backend import TOY

from energyhub.cli import cli
from energyhub.sweep.params import Param
from energyhub.sweep.spec import MAX_POINTS, SweepSpec, check_point_count, point_count

PRICE = "markets.NL.energy_price_eur_per_mwh"
CAPEX = "assets.battery-hengelo.energy_mwh.capex_eur_per_mwh"


def run_cli(*args: str) -> Result:  # (not imported from conftest: these tests run in any subset)
    return CliRunner().invoke(cli, ["sweep", *args, "--no-progress"], catch_exceptions=False)


def test_a_sweep_of_a_million_points_is_refused_at_once(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    start = time.perf_counter()
    result = run_cli(str(scenario), "--param", f"{PRICE}=lin:1:100:1000", "--param", f"{CAPEX}=lin:1:2:1000",
                     "--solver", TOY, "--out", str(out))
    assert time.perf_counter() - start < 10.0
    assert result.exit_code == 2, result.output
    assert "this sweep has 1,000,000 points" in result.output
    assert f"more than the {MAX_POINTS:,} that run without confirmation" in result.output
    assert "--max-points 1000000" in result.output
    assert not out.exists()


def test_max_points_confirms_a_larger_sweep(scenario: Path) -> None:
    spec = SweepSpec(scenario, [Param(PRICE, tuple(range(40))), Param(CAPEX, tuple(range(30)))])
    assert point_count(spec) == 1200
    assert check_point_count(spec, 1200) == 1200
    zipped = SweepSpec(scenario, [Param(PRICE, tuple(range(40))), Param(CAPEX, tuple(range(40)))], zip=True)
    assert check_point_count(zipped, None) == 40


def test_an_unknown_solver_writes_no_sweep_directory(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(str(scenario), "--param", f"{PRICE}=40,80", "--solver", "bogus:x", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "--solver 'bogus:x': cannot import it" in result.output
    assert not out.exists()


def test_the_toy_backend_is_a_test_helper_not_part_of_the_package(scenario: Path, tmp_path: Path) -> None:
    assert importlib.util.find_spec("energyhub.sweep.toy") is None
    result = run_cli(str(scenario), "--param", f"{PRICE}=40,80", "--solver", "toy", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2, result.output
    assert "expected 'pipeline' or 'module:attribute'" in result.output


def test_a_rerun_removes_the_point_temporaries_a_killed_sweep_left(scenario: Path, tmp_path: Path) -> None:
    """A sweep killed while writing a point leaves ``points/.<id>.energyhub-tmp-<pid>-…``: the next run of the
    sweep removes it (the sweep's lock says no other writer is running)."""
    out = tmp_path / "out"
    args = [str(scenario), "--param", f"{PRICE}=40,80", "--solver", TOY, "--workers", "1", "--out", str(out)]
    assert run_cli(*args).exit_code == 0
    stale = out / "points" / ".0123456789ab.energyhub-tmp-99999999-0badc0de"
    stale.mkdir()
    (stale / "point.json").write_text("{")
    again = run_cli(*args)
    assert again.exit_code == 0, again.output
    assert not stale.exists()
    assert (out / ".energyhub.json").is_file()
