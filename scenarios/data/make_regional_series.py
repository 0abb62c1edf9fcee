"""Hourly 2030 hub series of the regional Twente / Münsterland study (energyhub issue 11, 21 hubs).

Run with the project venv from the repository root (~3 s, no network, no SimBench read: it starts from the
reference study's files, so run ``make_series.py`` first if those are missing):

    python scenarios/data/make_regional_series.py

Reads ``renewables_2030.csv`` (written by ``make_series.py``) and writes, next to this script, 8,760 hourly rows
each from 2030-01-01 00:00 (naive local standard time, CET, no DST):

- ``hubs_regional_2030.csv``        per hub: demand ``<hub>_mw`` (MW) and, at four hubs, ``<hub>_h2_kg_per_h``
- ``renewables_regional_2030.csv``  per hub: own PV and wind capacity factors ``<hub>_pv``, ``<hub>_wind`` (0-1)

Prices, CO2 and the weather year are the reference study's (``prices_2030.csv``, ``renewables_2030.csv``). Each hub
gets its own demand shape (an archetype below, with its own seeded noise, calendar and peak) and its own PV and
wind series: the reference site's profile (``pv_twente``/``pv_muensterland``, ``wind_twente``/
``wind_muensterland``) with a local cloud or gust term, an orientation (south or east-west roofs) and, for wind,
a blend with the other site's profile and a lag of up to an hour (turbines some tens of km apart). Numbers and
sources: ``scenarios/README.md`` (§11 "Regional study") and ``scenarios/assumptions.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from make_series import YEAR, N, ar1, daily_ar1, holidays, interp_shape

OUT = Path(__file__).resolve().parent
SEED = 2031  # not the reference study's seed: its series stay as they are


@dataclass(frozen=True)
class Calendar:
    """What every demand archetype may depend on (arrays of length N)."""

    hour: np.ndarray
    daytype: np.ndarray  # 0 weekday, 1 Saturday, 2 Sunday or public holiday (zone's calendar)
    winter: np.ndarray  # 1 mid-January, 0 mid-July
    summer: np.ndarray
    holiday_weeks: np.ndarray  # bouwvak (NL) / Betriebsferien (DE) weeks and the Christmas week
    times: pd.DatetimeIndex


def calendar(zone: str) -> Calendar:
    times = pd.date_range(f"{YEAR}-01-01", periods=N, freq="h")
    hour = times.hour.to_numpy()
    dow = times.dayofweek.to_numpy()
    hol = holidays(YEAR)[zone]
    is_hol = np.array([d in hol for d in times.date])
    daytype = np.where(is_hol | (dow == 6), 2, np.where(dow == 5, 1, 0))
    doy = times.dayofyear.to_numpy() - 1
    winter = 0.5 * (1 + np.cos(2 * np.pi * (doy - 15) / 365))
    # NL bouwvak regio Noord 2030 (assumed 20 Jul - 9 Aug); NRW summer school holidays 2030 (assumed 15 Jul - 27
    # Aug) thin out German plants in a two-week Betriebsferien; everywhere the Christmas week
    summer_break = ((times >= "2030-07-20") & (times < "2030-08-10")) if zone == "NL" else (
        (times >= "2030-07-29") & (times < "2030-08-12"))
    xmas = ((times.month == 12) & (times.day >= 24)) | ((times.month == 1) & (times.day == 1))
    return Calendar(hour, daytype, winter, 1 - winter, np.asarray(summer_break | xmas), times)


# ------------------------------------------------------------------------------------------ demand archetypes
# Each returns a positive shape (any scale); the caller adds noise and scales its 99.9th percentile to the peak.
def offices(c: Calendar) -> np.ndarray:
    wd = interp_shape(c.hour, {0: .30, 6: .32, 7: .55, 8: .85, 10: .95, 13: .93, 16: .90, 18: .60, 20: .40, 22: .32})
    we = interp_shape(c.hour, {0: .30, 8: .30, 12: .34, 16: .32, 20: .30})
    s = np.where((c.daytype == 0) & ~c.holiday_weeks, wd, we)
    return s * (1 + 0.18 * c.winter * ((c.hour >= 6) & (c.hour <= 10)) + 0.12 * c.summer**2 * (
        (c.hour >= 11) & (c.hour <= 17)) * (c.daytype == 0))


def campus(c: Calendar) -> np.ndarray:
    """Offices plus laboratories and a data room: a higher base, EV charging 8-10 h."""
    ev = interp_shape(c.hour, {0: 0., 7: 0., 8: 1., 10: .6, 12: .2, 17: .1, 18: 0.})
    return 0.25 + offices(c) + 0.15 * ev * (c.daytype == 0)


def industry_two_shifts(c: Calendar) -> np.ndarray:
    wd = interp_shape(c.hour, {0: .30, 5: .32, 6: .80, 8: .95, 12: .92, 14: .95, 17: .85, 21: .75, 22: .40})
    sa = interp_shape(c.hour, {0: .30, 5: .30, 6: .60, 13: .60, 14: .35, 23: .30})
    su = interp_shape(c.hour, {0: .28, 12: .30, 23: .28})
    s = np.select([(c.daytype == 0) & ~c.holiday_weeks, (c.daytype == 1) & ~c.holiday_weeks], [wd, sa], su)
    return s * (1 + 0.05 * c.winter)


def three_shifts(c: Calendar) -> np.ndarray:
    """Food processing / cleanroom manufacturing: 24 h Monday-Saturday, cleaning on Sundays."""
    day = 0.85 + 0.10 * ((c.hour >= 6) & (c.hour < 22))
    s = np.select([c.daytype == 0, c.daytype == 1], [day, 0.8 * day], 0.45)
    return s * (1 + 0.08 * c.summer)  # cooling


def process_24_7(c: Calendar) -> np.ndarray:
    s = 0.84 + 0.06 * ((c.daytype == 0) & (c.hour >= 6) & (c.hour < 22)) - 0.06 * (c.daytype == 2) + 0.03 * c.winter
    stop = (c.times >= "2030-09-09") & (c.times < "2030-09-23")  # two-week maintenance stop
    return np.where(stop, 0.22, s)


def data_centre(c: Calendar) -> np.ndarray:
    """IT load flat, cooling follows the outside temperature and the afternoon."""
    return 0.80 + 0.12 * c.summer * interp_shape(c.hour, {0: .3, 6: .2, 12: .8, 15: 1., 19: .6, 23: .4})


def logistics(c: Calendar) -> np.ndarray:
    """Distribution centre: two shifts, e-truck charging at night and at the noon change-over."""
    base = industry_two_shifts(c)
    trucks = interp_shape(c.hour, {0: .9, 4: .9, 5: .4, 6: 0., 11: 0., 12: .5, 14: .5, 15: 0., 21: 0., 22: .9})
    return base + 0.6 * trucks * (c.daytype < 2)


def cold_store(c: Calendar) -> np.ndarray:
    """Cold storage: compressors 24/7, more in summer and in the afternoon, dock activity on weekdays."""
    comp = 0.70 + 0.25 * c.summer * interp_shape(c.hour, {0: .4, 8: .5, 15: 1., 20: .7})
    docks = 0.20 * ((c.daytype == 0) & (c.hour >= 6) & (c.hour < 20))
    return comp + docks


def port_terminal(c: Calendar) -> np.ndarray:
    """Inland container terminal: electric cranes and reach stackers 6-22 h Monday-Saturday, reefers 24/7."""
    ops = interp_shape(c.hour, {0: .1, 5: .1, 6: .9, 12: .8, 13: 1., 21: .9, 22: .1})
    return 0.35 + 0.15 * c.summer + np.select([c.daytype == 0, c.daytype == 1], [ops, 0.5 * ops], 0.05)


def bus_depot(c: Calendar) -> np.ndarray:
    """Depot buildings, workshop and battery-bus charging overnight (the fuel-cell buses take hydrogen)."""
    charge = interp_shape(c.hour, {0: 1., 4: 1., 5: .5, 6: .1, 9: .1, 10: .3, 14: .3, 15: .1, 20: .2, 21: .8})
    return 0.25 + 0.10 * c.winter + charge * np.select([c.daytype == 0, c.daytype == 1], [1.0, 0.8], 0.6)


def recycling(c: Calendar) -> np.ndarray:
    """Waste sorting on weekdays, the food-waste digester's pumps and stirrers 24/7."""
    return 0.30 + industry_two_shifts(c) * (c.daytype == 0)


