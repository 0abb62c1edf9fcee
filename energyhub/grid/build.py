"""The grid stage of the pipeline: a scenario's segments and ties merged into one :class:`ModelGrid`.

Also the scenario-dependent time series the later stages need from the grid: fixed load and generation at model
resolution (growth applied per segment) and each hub's own net output (PV + wind − demand, behind its connection).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from energyhub.errors import InputError
from energyhub.grid.checks import GridError
from energyhub.grid.network import ModelGrid, TieSpec, merge_segments
from energyhub.grid.segments import load_segment
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.references import unknown


@dataclass
class FixedElements:
    """Fixed loads and generators of the grid at model resolution (T × n_element), growth applied."""

    load_p_mw: np.ndarray
    load_q_mvar: np.ndarray
    sgen_p_mw: np.ndarray


LOG = logging.getLogger("energyhub.grid")


def build_grid(data: ScenarioData, log_notes: bool = True) -> ModelGrid:
    """Load every segment of the scenario, add the ties, merge, and check the grid and the scenario's references.

    The grid's notes (``grid.notes``: segments without profiles, generators with ``scaling`` 0, growth factors
    that act on nothing, ...) are logged as warnings of the ``energyhub.grid`` logger unless ``log_notes`` is
    false (``energyhub validate`` prints them itself).
    """
    spec = data.scenario.grid
    base_dir = data.path.parent
    segments = []
    for i, seg in enumerate(spec.segments):
        try:
            segments.append(load_segment(seg.source, seg.name, base_dir))
        except InputError as exc:
            raise InputError(f"{data.path}: grid.segments[{i}].source: {exc}") from None
    ties = [TieSpec(t.name, t.from_bus, t.to_bus, t.length_km, t.std_type, t.max_i_ka) for t in spec.ties]
    try:
        grid = merge_segments(segments, ties)
    except GridError as exc:
        raise InputError(_grid_problems_message(data, exc)) from None
    except InputError as exc:
        raise InputError(f"{data.path}: grid.ties: {exc}") from None
    check_grid_references(data, grid)
    grid.notes += growth_notes(data, grid)
    if log_notes:
        for note in grid.notes:
            LOG.warning(note)
    return grid


def _grid_problems_message(data: ScenarioData, exc: GridError) -> str:
    """Each problem of the merged grid under the scenario field of its segment (or ``grid.ties``)."""
    where = {s.name: f"grid.segments[{i}] ({s.name}: {s.source})" for i, s in enumerate(data.scenario.grid.segments)}
    lines = [f"{where.get(p.segment, 'grid.ties')}: {p.text}" for p in exc.problems]
    head = f"{data.path}: " + ("" if len(lines) == 1 else f"{len(lines)} problems\n  ")
    return head + "\n  ".join(lines)


def growth_notes(data: ScenarioData, grid: ModelGrid) -> list[str]:
    """A note for each growth factor other than 1 that has nothing to act on in its segment."""
    notes = []
    load_on = grid.net.load["in_service"].to_numpy(bool)
    sgen_on = grid.net.sgen["in_service"].to_numpy(bool)
    load_any = np.abs(grid.load_p_mw).max(axis=0, initial=0.0) > 0 if grid.load_p_mw.size else np.zeros(0, bool)
    sgen_any = np.abs(grid.sgen_p_mw).max(axis=0, initial=0.0) > 0 if grid.sgen_p_mw.size else np.zeros(0, bool)
    kind = np.asarray(grid.sgen_kind)
    for i, seg in enumerate(data.scenario.grid.segments):
        pos = grid.segment_names.index(seg.name)
        acting = {
            "load": (grid.load_segment == pos) & load_on & load_any,
            "pv": (grid.sgen_segment == pos) & sgen_on & sgen_any & (kind == "pv"),
            "wind": (grid.sgen_segment == pos) & sgen_on & sgen_any & (kind == "wind"),
        }
        for what, mask in acting.items():
            factor = float(getattr(seg.growth, what))
            if factor != 1.0 and not mask.any():
                element = "loads" if what == "load" else f"{what} generators (sgen kind {what!r})"
                notes.append(f"{data.path}: grid.segments[{i}].growth.{what} is {factor:g} but segment {seg.name!r} "
                             f"has no in-service {element} with a power other than 0: the factor changes nothing")
    return notes


def check_grid_references(data: ScenarioData, grid: ModelGrid) -> None:
    """Every hub bus, tie bus and reinforced branch must exist in the merged grid; hub buses must be supplied."""
    buses = set(grid.bus_names)
    supplied = {name for name, ok in zip(grid.bus_names, grid.bus_supplied, strict=True) if ok}
    branches = set(grid.branch_names)
    problems = []
    for i, hub in enumerate(data.scenario.hubs):
        if hub.bus not in buses:
            problems.append(f"hubs[{i}].bus: {unknown('bus', hub.bus, _same_segment(hub.bus, buses))}")
        elif hub.bus not in supplied:
            problems.append(f"hubs[{i}].bus: bus {hub.bus!r} has no path to an external grid (it is out of service, "
                            "or cut off by out-of-service lines or transformers or open switches), so the hub "
                            "could import from nowhere; choose a supplied bus or connect this one")
    for i, asset in enumerate(data.scenario.assets):
        if asset.at_branch is not None and asset.at_branch not in branches:
            choices = _same_segment(asset.at_branch, branches)
            problems.append(f"assets[{i}].branch: {unknown('line or transformer', asset.at_branch, choices)}")
    if problems:
        head = f"{data.path}: " + ("" if len(problems) == 1 else f"{len(problems)} problems\n  ")
        raise InputError(head + "\n  ".join(problems))


def _same_segment(name: str, choices: set[str]) -> list[str]:
    prefix = name.split("/", 1)[0] + "/"
    same = [c for c in choices if c.startswith(prefix)]
    return same or sorted(choices)


def growth_factors(data: ScenarioData, grid: ModelGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Load, PV and wind growth per segment, in the grid's segment order."""
    specs = {s.name: s.growth for s in data.scenario.grid.segments}
    growth = [specs[name] for name in grid.segment_names]
    return (
        np.array([g.load for g in growth]),
        np.array([g.pv for g in growth]),
        np.array([g.wind for g in growth]),
    )


