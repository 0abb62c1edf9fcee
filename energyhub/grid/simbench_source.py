"""SimBench grids as segments: conversion to the segment folder format, cached per code and simbench version.

Conversion (documented in ``networks/README.md``):
- profiles: SimBench's 2016 15-minute profiles (35,136 rows) with 29 February dropped (35,040 rows);
  shape columns are named ``<profile table>:<column>`` (``load:G1-A_pload``, ``renewables:WP4``, ...);
- storage units become loads named after them (SimBench's storage profiles are consumption-positive
  schedules, so a load is the same injection); static generators (``net.gen``) are kept static;
- each sgen gets a ``kind``: ``wind`` (type or profile mentions wind / ``WP``), ``pv`` (type or profile
  mentions PV, or the profile is zero every night), ``other`` for the rest (biomass, hydro, ...);
- SimBench's study cases, profiles and measurement tables are dropped from the static net.
"""

from __future__ import annotations

import os
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from energyhub.errors import InputError
from energyhub.grid.segment_format import (
    PROFILES_FILE,
    Segment,
    read_segment_dir,
    save_segment,
    segment_from_shapes,
    suggest,
)
from energyhub.grid.timeaxis import N_REFERENCE_STEPS

PROFILE_TABLES = ("load", "renewables", "powerplants", "storage")
DROP_TABLES = ("profiles", "loadcases", "measurement", "substation", "storage")


def cache_dir() -> Path:
    """``$ENERGYHUB_CACHE`` or ``~/.cache/energyhub``."""
    env = os.environ.get("ENERGYHUB_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "energyhub"


def simbench_codes() -> list[str]:
    """All SimBench codes known to the installed simbench package."""
    import simbench as sb

    codes: list[str] = sb.collect_all_simbench_codes()
    return codes


def load_simbench_segment(code: str, name: str) -> Segment:
    """The SimBench grid ``code`` as a segment, converted on the first call and read from the cache after."""
    folder = cache_dir() / "simbench" / version("simbench") / code
    if not (folder / PROFILES_FILE).is_file():
        segment, shapes = convert_simbench(code, name)
        save_segment(segment, folder, shapes)
    return read_segment_dir(folder, name)


def convert_simbench(code: str, name: str) -> tuple[Segment, pd.DataFrame]:
    """Load SimBench grid ``code`` (4-5 s) and convert it; returns the segment and its shape table."""
    import simbench as sb

    codes = simbench_codes()
    if code not in codes:
        close = suggest(code, codes) or codes[:5]
        raise InputError(f"simbench:{code}: unknown SimBench code; close codes: {', '.join(close)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = sb.get_simbench_net(code)
    shapes = reference_year_shapes(net.profiles)
    _storage_to_loads(net)
    _name_profiles(net, shapes)
    for table in DROP_TABLES:
        if table in net and isinstance(net[table], pd.DataFrame):
            net[table] = net[table].iloc[0:0]
        elif table in net:
            net[table] = {}
    segment = segment_from_shapes(net, shapes, name, origin=Path(f"simbench:{code}"))
    return segment, shapes


def reference_year_shapes(profiles: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All SimBench profile columns on the 365-day reference year (29 February 2016 dropped)."""
    columns: dict[str, np.ndarray] = {}
    for table in PROFILE_TABLES:
        df = profiles.get(table)
        if df is None or df.shape[1] <= 1:
            continue
        times = pd.to_datetime(df["time"], format="%d.%m.%Y %H:%M")
        keep = ~((times.dt.month == 2) & (times.dt.day == 29)).to_numpy()
        for col in df.columns:
            if col != "time":
                columns[f"{table}:{col}"] = df[col].to_numpy(dtype=np.float64)[keep]
    shapes = pd.DataFrame(columns)
    if len(shapes) != N_REFERENCE_STEPS:
        raise InputError(f"SimBench profiles have {len(shapes)} rows after dropping 29 Feb, expected 35040")
    return shapes


def _storage_to_loads(net: pandapowerNet) -> None:
    """Turn SimBench storage units into loads following their storage profile (same sign convention)."""
    for _, row in net.storage.iterrows():
        idx = pp.create_load(net, bus=int(row["bus"]), p_mw=float(row["p_mw"]), q_mvar=float(row["q_mvar"]),
                             name=str(row["name"]), in_service=bool(row["in_service"]))
        net.load.at[idx, "profile"] = f"storage:{row['profile']}"


def _name_profiles(net: pandapowerNet, shapes: pd.DataFrame) -> None:
    """Fill ``profile_p``/``profile_q``/``kind`` from SimBench's ``profile`` and ``type`` columns."""
    load_profile = net.load["profile"].fillna("").astype(str)
    is_storage = load_profile.str.startswith("storage:")
    net.load["profile_p"] = np.where(is_storage, load_profile, "load:" + load_profile + "_pload")
    net.load["profile_q"] = np.where(is_storage, "", "load:" + load_profile + "_qload")
    sgen_profile = net.sgen["profile"].fillna("").astype(str)
    table = np.where(("renewables:" + sgen_profile).isin(shapes.columns), "renewables:", "powerplants:")
    net.sgen["profile_p"] = table + sgen_profile
    net.sgen["kind"] = [
        sgen_kind(str(t), str(p), shapes.get(f"renewables:{p}"))
        for t, p in zip(net.sgen["type"].fillna(""), sgen_profile, strict=True)
    ]
    for df in (net.load, net.sgen):
        for col in ("profile_p", "profile_q"):
            if col in df:
                df[col] = df[col].where(df[col].isin(shapes.columns), "")


def sgen_kind(sgen_type: str, profile: str, shape: pd.Series | None) -> str:
    """``wind`` | ``pv`` | ``other`` from a SimBench sgen's type, profile name and profile shape."""
    text = f"{sgen_type} {profile}".lower()
    if "wind" in text or profile.upper().startswith("WP"):
        return "wind"
    if "pv" in text:
        return "pv"
    if shape is not None and _zero_at_night(shape.to_numpy(dtype=np.float64)):
        return "pv"
    return "other"


def _zero_at_night(shape: np.ndarray) -> bool:
    """True when a profile is (almost) zero between 22:00 and 03:00 every day of the year and positive by day."""
    by_day = shape.reshape(365, 96)
    night = np.r_[0:12, 88:96]
    return bool(np.abs(by_day[:, night]).max() <= 1e-3 * max(shape.max(), 1e-9) and shape.max() > 0)
