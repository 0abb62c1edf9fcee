"""Grid input checks: what pandapower would accept but energyhub cannot model, as errors naming segment and field.

Two stages:

- :func:`check_tables`, when a segment is read: every element table is a table with the columns energyhub
  reads, numbers where numbers belong, and bus/element references that exist;
- :func:`check_merged`, on the merged net before the PTDF (open switches applied, ties added): at least one
  external grid; no zero ratings, impedances or lengths on in-service branches, no zero voltages, no values that
  are not numbers; no load or generator on a bus without a path to an external grid. Buses without such a path
  that carry nothing are left out of the model (as pandapower does) and reported as a note. See
  ``docs/data.md`` ("Grid input: what energyhub reads, checks and notes").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandapower.topology as top
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from energyhub.errors import InputError
from energyhub.grid.merge import BUS_COLUMNS, SUPPORTED_TABLES

__all__ = ["GridError", "GridProblem", "check_merged", "check_tables"]

# Columns energyhub reads, per element table (numbers unless listed in TEXT_COLUMNS).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "bus": ("vn_kv", "in_service"),
    "line": ("from_bus", "to_bus", "length_km", "r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km", "max_i_ka", "df",
             "parallel", "in_service"),
    "trafo": ("hv_bus", "lv_bus", "sn_mva", "vn_hv_kv", "vn_lv_kv", "vk_percent", "vkr_percent", "df", "parallel",
              "in_service"),
    "load": ("bus", "p_mw", "q_mvar", "in_service"),
    "sgen": ("bus", "p_mw", "q_mvar", "in_service"),
    "gen": ("bus", "p_mw", "in_service"),
    "ext_grid": ("bus", "in_service"),
    "switch": ("bus", "element", "et", "closed"),
    "shunt": ("bus", "p_mw", "q_mvar", "in_service"),
    "ward": ("bus", "ps_mw", "qs_mvar", "in_service"),
    "xward": ("bus", "ps_mw", "qs_mvar", "in_service"),
}
TEXT_COLUMNS = {"et"}
BOOL_COLUMNS = {"in_service", "closed"}
INDEX_COLUMNS = {"bus", "from_bus", "to_bus", "hv_bus", "lv_bus", "element"}  # must be given, not only numbers

# Fields of in-service elements that must be finite and > 0: (table, field, why and the fix).
POSITIVE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("bus", "vn_kv", "a bus needs a nominal voltage vn_kv > 0 (line ratings and per-unit values follow from it)"),
    ("ext_grid", "vm_pu", "an external grid needs a voltage set-point vm_pu > 0 (typically 1.0)"),
    ("gen", "vm_pu", "a generator needs a voltage set-point vm_pu > 0"),
    ("line", "length_km", "a line needs a length > 0 km (its impedance is per km)"),
    ("line", "max_i_ka", "a line needs a thermal rating max_i_ka > 0 kA"),
    ("line", "df", "the derating factor df must be > 0 (1 = full rating)"),
    ("line", "parallel", "parallel must be at least 1"),
    ("trafo", "sn_mva", "a transformer needs a rating sn_mva > 0"),
    ("trafo", "df", "the derating factor df must be > 0 (1 = full rating)"),
    ("trafo", "parallel", "parallel must be at least 1"),
    ("trafo", "vk_percent", "a transformer needs a short-circuit voltage vk_percent > 0 (its impedance)"),
    ("trafo", "vn_hv_kv", "rated voltages must be > 0 kV"),
    ("trafo", "vn_lv_kv", "rated voltages must be > 0 kV"),
)
# Fields of in-service elements that must be finite numbers.
FINITE_FIELDS: tuple[tuple[str, str], ...] = (
    ("load", "p_mw"), ("load", "q_mvar"), ("sgen", "p_mw"), ("sgen", "q_mvar"), ("gen", "p_mw"),
    ("ext_grid", "va_degree"), ("shunt", "p_mw"), ("shunt", "q_mvar"), ("ward", "ps_mw"), ("ward", "qs_mvar"),
    ("xward", "ps_mw"), ("xward", "qs_mvar"),
)
ELEMENT_TABLES = ("load", "sgen", "gen", "shunt", "ward", "xward")
MAX_LISTED = 5


@dataclass(frozen=True)
class GridProblem:
    """One problem of the merged grid: the segment it is in (``tie`` for ties) and what is wrong."""

    segment: str
    text: str


class GridError(InputError):
    """Problems found in the merged grid, each naming its segment, element and field."""

    def __init__(self, problems: list[GridProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"segment {p.segment!r}: {p.text}" for p in problems))


# ------------------------------------------------------------------------------------------------- one segment
def check_tables(net: pandapowerNet, origin: Path | str) -> None:
    """Raise :class:`InputError` naming ``origin``, the table and the column when ``net`` cannot be modelled."""
    for table in sorted(SUPPORTED_TABLES):
        if table not in net:
            continue
        df = net[table]
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"{origin}: element table {table!r} is a {type(df).__name__}, not a table; "
                             "write the grid with pandapower.to_json(net, path)")
        if len(df) == 0:
            continue
        missing = [c for c in REQUIRED_COLUMNS[table] if c not in df.columns]
        if missing:
            raise InputError(f"{origin}: table {table!r} lacks the columns {missing}; "
                             "create elements with pandapower's create_* functions")
        for column in REQUIRED_COLUMNS[table]:
            _check_column(df, table, column, origin)
    if "bus" not in net or len(net.bus) == 0:
        raise InputError(f"{origin}: not a pandapower grid (no buses). Write it with pandapower.to_json(net, path)")
    _check_references(net, origin)


def _check_column(df: pd.DataFrame, table: str, column: str, origin: Path | str) -> None:
    values = df[column]
    if column in TEXT_COLUMNS:
        return
    if column in BOOL_COLUMNS:
        bad = ~values.map(lambda v: isinstance(v, bool | np.bool_) or v in (0, 1))
    else:
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() if column in INDEX_COLUMNS else numbers.isna() & values.notna()
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise InputError(
            f"{origin}: {table} {_label(df, row)}: {column} is {_plain(values.iloc[row])!r}; "
            f"it must be {'true or false' if column in BOOL_COLUMNS else 'a number'}"
        )


def _check_references(net: pandapowerNet, origin: Path | str) -> None:
    buses = set(net.bus.index)
    for table in sorted(SUPPORTED_TABLES - {"bus"}):
        df = net.get(table, None)
        if df is None or len(df) == 0:
            continue
        for column in BUS_COLUMNS.get(table, ("bus",)):
            unknown = ~df[column].isin(buses).to_numpy()
            if unknown.any():
                row = unknown.nonzero()[0][0]
                raise InputError(f"{origin}: {table} {_label(df, row)}: {column} {_plain(df[column].iloc[row])!r} "
                                 f"is not a bus of the grid (net.bus index)")
    switch = net.switch if "switch" in net else pd.DataFrame()
    for et, table in (("b", "bus"), ("l", "line"), ("t", "trafo")):
        if len(switch) == 0:
            break
        rows = (switch["et"] == et).to_numpy()
        unknown = rows & ~switch["element"].isin(set(net[table].index)).to_numpy()
        if unknown.any():
            row = unknown.nonzero()[0][0]
            raise InputError(f"{origin}: switch {_label(switch, row)}: element {_plain(switch['element'].iloc[row])!r} "
                             f"is not a {table} of the grid (et {et!r})")
    unsupported = ~switch["et"].isin(["b", "l", "t"]).to_numpy() if len(switch) else np.zeros(0, bool)
    if unsupported.any():
        row = unsupported.nonzero()[0][0]
        raise InputError(f"{origin}: switch {_label(switch, row)}: et {switch['et'].iloc[row]!r} is not supported; "
                         "use 'b' (bus), 'l' (line) or 't' (transformer)")


def _plain(value: object) -> object:
    """A numpy scalar as the Python value (for messages)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _label(df: pd.DataFrame, row: int) -> str:
    """``'name'`` of a row, or its index when it has no name."""
    name = df["name"].iloc[row] if "name" in df.columns else None
    return repr(str(name)) if isinstance(name, str) and name.strip() else f"index {df.index[row]}"


