"""Fixtures of the sweep tests: the small scenario, a CLI runner and a run helper with the toy solver."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from energyhub.cli import cli

HERE = Path(__file__).resolve().parent
SMALL = HERE.parent / "data" / "small" / "scenario.yaml"
PRICE = "markets.NL.energy_price_eur_per_mwh"
IMPORT = "hubs.hengelo.connection.import_mw"
CAPEX = "assets.battery-hengelo.energy_mwh.capex_eur_per_mwh"


@pytest.fixture
def scenario() -> Path:
    return SMALL


def run_cli(*args: str) -> Result:
    """``energyhub sweep …`` in-process, without a progress bar."""
    return CliRunner().invoke(cli, ["sweep", *args, "--no-progress"], catch_exceptions=False)