def dairy_farms(c: Calendar) -> np.ndarray:
    """Dairy farms (milking 5-7 h and 16-18 h, cooling, barn ventilation in summer) and a digester's own use."""
    milk = interp_shape(c.hour, {0: .0, 4: .0, 5: 1., 7: 1., 8: .0, 15: .0, 16: 1., 18: 1., 19: .0})
    vent = c.summer * interp_shape(c.hour, {0: .4, 6: .5, 14: 1., 18: .9, 23: .5})
    return 0.35 + 0.25 * milk + 0.15 * vent + 0.09


def cheese_dairy(c: Calendar) -> np.ndarray:
    day = interp_shape(c.hour, {0: .45, 4: .45, 5: .90, 6: 1., 14: 1., 15: .95, 21: .85, 22: .50})
    return np.select([c.daytype == 0, c.daytype == 1], [day, 0.8 * day], 0.55) * (1 + 0.08 * c.summer)


def wind_coop(c: Calendar) -> np.ndarray:
    """Auxiliary load of a wind farm and the farms behind its connection: small, flat."""
    return 0.6 + 0.2 * c.winter + 0.2 * interp_shape(c.hour, {0: .2, 7: 1., 19: 1., 22: .2})


def h2_station(c: Calendar) -> np.ndarray:
    """Hydrogen demand (kg/h shape) of a truck and bus filling station: peaks at shift ends."""
    fill = interp_shape(c.hour, {0: .3, 4: .2, 6: .6, 9: .5, 12: .7, 15: 1., 18: .9, 21: .6, 23: .4})
    return fill * np.select([c.daytype == 0, c.daytype == 1], [1.0, 0.6], 0.35)


