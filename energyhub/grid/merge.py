"""Concatenating the nets of several segments into one pandapower net with ``segment/element`` names."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from energyhub.errors import InputError
from energyhub.grid.netio import element_tables, empty_net

# Columns holding bus indices, per element table (default: "bus").
BUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "line": ("from_bus", "to_bus"),
    "impedance": ("from_bus", "to_bus"),
    "dcline": ("from_bus", "to_bus"),
    "trafo": ("hv_bus", "lv_bus"),
    "trafo3w": ("hv_bus", "mv_bus", "lv_bus"),
    "switch": ("bus",),
}
SUPPORTED_TABLES = {"bus", "line", "trafo", "load", "sgen", "gen", "ext_grid", "shunt", "switch", "ward", "xward"}
NAMED_TABLES = ("bus", "line", "trafo", "load", "sgen", "ext_grid", "gen", "switch", "shunt")


def concat_nets(nets: list[pandapowerNet], prefixes: list[str]) -> pandapowerNet:
    """One net holding all ``nets``; element indices become 0..n-1 in order, names get ``prefix/``."""
    merged = empty_net()
    offsets = {table: 0 for table in SUPPORTED_TABLES}
    pieces: dict[str, list[pd.DataFrame]] = {}
    for net, prefix in zip(nets, prefixes, strict=True):
        unsupported = sorted(set(element_tables(net)) - SUPPORTED_TABLES)
        if unsupported:
            raise InputError(f"segment {prefix!r}: element tables {unsupported} are not supported; remove them")
        maps = {t: _index_map(net[t], offsets[t]) for t in SUPPORTED_TABLES if len(net[t])}
        for table in SUPPORTED_TABLES:
            if len(net[table]) == 0:
                continue
            df = net[table].copy()
            df.index = pd.RangeIndex(offsets[table], offsets[table] + len(df))
            for col in BUS_COLUMNS.get(table, ("bus",)) if table != "bus" else ():
                df[col] = df[col].map(maps["bus"]).astype(np.int64)
            if table == "switch":
                df["element"] = _switch_elements(net.switch, maps)
            if table in NAMED_TABLES:
                df["name"] = prefix + "/" + net[table]["name"].fillna("").astype(str).to_numpy()
            df["segment"] = prefix
            pieces.setdefault(table, []).append(df)
            offsets[table] += len(df)
        for element, types in net.std_types.items():
            merged.std_types.setdefault(element, {}).update(
                {k: v for k, v in types.items() if k not in merged.std_types.get(element, {})}
            )
    for table, frames in pieces.items():
        template = merged[table]
        combined = pd.concat(frames)
        for col in template.columns:
            if col not in combined:
                combined[col] = template[col].iloc[0:0].reindex(combined.index)
        merged[table] = combined
    for table in SUPPORTED_TABLES:
        if "segment" not in merged[table]:
            merged[table]["segment"] = pd.Series(dtype=object)
    merged.sn_mva = nets[0].sn_mva if nets else 1.0
    return merged


def _index_map(df: pd.DataFrame, offset: int) -> dict[int, int]:
    return {int(old): offset + i for i, old in enumerate(df.index)}


def _switch_elements(switch: pd.DataFrame, maps: dict[str, dict[int, int]]) -> np.ndarray:
    """Switch ``element`` re-indexed by its element type (b: bus, l: line, t: trafo)."""
    table_of = {"b": "bus", "l": "line", "t": "trafo"}
    out = np.empty(len(switch), dtype=np.int64)
    for i, (et, element) in enumerate(zip(switch["et"], switch["element"], strict=True)):
        if et not in table_of:
            raise InputError(f"switch {switch['name'].iloc[i]!r}: element type {et!r} is not supported")
        out[i] = maps[table_of[et]][int(element)]
    return out


def open_switched_branches(net: pandapowerNet) -> None:
    """Take lines and trafos with an open line/trafo switch out of service (in place)."""
    if len(net.switch) == 0:
        return
    for et, table in (("l", "line"), ("t", "trafo")):
        mask = (net.switch["et"] == et) & ~net.switch["closed"].astype(bool)
        net[table].loc[net.switch.loc[mask, "element"].to_numpy(), "in_service"] = False
