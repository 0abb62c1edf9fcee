"""Where segments come from: shipped networks, segment folders, pandapower JSON files and SimBench codes.

The segment data class and the folder format are in :mod:`energyhub.grid.segment_format` (re-exported here).
Sources accepted by :func:`load_segment`: a folder name under ``networks/``, a path to such a folder, a path to a
pandapower JSON file (profiles optional), or ``simbench:<code>`` (converted once, then cached).
"""

from __future__ import annotations

import copy
import functools
import warnings
from pathlib import Path

import pandapower as pp
import pandas as pd
from pandapower.auxiliary import pandapowerNet

import energyhub
from energyhub.errors import InputError
from energyhub.grid.netio import META_FILE
from energyhub.grid.segment_format import (
    KINDS,
    NET_DIR,
    PROFILES_FILE,
    Segment,
    read_segment_dir,
    save_segment,
    segment_from_shapes,
    static_note,
    suggest,
)
from energyhub.grid.simbench_source import load_simbench_segment
from energyhub.grid.timeaxis import reference_positions, sample

__all__ = [
    "KINDS",
    "NET_DIR",
    "PROFILES_FILE",
    "Segment",
    "available_networks",
    "load_segment",
    "networks_dir",
    "reference_positions",
    "sample",
    "save_segment",
    "segment_from_shapes",
    "suggest",
]


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
    except Exception as exc:  # whatever pandapower cannot read is the file's fault, not energyhub's
        raise InputError(
            f"{path}: not a pandapower grid ({type(exc).__name__}: {exc}). "
            "Write the grid with pandapower.to_json(net, path)"
        ) from exc
    if not isinstance(net, pandapowerNet) or "bus" not in net or len(net.bus) == 0:
        raise InputError(f"{path}: not a pandapower grid (no buses). Write it with pandapower.to_json(net, path)")
    return net


def read_json_segment(path: Path, name: str) -> Segment:
    """A segment from a single pandapower JSON file: profiles from a sibling parquet if present."""
    net = read_pandapower_json(path)
    sibling = path.with_suffix(".parquet")
    shapes = pd.read_parquet(sibling) if sibling.is_file() else None
    segment = segment_from_shapes(net, shapes, name, origin=sibling, net_origin=path)
    if shapes is None:
        segment.notes.insert(0, static_note(path))
    return segment