# ------------------------------------------------------------------------------------------------- merged grid
def check_merged(net: pandapowerNet) -> tuple[np.ndarray, list[str]]:
    """Check the merged net (segment names in each table's ``segment`` column, element names prefixed).

    Returns whether each ``net.bus`` row is supplied (in service, with a path to an external grid) and notes;
    raises :class:`GridError` listing every problem.
    """
    problems = _reference_problems(net) + _value_problems(net)
    if problems:
        raise GridError(problems)
    supplied = supplied_buses(net)
    problems, notes = _island_problems(net, supplied)
    if problems:
        raise GridError(problems)
    return supplied, notes


def reference_buses(net: pandapowerNet) -> set[int]:
    """Buses of in-service external grids and slack generators (the fixed-angle references)."""
    refs = set(net.ext_grid.loc[net.ext_grid["in_service"].astype(bool), "bus"])
    if len(net.gen):
        slack = net.gen["slack"].fillna(False).astype(bool) if "slack" in net.gen else False
        refs |= set(net.gen.loc[net.gen["in_service"].astype(bool) & slack, "bus"])
    return {int(b) for b in refs if bool(net.bus.at[b, "in_service"])}


def supplied_buses(net: pandapowerNet) -> np.ndarray:
    """Per ``net.bus`` row: in service and connected to a reference bus through in-service branches and closed
    switches (pandapower's topology graph)."""
    unsupplied = top.unsupplied_buses(net, slacks=reference_buses(net), respect_switches=True)
    in_service = net.bus["in_service"].to_numpy(dtype=bool)
    return np.asarray(in_service & ~net.bus.index.isin(list(unsupplied)), dtype=bool)


