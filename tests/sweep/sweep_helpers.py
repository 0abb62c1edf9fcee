"""Helpers of the sweep tests: the small scenario, dotted paths into it and an in-process CLI runner.

A module with a unique name (not ``conftest``) so that test modules can import it whatever other test folders are
collected in the same run (``pytest tests/sweep tests/scenario``).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from energyhub.cli import cli

HERE = Path(__file__).resolve().parent
SMALL = HERE.parent / "data" / "small" / "scenario.yaml"
PRICE = "markets.NL.energy_price_eur_per_mwh"
IMPORT = "hubs.hengelo.connection.import_mw"
CAPEX = "assets.battery-hengelo.energy_mwh.capex_eur_per_mwh"


def run_cli(*args: str) -> Result:
    """``energyhub sweep …`` in-process, without a progress bar."""
    return CliRunner().invoke(cli, ["sweep", *args, "--no-progress"], catch_exceptions=False)
