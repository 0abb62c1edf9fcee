"""A validated scenario with every time series read and aligned to the model's time steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from energyhub.errors import InputError
from energyhub.scenario.components import HUB_SERIES
from energyhub.scenario.load import SOLVERS_DIR, load_scenario
from energyhub.scenario.schema import Scenario
from energyhub.scenario.series import SeriesReader, model_times


@dataclass
class ScenarioData:
    """The scenario plus its series at model resolution.

    ``series`` is keyed by the dotted name path of the field, e.g. ``hubs.hengelo.demand_mw``,
    ``hubs.hengelo.pv.profile_pu``, ``markets.NL.energy_price_eur_per_mwh``, ``assets.<name>.<field>`` (an asset's
    ``SERIES_FIELDS``); every array has one value per step.
    """

    scenario: Scenario
    path: Path
    times: pd.DatetimeIndex
    series: dict[str, np.ndarray]

    @property
    def step_h(self) -> float:
        return self.scenario.time.step_h

    @property
    def horizon_h(self) -> float:
        return len(self.times) * self.step_h

    def hub(self, hub: str, name: str) -> np.ndarray:
        return self.series[f"hubs.{hub}.{name}"]

    def market(self, zone: str, name: str) -> np.ndarray:
        return self.series[f"markets.{zone}.{name}"]


def read_series(scenario: Scenario, path: Path) -> ScenarioData:
    """Read, check and resample every series of a validated scenario."""
    time = scenario.time
    times = model_times(pd.Timestamp(time.start), time.periods, time.step_min)
    reader = SeriesReader(path, times, time.step_min)
    series: dict[str, np.ndarray] = {}
    for i, market in enumerate(scenario.markets):
        key = f"markets.{market.zone}"
        for name in ("energy_price_eur_per_mwh", "grid_energy_tariff_eur_per_mwh", "co2_intensity_t_per_mwh"):
            series[f"{key}.{name}"] = reader.read(getattr(market, name), f"markets[{i}].{name}")
        export = market.export_price_eur_per_mwh
        series[f"{key}.export_price_eur_per_mwh"] = (
            series[f"{key}.energy_price_eur_per_mwh"]
            if export is None
            else reader.read(export, f"markets[{i}].export_price_eur_per_mwh")
        )
    for i, hub in enumerate(scenario.hubs):
        key = f"hubs.{hub.name}"
        for name in ("demand_mw", "h2_demand_kg_per_h", *HUB_SERIES):
            values = reader.read(getattr(hub, name), f"hubs[{i}].{name}")
            _non_negative(values, path, f"hubs[{i}].{name}")
            series[f"{key}.{name}"] = values
        for kind in ("pv", "wind"):
            gen = getattr(hub, kind)
            if gen is not None:
                values = reader.read(gen.profile_pu, f"hubs[{i}].{kind}.profile_pu")
                _within(values, path, f"hubs[{i}].{kind}.profile_pu", 0.0, 1.0)
                series[f"{key}.{kind}.profile_pu"] = values
    for i, asset in enumerate(scenario.assets):
        for name in asset.SERIES_FIELDS:
            values = reader.read(getattr(asset, name), f"assets[{i}].{name}")
            _non_negative(values, path, f"assets[{i}].{name}")
            series[f"assets.{asset.name}.{name}"] = values
    return ScenarioData(scenario, path, times, series)


def _non_negative(values: np.ndarray, path: Path, where: str) -> None:
    _within(values, path, where, 0.0, np.inf)


def _within(values: np.ndarray, path: Path, where: str, lo: float, hi: float) -> None:
    bad = np.flatnonzero((values < lo - 1e-9) | (values > hi + 1e-9))
    if bad.size:
        raise InputError(
            f"{path}: {where}: value {values[bad[0]]:g} at time step {bad[0]} is outside [{lo:g}, {hi:g}]"
        )


def load(path: Path, solvers_dir: Path = SOLVERS_DIR) -> ScenarioData:
    """Read, validate and align a scenario file: the first stage of every verb."""
    return read_series(load_scenario(path, solvers_dir), path)
