"""Hourly 2030 series for the Twente / Münsterland reference study (energyhub issue 4).

Run with the project venv (takes ~10 s, reads SimBench profiles shipped with the ``simbench`` package, no network):

    python scenarios/data/make_series.py

Writes, next to this script, 8,760 hourly rows each from 2030-01-01 00:00 (naive local standard time, CET, no DST):

- ``prices_2030.csv``      day-ahead and export prices NL / DE-LU (EUR/MWh), grid CO2 intensity (t/MWh)
- ``renewables_2030.csv``  PV and wind capacity factors (0-1) for the hubs and the national fleets
- ``hubs_2030.csv``        hub electricity demand (MW) and hydrogen demand (kg/h)

Every number and its source is documented in ``scenarios/README.md`` and ``scenarios/assumptions.yaml``.
The weather (PV, wind) is SimBench's 2016 weather year, mapped by month/day/hour onto 2030 exactly the way
``energyhub.grid.timeaxis`` maps the grid segments' SimBench profiles (29 Feb dropped, rows taken positionally,
i.e. in standard time), so that prices fall in the same hours in which the grid's own PV and wind feed in.
Calendar effects (weekdays, public holidays) follow the 2030 calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent
SEED = 2030
YEAR = 2030
N = 8760
SIMBENCH_CODE = "1-MV-semiurb--2-no_sw"  # carries PV1/PV3/PV4 and WP4/WP7/WP10 (WP* are shared with the HV grids)

# ------------------------------------------------------------------------------------------ targets (README §2)
TARGET_MEAN_PRICE = {"NL": 80.0, "DE": 75.0}  # EUR/MWh, annual time-weighted mean day-ahead 2030
TARGET_MEAN_CO2 = {"NL": 0.13, "DE": 0.20}  # t/MWh, annual mean of the average grid-mix intensity 2030
EXPORT_FEE = {"NL": 3.0, "DE": 3.0}  # EUR/MWh, feed-in: day-ahead minus aggregator/balancing fee
PV_YIELD_KWH_PER_KWP = {"twente": 900.0, "muensterland": 920.0, "nl": 900.0, "de": 950.0}
# National 2030 fleets relative to mean demand (GW per GW of mean load), README §2.2
FLEET = {
    # demand TWh, PV GW, onshore GW, offshore GW
    "NL": dict(demand_twh=130.0, pv_gw=35.0, onshore_gw=8.0, offshore_gw=11.0),
    "DE": dict(demand_twh=650.0, pv_gw=180.0, onshore_gw=90.0, offshore_gw=20.0),
}
ONSHORE_CF_NATIONAL = {"NL": 0.26, "DE": 0.23}  # fleet average incl. older turbines
OFFSHORE_CF = 0.45


# ------------------------------------------------------------------------------------------ helpers
def hourly_simbench() -> pd.DataFrame:
    """SimBench renewables profiles (p.u. of rating) on the 365-day reference year, hourly means, 8,760 rows."""
    import simbench as sb

    net = sb.get_simbench_net(SIMBENCH_CODE)
    ren = net.profiles["renewables"].copy()
    times = pd.to_datetime(ren.pop("time"), format="%d.%m.%Y %H:%M")
    keep = ~((times.dt.month == 2) & (times.dt.day == 29)).to_numpy()
    ren = ren.loc[keep].reset_index(drop=True)
    assert len(ren) == 35040, len(ren)
    hourly = ren.groupby(np.arange(len(ren)) // 4).mean()
    return hourly.astype(float).reset_index(drop=True)


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> dict[str, set[date]]:
    e = easter(year)
    common = {date(year, 1, 1), e - timedelta(2), e + timedelta(1), e + timedelta(39), e + timedelta(50),
              date(year, 12, 25), date(year, 12, 26)}
    kings = date(year, 4, 27) if date(year, 4, 27).weekday() != 6 else date(year, 4, 26)
    nl = common | {kings}
    if year % 5 == 0:
        nl |= {date(year, 5, 5)}  # Bevrijdingsdag: a day off in lustrum years (2030)
    de_nrw = common | {date(year, 5, 1), e + timedelta(60), date(year, 10, 3), date(year, 11, 1)}
    return {"NL": nl, "DE": de_nrw}


def ar1(rng: np.random.Generator, n: int, rho: float, sigma: float) -> np.ndarray:
    """Stationary AR(1) noise with marginal standard deviation ``sigma``."""
    eps = rng.normal(0.0, sigma * np.sqrt(1 - rho**2), n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sigma)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + eps[t]
    return out


def daily_ar1(rng: np.random.Generator, rho: float, sigma: float) -> np.ndarray:
    return np.repeat(ar1(rng, N // 24, rho, sigma), 24)


def interp_shape(hours: np.ndarray, knots: dict[int, float]) -> np.ndarray:
    """Hourly shape from (hour -> value) knots, linear in between, periodic over the day."""
    xs = np.array(sorted(knots))
    ys = np.array([knots[x] for x in xs])
    return np.interp(hours, np.r_[xs, xs[0] + 24], np.r_[ys, ys[0]])


# ------------------------------------------------------------------------------------------ build
def main() -> None:
    rng = np.random.default_rng(SEED)
    times = pd.date_range(f"{YEAR}-01-01", periods=N, freq="h")
    hour = times.hour.to_numpy()
    doy = times.dayofyear.to_numpy() - 1
    dates = times.date
    hol = holidays(YEAR)
    dow = times.dayofweek.to_numpy()
    daytype = {}
    for zone in ("NL", "DE"):
        is_hol = np.array([d in hol[zone] for d in dates])
        # 0 weekday, 1 Saturday, 2 Sunday/holiday
        daytype[zone] = np.where(is_hol | (dow == 6), 2, np.where(dow == 5, 1, 0))
    winter = 0.5 * (1 + np.cos(2 * np.pi * (doy - 15) / 365))  # 1 mid-January, 0 mid-July

    sb = hourly_simbench()
    # ---------------------------------------------------------------- capacity factors (README §3)
    def pv_scaled(col: str, key: str) -> np.ndarray:
        raw = sb[col].to_numpy()
        return np.clip(raw * PV_YIELD_KWH_PER_KWP[key] / 8760 / raw.mean(), 0, 1)

    ren = pd.DataFrame({"time": times})
    ren["pv_twente"] = pv_scaled("PV3", "twente")
    ren["pv_muensterland"] = pv_scaled("PV4", "muensterland")
    ren["wind_muensterland"] = np.clip(sb["WP4"].to_numpy(), 0, 1)
    ren["wind_twente"] = np.clip(sb["WP10"].to_numpy(), 0, 1)
    # national fleets (price model inputs, shown for transparency)
    pv_nat = (sb["PV1"] + sb["PV3"] + sb["PV4"]).to_numpy() / 3
    ren["pv_nl_fleet"] = np.clip(pv_nat * PV_YIELD_KWH_PER_KWP["nl"] / 8760 / pv_nat.mean(), 0, 1)
    ren["pv_de_fleet"] = np.clip(pv_nat * PV_YIELD_KWH_PER_KWP["de"] / 8760 / pv_nat.mean(), 0, 1)
    wind_avg = (sb["WP4"] + sb["WP7"] + sb["WP10"]).to_numpy() / 3
    for zone, col in (("NL", "wind_onshore_nl_fleet"), ("DE", "wind_onshore_de_fleet")):
        # a fleet spread over a country is smoother than one park: power curve flattened, rescaled to fleet CF
        smooth = pd.Series(wind_avg).rolling(3, center=True, min_periods=1).mean().to_numpy() ** 0.9
        ren[col] = np.clip(smooth * ONSHORE_CF_NATIONAL[zone] / smooth.mean(), 0, 1)
    # offshore: the coastal SimBench park WP7 led by 2 h (weather from the west), through a steeper power curve
    off = np.roll(sb["WP7"].to_numpy(), -2)
    off = 1 - (1 - off) ** 1.7
    ren["wind_offshore_fleet"] = np.clip(off * OFFSHORE_CF / off.mean(), 0, 1)

    # ---------------------------------------------------------------- national demand (README §2.2)
    wd = {0: {0: .80, 5: .80, 7: .95, 9: 1.05, 12: 1.06, 14: 1.03, 17: 1.08, 19: 1.07, 22: .90},
          1: {0: .82, 6: .80, 9: .90, 12: .94, 15: .90, 18: .98, 20: .96, 23: .86},
          2: {0: .80, 6: .76, 10: .84, 13: .86, 16: .84, 18: .94, 20: .93, 23: .84}}
    evening_winter = np.exp(-0.5 * ((hour - 18.5) / 1.6) ** 2)  # heat pumps, lighting: winter evening peak
    load_pu = {}
    for zone, season_amp, hp in (("NL", 0.10, 0.06), ("DE", 0.12, 0.05)):
        base = np.select([daytype[zone] == k for k in (0, 1, 2)],
                         [interp_shape(hour, wd[k]) for k in (0, 1, 2)])
        cold = daily_ar1(rng, 0.8, 0.035) * winter  # cold/mild spells, mostly in winter
        shape = base * (1 + season_amp * (2 * winter - 1) + hp * winter * evening_winter + cold)
        shape *= 1 + ar1(rng, N, 0.9, 0.01)
        load_pu[zone] = shape / shape.mean()

    residual = {}
    for zone in ("NL", "DE"):
        f = FLEET[zone]
        mean_gw = f["demand_twh"] * 1000 / 8760
        onshore = ren["wind_onshore_nl_fleet" if zone == "NL" else "wind_onshore_de_fleet"].to_numpy()
        pv = ren["pv_nl_fleet" if zone == "NL" else "pv_de_fleet"].to_numpy()
        offshore = ren["wind_offshore_fleet"].to_numpy()
        vre = (f["pv_gw"] * pv + f["onshore_gw"] * onshore + f["offshore_gw"] * offshore) / mean_gw
        residual[zone] = load_pu[zone] - vre
    # flexibility (batteries, demand response, pumped hydro, interconnectors to third countries) pulls the
    # residual load towards its daily mean; market coupling NL <-> DE mixes the two zones
    for zone in residual:
        daily = pd.Series(residual[zone]).rolling(24, center=True, min_periods=1).mean().to_numpy()
        residual[zone] = residual[zone] - 0.25 * (residual[zone] - daily)
    r_nl = 0.7 * residual["NL"] + 0.3 * residual["DE"]
    r_de = 0.85 * residual["DE"] + 0.15 * residual["NL"]

    # ---------------------------------------------------------------- merit order (README §2.1)
    # (residual load in units of mean load, EUR/MWh): must-run and subsidised RES below 0, gas CCGT/OCGT above
    knots = [(-1.6, -70.0), (-1.0, -25.0), (-0.65, -5.0), (-0.5, -0.5), (-0.4, 3.0), (-0.25, 12.0),
             (-0.1, 28.0), (0.1, 52.0), (0.3, 70.0), (0.5, 84.0), (0.7, 97.0), (0.85, 112.0), (0.95, 135.0),
             (1.05, 180.0), (1.15, 260.0), (1.3, 400.0)]
    kx, ky = np.array(knots).T
    fuel = 1 + 0.08 * (2 * winter - 1)  # gas (TTF) seasonal spread: winter +8 %, summer -8 %
    prices, co2, raw_p, pos_mask = {}, {}, {}, {}
    for zone, r in (("NL", r_nl), ("DE", r_de)):
        raw = np.interp(r, kx, ky)
        noise = np.exp(ar1(rng, N, 0.92, 0.07))
        pos_mask[zone] = raw > 0
        raw_p[zone] = np.where(raw > 0, raw * fuel * noise, raw * np.exp(ar1(rng, N, 0.8, 0.3)))
    # calibrate: one common scale of the positive part (same fuel and CO2 prices on both sides of the border)
    # so that DE reaches its target mean; NL then gets an additive premium (gas-heavier, import-dependent mix)
    # that fades out in surplus hours, where both zones fall to the same renewable-driven prices
    neg_de = raw_p["DE"][~pos_mask["DE"]].sum()
    scale = (TARGET_MEAN_PRICE["DE"] * N - neg_de) / raw_p["DE"][pos_mask["DE"]].sum()
    for zone, r, ef_lo, ef_hi in (("NL", r_nl, 0.36, 0.42), ("DE", r_de, 0.45, 0.75)):
        p = np.where(pos_mask[zone], raw_p[zone] * scale, raw_p[zone])
        fade = np.clip((r + 0.4) / 0.8, 0, 1)
        if zone == "NL":  # the spread widens when German wind saturates the interconnectors (DE exporting)
            w_de = ren["wind_onshore_de_fleet"].to_numpy()
            fade = np.clip((r + 0.9) / 0.8, 0, 1) * (0.3 + 0.7 * w_de / w_de.mean())
        p = p + (TARGET_MEAN_PRICE[zone] * N - p.sum()) / fade.sum() * fade
        prices[zone] = np.clip(p, -500.0, 4000.0)
        # average grid CO2 intensity: thermal share of demand x emission factor of the thermal mix
        # (NL: gas CCGT/CHP, coal closed by 2030; DE: gas plus remaining lignite/hard coal, dirtier at high load)
        thermal_share = np.clip(r + 0.12, 0.03, 1.0)  # must-run CHP, biomass and balancing keep ~3-12 % thermal
        ef = ef_lo + (ef_hi - ef_lo) * np.clip(r, 0, 1)
        co2[zone] = thermal_share * ef * TARGET_MEAN_CO2[zone] / (thermal_share * ef).mean()

    pr = pd.DataFrame({"time": times})
    pr["da_nl"] = prices["NL"]
    pr["da_de"] = prices["DE"]
    pr["export_nl"] = prices["NL"] - EXPORT_FEE["NL"]
    pr["export_de"] = prices["DE"] - EXPORT_FEE["DE"]
    pr["co2_nl"] = co2["NL"]
    pr["co2_de"] = co2["DE"]
    pr["residual_nl_pu"] = r_nl
    pr["residual_de_pu"] = r_de

    # ---------------------------------------------------------------- hub demand (README §4)
    hubs = pd.DataFrame({"time": times})
    month = times.month.to_numpy()
    day = times.day.to_numpy()
    # bouwvak region Noord 2030 (3 weeks, assumed 20 Jul - 9 Aug) and Christmas week
    bouwvak = (times >= "2030-07-20") & (times < "2030-08-10")
    xmas = (month == 12) & (day >= 24) | (month == 1) & (day == 1)
    summer = 1 - winter
    dt_nl, dt_de = daytype["NL"], daytype["DE"]

    # (a1) Hengelo business park, offices (peak ~2.5 MW)
    off_wd = interp_shape(hour, {0: .30, 6: .32, 7: .55, 8: .85, 10: .95, 13: .93, 16: .90, 18: .60, 20: .40, 22: .32})
    off_we = interp_shape(hour, {0: .30, 8: .30, 12: .34, 16: .32, 20: .30})
    office = np.where((dt_nl == 0) & ~xmas, off_wd, off_we)
    office = office * (1 + 0.18 * winter * ((hour >= 6) & (hour <= 10))  # heat-pump morning warm-up
                       + 0.12 * summer**2 * ((hour >= 11) & (hour <= 17)) * (dt_nl == 0)  # cooling
                       - 0.12 * bouwvak * (dt_nl == 0))
    office *= 1 + ar1(rng, N, 0.85, 0.04) + daily_ar1(rng, 0.7, 0.03)
    hubs["hengelo_offices_mw"] = 2.5 * office / np.quantile(office, 0.999)

    # (a2) Hengelo business park, light industry / workshops (two shifts, peak ~3.8 MW)
    li_wd = interp_shape(hour, {0: .30, 5: .32, 6: .80, 8: .95, 12: .92, 14: .95, 17: .85, 21: .75, 22: .40})
    li_sa = interp_shape(hour, {0: .30, 5: .30, 6: .60, 13: .60, 14: .35, 23: .30})
    li_su = interp_shape(hour, {0: .28, 12: .30, 23: .28})
    light = np.select([(dt_nl == 0) & ~xmas, (dt_nl == 1) & ~xmas], [li_wd, li_sa], li_su)
    light = np.where(bouwvak, np.minimum(light, 0.45), light) * (1 + 0.05 * winter)
    light *= 1 + ar1(rng, N, 0.7, 0.06) + daily_ar1(rng, 0.6, 0.04)
    hubs["hengelo_industry_mw"] = 3.8 * light / np.quantile(light, 0.999)
    hubs["hengelo_park_mw"] = hubs["hengelo_offices_mw"] + hubs["hengelo_industry_mw"]

    # (b) process industry near Almelo (three shifts, 24/7, peak ~12 MW, two-week maintenance stop)
    proc = 0.84 + 0.06 * ((dt_nl == 0) & (hour >= 6) & (hour < 22)) - 0.06 * (dt_nl == 2) + 0.03 * winter
    stop = (times >= "2030-08-05") & (times < "2030-08-19")
    proc = np.where(stop, 0.22, proc)
    proc = proc * (1 + ar1(rng, N, 0.9, 0.04) + daily_ar1(rng, 0.8, 0.02))
    trips = rng.random(N // 24) < 6 / 365  # ~6 partial trips a year, a few hours at 50 %
    trip_h = np.zeros(N, bool)
    for d in np.flatnonzero(trips):
        s = d * 24 + rng.integers(0, 20)
        trip_h[s:s + rng.integers(2, 6)] = True
    proc = np.where(trip_h & ~stop, proc * 0.5, proc)
    hubs["almelo_process_mw"] = 12.0 * proc / np.quantile(proc, 0.999)

    # (c) Münsterland agricultural hub: farms (milking, cooling, barn ventilation) + cheese dairy + digester
    milk = interp_shape(hour, {0: .0, 4: .0, 5: 1., 7: 1., 8: .0, 15: .0, 16: 1., 18: 1., 19: .0})
    farms = 0.35 + 0.25 * milk + 0.15 * summer * interp_shape(hour, {0: .4, 6: .5, 14: 1., 18: .9, 23: .5})
    dairy_day = interp_shape(hour, {0: .45, 4: .45, 5: .90, 6: 1., 14: 1., 15: .95, 21: .85, 22: .50})
    dairy = np.select([dt_de == 0, dt_de == 1], [dairy_day, 0.8 * dairy_day], 0.55) * (1 + 0.08 * summer)
    digester = 0.09  # stirrers, pumps, feeding of a ~1 MWel plant (~8-9 % own use)
    agri = 1.0 * farms + 1.5 * dairy + digester
    agri *= 1 + ar1(rng, N, 0.8, 0.05)
    hubs["muensterland_agri_mw"] = 2.6 * agri / np.quantile(agri, 0.999)

    # hydrogen: (i) process user at the Almelo site (high-temperature heat / feedstock), flat
    h2_ind = np.where(dt_nl == 2, 100.0, 125.0) * (1 + ar1(rng, N, 0.9, 0.03))
    h2_ind = np.where(stop, 15.0, h2_ind)
    hubs["h2_industry_kg_per_h"] = h2_ind
    # (ii) alternative: fuel-cell bus depot Hengelo, 40 buses x ~25 kg/day, refuelled on return in the evening
    fill = interp_shape(hour, {0: .6, 2: .15, 5: .05, 9: .10, 12: .25, 14: .10, 17: .20, 19: 1.0, 22: 1.0, 23: .8})
    per_day = np.select([dt_nl == 0, dt_nl == 1], [1000.0, 800.0], 650.0)
    hubs["h2_busdepot_kg_per_h"] = per_day * fill / fill.reshape(-1, 24).sum(axis=1).repeat(24)

    # ---------------------------------------------------------------- write
    def write(df: pd.DataFrame, name: str, decimals: dict[str, int]) -> None:
        df = df.copy()
        df["time"] = df["time"].dt.strftime("%Y-%m-%d %H:%M")
        for col, dec in decimals.items():
            df[col] = df[col].round(dec)
        assert len(df) == N and np.isfinite(df.drop(columns="time").to_numpy()).all()
        df.to_csv(OUT / name, index=False)

    write(pr, "prices_2030.csv", {c: 2 for c in ("da_nl", "da_de", "export_nl", "export_de")}
          | {c: 4 for c in ("co2_nl", "co2_de", "residual_nl_pu", "residual_de_pu")})
    write(ren, "renewables_2030.csv", {c: 4 for c in ren.columns if c != "time"})
    write(hubs, "hubs_2030.csv", {c: 3 for c in hubs.columns if c != "time"})
    summary(pr, ren, hubs)


def summary(pr: pd.DataFrame, ren: pd.DataFrame, hubs: pd.DataFrame) -> None:
    for z in ("nl", "de"):
        p = pr[f"da_{z}"]
        print(f"DA {z}: mean {p.mean():.1f} std {p.std():.1f} min {p.min():.1f} p99 {p.quantile(.99):.1f} "
              f"max {p.max():.1f} neg-hours {(p < 0).sum()} zero-or-neg {(p <= 0).sum()} | "
              f"CO2 mean {pr[f'co2_{z}'].mean():.3f} t/MWh")
    print("corr NL-DE", round(pr.da_nl.corr(pr.da_de), 3), "| mean DE-NL", round((pr.da_de - pr.da_nl).mean(), 1))
    print(ren.drop(columns="time").agg(["mean", "max"]).round(3).T.to_string())
    h = hubs.drop(columns="time")
    print(pd.DataFrame({"mean": h.mean(), "max": h.max(), "min": h.min(), "annual (MWh or kg)": h.sum()}).round(2)
          .to_string())


if __name__ == "__main__":
    main()