def fixed_elements(data: ScenarioData, grid: ModelGrid) -> FixedElements:
    """The grid's own loads and generators at the scenario's time steps."""
    load_p, load_q, sgen_p = grid.element_values(data.times, data.scenario.time.step_min, *growth_factors(data, grid))
    return FixedElements(load_p, load_q, sgen_p)


def hub_bus_positions(data: ScenarioData, grid: ModelGrid) -> np.ndarray:
    """Bus position (in ``grid.bus_names``) of each hub, in scenario order."""
    position = {name: i for i, name in enumerate(grid.bus_names)}
    return np.array([position[h.bus] for h in data.scenario.hubs], dtype=np.int64)


def hub_own_output_mw(data: ScenarioData) -> np.ndarray:
    """Each hub's PV + wind − demand with no assets and nothing curtailed (T × H), MW: the 'before' state."""
    out = np.zeros((len(data.times), len(data.scenario.hubs)))
    for h, hub in enumerate(data.scenario.hubs):
        out[:, h] -= data.hub(hub.name, "demand_mw")
        for kind in ("pv", "wind"):
            gen = getattr(hub, kind)
            if gen is not None:
                out[:, h] += gen.capacity_mw * data.hub(hub.name, f"{kind}.profile_pu")
    return out


def to_bus_matrix(per_hub_mw: np.ndarray, hub_bus: np.ndarray, n_bus: int) -> np.ndarray:
    """Hub values (T × H) summed onto their buses (T × n_bus)."""
    out = np.zeros((per_hub_mw.shape[0], n_bus))
    np.add.at(out.T, hub_bus, per_hub_mw.T)
    return out
