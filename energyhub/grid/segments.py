"""Grid segments: a static pandapower grid plus full-year 15-minute profiles of its loads and generators.

A segment is stored as a folder (see ``networks/README.md``)::

    <segment>/net/              the static grid: one parquet file per element table + meta.json (fast form,
                                see :mod:`energyhub.grid.netio`; ``pandapower.from_json`` is 10x slower)
    <segment>/profiles.parquet  profile shapes, 35,040 rows of the 15-minute reference year, one column each

Every ``net.load`` row names its shapes in ``profile_p`` / ``profile_q`` (multiplied with ``p_mw`` / ``q_mvar``),
every ``net.sgen`` row in ``profile_p`` (multiplied with ``p_mw``) and its kind in ``kind``
(``pv`` | ``wind`` | ``other``). An empty profile name means "constant at the static value".

Sources accepted by :func:`load_segment`: a folder name under ``networks/``, a path to such a folder, a path to a
pandapower JSON file (profiles optional), or ``simbench:<code>`` (converted once, then cached).
"""

from __future__ import annotations

import copy
import difflib
import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
from pandapower.auxiliary import pandapowerNet

import energyhub
from energyhub.errors import InputError
from energyhub.grid.netio import META_FILE, read_net_tables, write_net_tables
from energyhub.grid.timeaxis import N_REFERENCE_STEPS, reference_positions, sample

__all__ = [
    "KINDS",
    "Segment",
    "available_networks",
    "load_segment",
    "networks_dir",
    "reference_positions",
    "sample",
    "save_segment",
]

KINDS = ("pv", "wind", "other")
NET_DIR = "net"
PROFILES_FILE = "profiles.parquet"
NAMED_TABLES = ("bus", "line", "trafo", "load", "sgen")


@dataclass
class Segment:
    """One regional grid segment with reference-year profiles (absolute values, columns in element order)."""

    name: str
    net: pandapowerNet
    load_p_mw: np.ndarray  # (35040, n_load)
    load_q_mvar: np.ndarray  # (35040, n_load)
    sgen_p_mw: np.ndarray  # (35040, n_sgen)
    sgen_kind: list[str]

    def __post_init__(self) -> None:
        n_load, n_sgen = len(self.net.load), len(self.net.sgen)
        expected = {
            "load_p_mw": (N_REFERENCE_STEPS, n_load),
            "load_q_mvar": (N_REFERENCE_STEPS, n_load),
            "sgen_p_mw": (N_REFERENCE_STEPS, n_sgen),
        }
        for field, shape in expected.items():
            if getattr(self, field).shape != shape:
                raise InputError(
                    f"segment {self.name!r}: {field} has shape {getattr(self, field).shape}, expected {shape}"
                )
        if len(self.sgen_kind) != n_sgen or any(k not in KINDS for k in self.sgen_kind):
            raise InputError(f"segment {self.name!r}: sgen_kind must give one of {KINDS} per sgen")


def networks_dir() -> Path:
    """The repository's ``networks/`` folder (next to the ``energyhub`` package)."""
    return Path(energyhub.__file__).resolve().parents[1] / "networks"


def available_networks(base_dir: Path | None = None) -> list[str]:
    """Names of the segment folders (those holding a ``net/`` table folder) under ``base_dir`` and ``networks/``."""
    names: set[str] = set()
    for folder in (base_dir, networks_dir()):
        if folder is not None and folder.is_dir():
            names.update(p.parent.parent.name for p in folder.glob(f"*/{NET_DIR}/{META_FILE}"))
    return sorted(names)


def load_segment(source: str, name: str, base_dir: Path) -> Segment:
    """Load a segment from ``source`` and call it ``name``.

    ``source`` is ``simbench:<code>``, a path (relative to ``base_dir``) of a segment folder or of a pandapower
    JSON file, or the name of a folder under the repository's ``networks/``. Raises :class:`InputError` with
    the file and the fix when the source cannot be used.
    """
    if source.startswith("simbench:"):
        from energyhub.grid.simbench_source import load_simbench_segment

        return load_simbench_segment(source.removeprefix("simbench:"), name)
    path = Path(source)
    candidates = [path if path.is_absolute() else base_dir / path]
    if not path.is_absolute() and len(path.parts) == 1:
        candidates.append(networks_dir() / path)
    for candidate in candidates:
        if candidate.is_dir():
            return read_segment_dir(candidate, name)
        if candidate.is_file():
            return read_json_segment(candidate, name)
    available = ", ".join(available_networks(base_dir)) or "none"
    tried = " and ".join(str(c) for c in candidates)
    raise InputError(
        f"grid segment source {source!r}: no such folder or file (looked for {tried}). "
        f"Use a pandapower JSON file, 'simbench:<code>', or one of the shipped networks: {available}"
    )