@dataclass(frozen=True)
class HubSeries:
    name: str  # column prefix: the hub's name with '-' -> '_'
    zone: str  # NL | DE
    shape: Callable[[Calendar], np.ndarray]
    peak_mw: float  # 99.9th percentile of the demand
    noise: float  # AR(1) sigma of the hourly noise
    pv: str | None  # orientation of the PV: 'south' | 'east_west' | None
    wind: bool


HUBS: list[HubSeries] = [
    # Twente (NL): thirteen business-park sites of the shipped segment (twelve 10 kV ring nodes, one station busbar)
    HubSeries("hengelo_twentekanaal_metal", "NL", industry_two_shifts, 3.2, 0.06, "south", False),
    HubSeries("hengelo_busdepot", "NL", bus_depot, 1.8, 0.05, "south", False),
    HubSeries("hengelo_havengebied_terminal", "NL", port_terminal, 2.4, 0.06, "east_west", False),
    HubSeries("hengelo_havengebied_logistics", "NL", cold_store, 2.0, 0.04, "east_west", False),
    HubSeries("enschede_marssteden_food", "NL", three_shifts, 2.8, 0.05, "south", False),
    HubSeries("enschede_marssteden_datacentre", "NL", data_centre, 2.4, 0.02, "south", False),
    HubSeries("enschede_kennispark_campus", "NL", campus, 2.8, 0.05, "south", False),
    HubSeries("enschede_kennispark_hightech", "NL", three_shifts, 2.4, 0.04, "east_west", False),
    HubSeries("almelo_xl_distribution", "NL", logistics, 2.8, 0.06, "east_west", False),
    HubSeries("almelo_xl_recycling", "NL", recycling, 1.6, 0.06, "south", False),
    HubSeries("almelo_xl_process", "NL", process_24_7, 9.0, 0.04, "south", False),
    HubSeries("almelo_twentepoort_offices", "NL", offices, 2.2, 0.05, "south", False),
    HubSeries("almelo_twentepoort_coldstore", "NL", cold_store, 2.4, 0.04, "east_west", False),
    # Münsterland (DE): eight sites on 110 kV substations of the shipped SimBench segment
    HubSeries("ahaus_agri", "DE", dairy_farms, 2.2, 0.05, "south", True),
    HubSeries("legden_agri", "DE", dairy_farms, 1.6, 0.05, "south", True),
    HubSeries("legden_dairy", "DE", cheese_dairy, 2.6, 0.05, "south", False),
    HubSeries("gronau_h2", "DE", wind_coop, 1.0, 0.05, "south", True),
    HubSeries("stadtlohn_logistics", "DE", logistics, 2.0, 0.06, "east_west", False),
    HubSeries("rheine_industry", "DE", industry_two_shifts, 3.5, 0.06, "south", False),
    HubSeries("rheine_windpark", "DE", wind_coop, 0.4, 0.05, None, True),
    HubSeries("emsdetten_food", "DE", three_shifts, 2.6, 0.05, "south", False),
]

# Hydrogen demand (kg/h): mean and shape per hub (README §11.1)
H2_DEMAND: dict[str, tuple[float, str]] = {
    "hengelo_busdepot": (20.0, "depot"),  # 20 fuel-cell buses x ~25 kg/day, filled on return in the evening
    "almelo_xl_process": (70.0, "flat"),  # high-temperature heat / feedstock, 24/7, stops with the process
    "gronau_h2": (25.0, "station"),  # truck filling station on the A31 / B54
    "rheine_industry": (30.0, "shifts"),  # heat treatment furnaces, two shifts
}


def demand_mw(rng: np.random.Generator, hub: HubSeries, cal: Calendar) -> np.ndarray:
    s = hub.shape(cal) * (1 + ar1(rng, N, 0.85, hub.noise) + daily_ar1(rng, 0.7, hub.noise / 2))
    s = np.clip(s, 0.05 * s.mean(), None)
    return hub.peak_mw * s / np.quantile(s, 0.999)