def _reference_problems(net: pandapowerNet) -> list[GridProblem]:
    if reference_buses(net):
        return []
    segments = sorted({str(s) for s in net.bus["segment"]})
    return [
        GridProblem(seg, "no in-service external grid (net.ext_grid has no row with in_service true on an in-service "
                         "bus), so nothing connects the grid to the upstream network; add one with "
                         "pandapower.create_ext_grid(net, bus) at the feeding bus")
        for seg in segments
    ]


def _value_problems(net: pandapowerNet) -> list[GridProblem]:
    problems = []
    for table, column, fix in POSITIVE_FIELDS:
        df = net[table]
        if len(df) == 0 or column not in df:
            continue
        values = pd.to_numeric(df[column], errors="coerce").to_numpy(float)
        bad = df["in_service"].to_numpy(bool) & ~(np.isfinite(values) & (values > 0))
        problems += [_element_problem(df, table, i, f"{column} is {values[i]:g}; {fix}") for i in bad.nonzero()[0]]
    for table, column in FINITE_FIELDS:
        df = net[table]
        if len(df) == 0 or column not in df:
            continue
        values = pd.to_numeric(df[column], errors="coerce").to_numpy(float)
        bad = df["in_service"].to_numpy(bool) & ~np.isfinite(values)
        problems += [_element_problem(df, table, i, f"{column} is {values[i]:g}; give a number")
                     for i in bad.nonzero()[0]]
    line = net.line
    if len(line):
        r, x, c = (line[col].to_numpy(float) for col in ("r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km"))
        bad = line["in_service"].to_numpy(bool) & ~(np.isfinite(x) & (x != 0) & np.isfinite(r) & np.isfinite(c))
        problems += [
            _element_problem(line, "line", i, f"r_ohm_per_km {r[i]:g}, x_ohm_per_km {x[i]:g}, c_nf_per_km {c[i]:g}: "
                                              "a line needs a reactance x_ohm_per_km other than 0 and finite values "
                                              "(zero impedance cannot carry a DC or AC flow); merge the two buses "
                                              "with a bus-bus switch instead")
            for i in bad.nonzero()[0]
        ]
    trafo = net.trafo
    if len(trafo):
        vk, vkr = trafo["vk_percent"].to_numpy(float), trafo["vkr_percent"].to_numpy(float)
        bad = trafo["in_service"].to_numpy(bool) & (vk > 0) & ~(np.isfinite(vkr) & (vkr >= 0) & (vkr < vk))
        problems += [
            _element_problem(trafo, "trafo", i, f"vkr_percent {vkr[i]:g} with vk_percent {vk[i]:g}: the reactance is "
                                                "sqrt(vk_percent² − vkr_percent²), so vkr_percent must be at least 0 "
                                                "and below vk_percent")
            for i in bad.nonzero()[0]
        ]
    return problems


