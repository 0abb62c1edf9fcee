"""The segment data class and the segment folder format, shared by every segment source.

A segment is stored as a folder (see ``networks/README.md``)::

    <segment>/net/              the static grid: one parquet file per element table + meta.json (fast form,
                                see :mod:`energyhub.grid.netio`; ``pandapower.from_json`` is 10x slower)
    <segment>/profiles.parquet  profile shapes, 35,040 rows of the 15-minute reference year, one column each

Every ``net.load`` row names its shapes in ``profile_p`` / ``profile_q`` (multiplied with ``p_mw`` / ``q_mvar``),
every ``net.sgen`` row in ``profile_p`` (multiplied with ``p_mw``) and its kind in ``kind``
(``pv`` | ``wind`` | ``other``). An empty profile name means "constant at the static value".

:mod:`energyhub.grid.segments` (files, folders, shipped networks) and :mod:`energyhub.grid.simbench_source`
(SimBench codes) both build segments with the functions here; neither imports the other's internals.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from energyhub.errors import InputError
from energyhub.grid.checks import check_tables
from energyhub.grid.netio import META_FILE, read_net_tables, write_net_tables
from energyhub.grid.timeaxis import N_REFERENCE_STEPS

__all__ = [
    "KINDS",
    "NET_DIR",
    "PROFILES_FILE",
    "Segment",
    "read_segment_dir",
    "save_segment",
    "segment_from_shapes",
    "static_note",
    "suggest",
]

KINDS = ("pv", "wind", "other")
NET_DIR = "net"
PROFILES_FILE = "profiles.parquet"
NAMED_TABLES = ("bus", "line", "trafo", "load", "sgen")


@dataclass
class Segment:
    """One regional grid segment with reference-year profiles (absolute values, columns in element order).

    ``notes`` are what a user should know about the segment but that is not an error (no profiles, generators
    with ``scaling`` 0, ...): ``energyhub validate`` prints them, ``solve`` and ``baseline`` log them.
    """

    name: str
    net: pandapowerNet
    load_p_mw: np.ndarray  # (35040, n_load)
    load_q_mvar: np.ndarray  # (35040, n_load)
    sgen_p_mw: np.ndarray  # (35040, n_sgen)
    sgen_kind: list[str]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n_load, n_sgen = len(self.net.load), len(self.net.sgen)
        expected = {
            "load_p_mw": (N_REFERENCE_STEPS, n_load),
            "load_q_mvar": (N_REFERENCE_STEPS, n_load),
            "sgen_p_mw": (N_REFERENCE_STEPS, n_sgen),
        }
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise InputError(
                    f"segment {self.name!r}: {name} has shape {getattr(self, name).shape}, expected {shape}"
                )
        if len(self.sgen_kind) != n_sgen or any(k not in KINDS for k in self.sgen_kind):
            raise InputError(f"segment {self.name!r}: sgen_kind must give one of {KINDS} per sgen")


def static_note(path: Path) -> str:
    """The note for a grid without profiles."""
    return f"{path}: no profiles found; every load and sgen is held at its static p_mw/q_mvar in every time step"


def read_segment_dir(folder: Path, name: str) -> Segment:
    """Read a segment folder (``net/`` tables + optional ``profiles.parquet``)."""
    net_file = folder / NET_DIR / META_FILE
    if not net_file.is_file():
        raise InputError(
            f"{folder}: a segment folder must hold {NET_DIR}/{META_FILE} and {PROFILES_FILE} "
            "(write one with energyhub.grid.segment_format.save_segment); none found"
        )
    try:
        net = read_net_tables(folder / NET_DIR)
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"{net_file}: unreadable segment grid ({exc}); regenerate it") from exc
    profiles_file = folder / PROFILES_FILE
    shapes = pd.read_parquet(profiles_file) if profiles_file.is_file() else None
    segment = segment_from_shapes(net, shapes, name, origin=profiles_file, net_origin=net_file)
    if shapes is None:
        segment.notes.insert(0, static_note(net_file))
    return segment


def segment_from_shapes(
    net: pandapowerNet, shapes: pd.DataFrame | None, name: str, origin: Path, net_origin: Path | None = None
) -> Segment:
    """Build a :class:`Segment` from a static net and a table of profile shapes (or none: constant).

    ``origin`` names the profiles in error messages, ``net_origin`` (default ``origin``) the static grid.
    """
    net_origin = origin if net_origin is None else net_origin
    check_tables(net, net_origin)
    notes = prepare_net(net, net_origin)
    if shapes is not None and len(shapes) != N_REFERENCE_STEPS:
        raise InputError(f"{origin}: profiles must have {N_REFERENCE_STEPS} rows (15-min, 365 days), got {len(shapes)}")
    load_p = _absolute(shapes, net.load, "profile_p", "p_mw", origin)
    load_q = _absolute(shapes, net.load, "profile_q", "q_mvar", origin)
    sgen_p = _absolute(shapes, net.sgen, "profile_p", "p_mw", origin)
    kinds = [str(k) for k in net.sgen["kind"]] if "kind" in net.sgen else ["other"] * len(net.sgen)
    bad = sorted({k for k in kinds if k not in KINDS})
    if bad:
        raise InputError(f"{origin}: sgen column 'kind' has {bad}; use one of {KINDS}")
    return Segment(name=name, net=net, load_p_mw=load_p, load_q_mvar=load_q, sgen_p_mw=sgen_p, sgen_kind=kinds,
                   notes=notes)


def _absolute(shapes: pd.DataFrame | None, table: pd.DataFrame, column: str, value: str, origin: Path) -> np.ndarray:
    """Absolute profiles (35040 × n): shape column named in ``table[column]`` times ``table[value]``."""
    static = table[value].to_numpy(dtype=np.float64)
    out = np.tile(static, (N_REFERENCE_STEPS, 1))
    if shapes is None or column not in table or len(table) == 0:
        return out
    names = table[column].fillna("").astype(str).to_numpy()
    missing = sorted({n for n in names if n and n not in shapes.columns})
    if missing:
        raise InputError(f"{origin}: profile columns {missing[:5]} named in {column} are missing")
    used = names != ""
    if used.any():
        out[:, used] = shapes[list(names[used])].to_numpy(dtype=np.float64) * static[used]
        bad = used & ~np.isfinite(out).all(axis=0)
        if bad.any():
            j = int(bad.nonzero()[0][0])
            raise InputError(f"{origin}: profile column {names[j]!r} (the {column} of {table['name'].iloc[j]!r}) "
                             "holds values that are not numbers; fill the gaps")
    return out


def prepare_net(net: pandapowerNet, origin: Path) -> list[str]:
    """Normalise a net in place: fold ``scaling`` into the values, check names are unique and non-empty.

    Returns notes on loads and sgens whose ``scaling`` is 0 (they contribute nothing, and no growth factor
    can change that).
    """
    notes = []
    for table, cols in (("load", ("p_mw", "q_mvar")), ("sgen", ("p_mw", "q_mvar"))):
        df = net[table]
        if len(df) and "scaling" in df:
            notes += _zero_scaling_notes(df, table, origin)
            for col in cols:
                df[col] = df[col] * df["scaling"]
            df["scaling"] = 1.0
    for table in NAMED_TABLES:
        names = net[table]["name"]
        if len(names) == 0:
            continue
        empty = names.isna() | (names.astype(str).str.strip() == "")
        if empty.any():
            raise InputError(
                f"{origin}: {int(empty.sum())} "
                f"{table} rows have no name; give every {table} a unique name"
            )
        dup = names[names.duplicated()].unique()
        if len(dup):
            raise InputError(f"{origin}: duplicate {table} names {list(dup[:5])}; names must be unique")
    return notes


def _zero_scaling_notes(df: pd.DataFrame, table: str, origin: Path) -> list[str]:
    """A note naming the in-service rows of ``df`` with ``scaling`` 0 and a non-zero ``p_mw``."""
    zero = (df["scaling"].to_numpy(float) == 0) & (df["p_mw"].to_numpy(float) != 0) & df["in_service"].to_numpy(bool)
    if not zero.any():
        return []
    names = ", ".join(str(n) for n in df.loc[zero, "name"][:5]) + (", ..." if zero.sum() > 5 else "")
    growth = "growth.load" if table == "load" else "growth.pv and growth.wind"
    return [
        f"{origin}: {int(zero.sum())} {table} rows have scaling 0 ({names}):"
        f" energyhub takes p_mw × scaling, so they are 0 in every step and {growth} cannot change them;"
        " set scaling to 1 if they should count"
    ]


def save_segment(segment: Segment, folder: Path, shapes: pd.DataFrame) -> None:
    """Write a segment folder: ``net/`` tables and ``profiles.parquet`` (float32 shapes, zstd)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_net_tables(segment.net, folder / NET_DIR)
    shapes.astype(np.float32).to_parquet(folder / PROFILES_FILE, compression="zstd", index=False)


def suggest(word: str, choices: list[str], n: int = 5) -> list[str]:
    """Up to ``n`` close matches of ``word`` among ``choices`` (for error messages)."""
    return difflib.get_close_matches(word, choices, n=n, cutoff=0.5)