def pv_pu(rng: np.random.Generator, base: np.ndarray, orientation: str) -> np.ndarray:
    """The site's PV: local clouds (daily and hourly AR(1)) on the reference profile, never above the reference's
    peak (inverter limit); east-west roofs are broader and lower (yield ~0.9 of south)."""
    p = base.copy()
    if orientation == "east_west":
        p = 0.9 * (0.25 * np.roll(base, -1) + 0.5 * base + 0.25 * np.roll(base, 1))
    cloud = np.exp(ar1(rng, N, 0.8, 0.12) + daily_ar1(rng, 0.5, 0.08))
    p = p * cloud * p.sum() / (p * cloud).sum()  # local weather, same annual yield
    return np.clip(p, 0.0, base.max())


def wind_pu(rng: np.random.Generator, own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The site's wind: mostly the nearest reference park, a share of the other, a lag of 0-1 h and gusts."""
    share = rng.uniform(0.65, 0.9)
    lag = int(rng.integers(0, 2))
    w = share * np.roll(own, lag) + (1 - share) * other
    w = w * (1 + ar1(rng, N, 0.7, 0.05))
    return np.clip(w * own.mean() / w.mean(), 0.0, 1.0)


def h2_kg_per_h(rng: np.random.Generator, hub: str, cal: Calendar, process_mw: np.ndarray | None) -> np.ndarray:
    mean, kind = H2_DEMAND[hub]
    if kind == "depot":
        fill = interp_shape(cal.hour, {0: .6, 2: .15, 5: .05, 9: .10, 12: .25, 14: .10, 17: .20, 19: 1.0, 22: 1.0})
        shape = fill * np.select([cal.daytype == 0, cal.daytype == 1], [1.0, 0.8], 0.65)
    elif kind == "flat":
        assert process_mw is not None
        shape = np.where(process_mw < 0.4 * process_mw.mean(), 0.12, np.where(cal.daytype == 2, 0.8, 1.0))
    elif kind == "station":
        shape = h2_station(cal)
    else:
        shape = np.maximum(industry_two_shifts(cal) - 0.3, 0.02)
    shape = shape * (1 + ar1(rng, N, 0.8, 0.04))
    return np.clip(mean * shape / shape.mean(), 0.0, None)


def main() -> None:
    rng = np.random.default_rng(SEED)
    ren = pd.read_csv(OUT / "renewables_2030.csv")
    assert len(ren) == N, "renewables_2030.csv: run make_series.py first"
    times = pd.date_range(f"{YEAR}-01-01", periods=N, freq="h")
    cal = {zone: calendar(zone) for zone in ("NL", "DE")}
    site = {"NL": ("pv_twente", "wind_twente", "wind_muensterland"),
            "DE": ("pv_muensterland", "wind_muensterland", "wind_twente")}
    hubs = pd.DataFrame({"time": times})
    gen = pd.DataFrame({"time": times})
    for hub in HUBS:
        c = cal[hub.zone]
        pv_col, own_wind, other_wind = site[hub.zone]
        hubs[f"{hub.name}_mw"] = demand_mw(rng, hub, c)
        if hub.name in H2_DEMAND:
            process = hubs[f"{hub.name}_mw"].to_numpy() if H2_DEMAND[hub.name][1] == "flat" else None
            hubs[f"{hub.name}_h2_kg_per_h"] = h2_kg_per_h(rng, hub.name, c, process)
        if hub.pv is not None:
            gen[f"{hub.name}_pv"] = pv_pu(rng, ren[pv_col].to_numpy(), hub.pv)
        if hub.wind:
            gen[f"{hub.name}_wind"] = wind_pu(rng, ren[own_wind].to_numpy(), ren[other_wind].to_numpy())
    write(hubs, "hubs_regional_2030.csv", 3)
    write(gen, "renewables_regional_2030.csv", 4)
    summary(hubs, gen)


def write(df: pd.DataFrame, name: str, decimals: int) -> None:
    df = df.copy()
    df["time"] = df["time"].dt.strftime("%Y-%m-%d %H:%M")
    values = df.drop(columns="time")
    assert len(df) == N and np.isfinite(values.to_numpy()).all() and (values.to_numpy() >= 0).all()
    df[values.columns] = values.round(decimals)
    df.to_csv(OUT / name, index=False)


def summary(hubs: pd.DataFrame, gen: pd.DataFrame) -> None:
    h = hubs.drop(columns="time")
    print(pd.DataFrame({"mean": h.mean(), "p99.9": h.quantile(0.999), "max": h.max(), "annual (MWh or kg)": h.sum()})
          .round(2).to_string())
    g = gen.drop(columns="time")
    print(pd.DataFrame({"CF": g.mean(), "max": g.max(), "full-load h": g.sum()}).round(3).to_string())


if __name__ == "__main__":
    main()