def read_pandapower_json(path: Path) -> pandapowerNet:
    """Read a pandapower JSON file, raising :class:`InputError` when it is not one.

    Parsed grids are kept per process by file identity (path, size, modification time), so that validating
    and then solving, or many sweep points, parse the file once; callers get their own copy.
    """
    stat = path.stat()
    return copy.deepcopy(_read_pandapower_json(path.resolve(), stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _read_pandapower_json(path: Path, _size: int, _mtime_ns: int) -> pandapowerNet:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = pp.from_json(str(path))
    except (ValueError, KeyError, TypeError, UserWarning, UnicodeDecodeError, AttributeError) as exc:
        raise InputError(
            f"{path}: not a pandapower grid ({type(exc).__name__}: {exc}). "
            "Write the grid with pandapower.to_json(net, path)"
        ) from exc
    if not isinstance(net, pandapowerNet) or "bus" not in net or len(net.bus) == 0:
        raise InputError(f"{path}: not a pandapower grid (no buses). Write it with pandapower.to_json(net, path)")
    return net


def read_segment_dir(folder: Path, name: str) -> Segment:
    """Read a segment folder (``net/`` tables + optional ``profiles.parquet``)."""
    net_file = folder / NET_DIR / META_FILE
    if not net_file.is_file():
        raise InputError(
            f"{folder}: a segment folder must hold {NET_DIR}/{META_FILE} and {PROFILES_FILE} "
            "(write one with energyhub.grid.segments.save_segment); none found"
        )
    try:
        net = read_net_tables(folder / NET_DIR)
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"{net_file}: unreadable segment grid ({exc}); regenerate it") from exc
    profiles_file = folder / PROFILES_FILE
    shapes = pd.read_parquet(profiles_file) if profiles_file.is_file() else None
    if shapes is None:
        _warn_static(net_file)
    return segment_from_shapes(net, shapes, name, origin=profiles_file)


def read_json_segment(path: Path, name: str) -> Segment:
    """A segment from a single pandapower JSON file: profiles from a sibling parquet if present."""
    net = read_pandapower_json(path)
    sibling = path.with_suffix(".parquet")
    shapes = pd.read_parquet(sibling) if sibling.is_file() else None
    if shapes is None:
        _warn_static(path)
    return segment_from_shapes(net, shapes, name, origin=sibling)


def _warn_static(path: Path) -> None:
    warnings.warn(
        f"{path}: no profiles found; every load and sgen is held at its static p_mw/q_mvar in every time step",
        UserWarning,
        stacklevel=3,
    )


def segment_from_shapes(net: pandapowerNet, shapes: pd.DataFrame | None, name: str, origin: Path) -> Segment:
    """Build a :class:`Segment` from a static net and a table of profile shapes (or none: constant)."""
    prepare_net(net, origin)
    if shapes is not None and len(shapes) != N_REFERENCE_STEPS:
        raise InputError(f"{origin}: profiles must have {N_REFERENCE_STEPS} rows (15-min, 365 days), got {len(shapes)}")
    load_p = _absolute(shapes, net.load, "profile_p", "p_mw", origin)
    load_q = _absolute(shapes, net.load, "profile_q", "q_mvar", origin)
    sgen_p = _absolute(shapes, net.sgen, "profile_p", "p_mw", origin)
    kinds = [str(k) for k in net.sgen["kind"]] if "kind" in net.sgen else ["other"] * len(net.sgen)
    bad = sorted({k for k in kinds if k not in KINDS})
    if bad:
        raise InputError(f"{origin}: sgen column 'kind' has {bad}; use one of {KINDS}")
    return Segment(name=name, net=net, load_p_mw=load_p, load_q_mvar=load_q, sgen_p_mw=sgen_p, sgen_kind=kinds)


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
    return out


def prepare_net(net: pandapowerNet, origin: Path) -> None:
    """Normalise a net in place: fold ``scaling`` into the values, check names are unique and non-empty."""
    for table, cols in (("load", ("p_mw", "q_mvar")), ("sgen", ("p_mw", "q_mvar"))):
        df = net[table]
        if len(df) and "scaling" in df:
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


def save_segment(segment: Segment, folder: Path, shapes: pd.DataFrame) -> None:
    """Write a segment folder: ``net/`` tables and ``profiles.parquet`` (float32 shapes, zstd)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_net_tables(segment.net, folder / NET_DIR)
    shapes.astype(np.float32).to_parquet(folder / PROFILES_FILE, compression="zstd", index=False)


def suggest(word: str, choices: list[str], n: int = 5) -> list[str]:
    """Up to ``n`` close matches of ``word`` among ``choices`` (for error messages)."""
    return difflib.get_close_matches(word, choices, n=n, cutoff=0.5)