def _element_problem(df: pd.DataFrame, table: str, row: int, text: str) -> GridProblem:
    segment = str(df["segment"].iloc[row])
    name = _own_name(df["name"].iloc[row]) if "name" in df else ""
    position = int((df["segment"].iloc[:row] == df["segment"].iloc[row]).sum())
    label = repr(name) if name.strip() else f"(row {position} of the segment's {table} table)"
    return GridProblem(segment, f"{table} {label}: {text}")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _own_name(name: object) -> str:
    """An element's name without its ``segment/`` prefix."""
    return str(name).split("/", 1)[-1]


def _island_problems(net: pandapowerNet, supplied: np.ndarray) -> tuple[list[GridProblem], list[str]]:
    """Loads and generators on in-service buses without supply are errors; empty such buses a note."""
    bus_pos = pd.Series(np.arange(len(net.bus)), index=net.bus.index)
    island = net.bus["in_service"].to_numpy(bool) & ~supplied
    if not island.any():
        return [], []
    carried: dict[int, list[str]] = {}
    for table in ELEMENT_TABLES:
        df = net[table]
        if len(df) == 0:
            continue
        pos = bus_pos[df["bus"]].to_numpy()
        on = df["in_service"].to_numpy(bool) & island[pos]
        for p, name in zip(pos[on], df["name"].to_numpy()[on], strict=True):
            carried.setdefault(int(p), []).append(f"{table} {_own_name(name)!r}")
    problems = []
    for segment in dict.fromkeys(str(net.bus["segment"].iloc[p]) for p in sorted(carried)):
        rows = [p for p in sorted(carried) if str(net.bus["segment"].iloc[p]) == segment]
        listed = "; ".join(f"bus {_own_name(net.bus['name'].iloc[p])!r} ({', '.join(carried[p][:3])})"
                           for p in rows[:MAX_LISTED])
        more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
        problems.append(GridProblem(
            segment,
            f"{_count(len(rows), 'bus', 'buses')} with loads or generators {'has' if len(rows) == 1 else 'have'} "
            "no path to an external grid through in-service lines "
            f"and transformers and closed switches: {listed}{more}. Connect them (in_service, switch closed), "
            "or set them and their elements out of service (in_service false)",
        ))
    empty = [p for p in island.nonzero()[0] if p not in carried]
    notes = []
    if empty:
        names = ", ".join(repr(str(net.bus["name"].iloc[p])) for p in empty[:MAX_LISTED])
        more = ", ..." if len(empty) > MAX_LISTED else ""
        one = len(empty) == 1
        notes.append(f"{_count(len(empty), 'in-service bus', 'in-service buses')} without a path to an external "
                     f"grid {'carries' if one else 'carry'} no load or generator and {'is' if one else 'are'} left "
                     f"out of the model: {names}{more}")
    return problems, notes
