"""The model grid: segments merged (optionally tied), with PTDF, limits and profiles ready for the optimiser."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandapower as pp
import pandas as pd
from pandapower.auxiliary import pandapowerNet

from energyhub.errors import InputError
from energyhub.grid.checks import check_merged
from energyhub.grid.merge import concat_nets, open_switched_branches
from energyhub.grid.ptdf import compute_ptdf
from energyhub.grid.segments import Segment
from energyhub.grid.timeaxis import sample

__all__ = ["DEFAULT_TIE_TYPES", "ModelGrid", "TieSpec", "merge_segments"]

# Overhead line types by nominal voltage (pandapower standard types).
DEFAULT_TIE_TYPES: dict[float, str] = {
    110.0: "243-AL1/39-ST1A 110.0",
    20.0: "149-AL1/24-ST1A 20.0",
    10.0: "149-AL1/24-ST1A 10.0",
}


@dataclass(frozen=True)
class TieSpec:
    """A what-if line between buses of two segments, buses named ``segment/bus name``."""

    name: str
    from_bus: str
    to_bus: str
    length_km: float
    std_type: str | None = None  # default: DEFAULT_TIE_TYPES by the buses' voltage
    max_i_ka: float | None = None  # overrides the type's thermal limit


@dataclass
class ModelGrid:
    """Merged grid with everything the optimiser and the AC check need, as plain arrays."""

    net: pandapowerNet
    segment_names: list[str]
    bus_names: list[str]
    bus_segment: np.ndarray  # segment position per bus
    branch_names: list[str]
    branch_kind: list[str]  # 'line' | 'trafo'
    branch_element: np.ndarray  # pandapower index in net.line / net.trafo
    branch_limit_mva: np.ndarray
    ptdf: np.ndarray  # (n_branch, n_bus) MW per MW
    ptdf_offset_mw: np.ndarray  # (n_branch,) flow with every load and sgen at zero
    load_p_mw: np.ndarray  # (35040, n_load) reference-year profiles
    load_q_mvar: np.ndarray
    sgen_p_mw: np.ndarray  # (35040, n_sgen)
    sgen_kind: list[str]
    load_bus: np.ndarray  # bus position per load
    sgen_bus: np.ndarray  # bus position per sgen
    load_segment: np.ndarray  # segment position per load
    sgen_segment: np.ndarray  # segment position per sgen
    tie_names: list[str] = field(default_factory=list)
    bus_supplied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # in service, fed by a slack
    notes: list[str] = field(default_factory=list)  # what a user should know; not errors (see Segment.notes)

    @property
    def n_bus(self) -> int:
        return len(self.bus_names)

    @property
    def n_branch(self) -> int:
        return len(self.branch_names)

    def element_values(
        self,
        times: pd.DatetimeIndex,
        resolution_min: int,
        growth_load: np.ndarray | float = 1.0,
        growth_pv: np.ndarray | float = 1.0,
        growth_wind: np.ndarray | float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Load p, load q and sgen p (each T × n_element) at the model steps, growth applied per segment.

        Growth factors are scalars or arrays with one value per segment (``segment_names`` order); load
        growth scales p and q, pv/wind growth scale sgens of that kind, ``other`` sgens are not scaled.
        """
        n_seg = len(self.segment_names)
        g_load = self._per_segment(growth_load, n_seg, "growth_load")[self.load_segment]
        g_pv = self._per_segment(growth_pv, n_seg, "growth_pv")
        g_wind = self._per_segment(growth_wind, n_seg, "growth_wind")
        kind = np.asarray(self.sgen_kind)
        g_sgen = np.ones(len(kind))
        g_sgen[kind == "pv"] = g_pv[self.sgen_segment[kind == "pv"]]
        g_sgen[kind == "wind"] = g_wind[self.sgen_segment[kind == "wind"]]
        load_on = self.net.load["in_service"].to_numpy(bool)
        sgen_on = self.net.sgen["in_service"].to_numpy(bool)
        load_p = sample(self.load_p_mw, times, resolution_min) * (g_load * load_on)
        load_q = sample(self.load_q_mvar, times, resolution_min) * (g_load * load_on)
        sgen_p = sample(self.sgen_p_mw, times, resolution_min) * (g_sgen * sgen_on)
        return load_p, load_q, sgen_p

    def bus_injections_mw(
        self,
        times: pd.DatetimeIndex,
        resolution_min: int,
        growth_load: np.ndarray | float = 1.0,
        growth_pv: np.ndarray | float = 1.0,
        growth_wind: np.ndarray | float = 1.0,
    ) -> np.ndarray:
        """Fixed net injection per bus (sgen minus load), T × n_bus, MW."""
        load_p, _, sgen_p = self.element_values(times, resolution_min, growth_load, growth_pv, growth_wind)
        return self.injections_from_elements(load_p, sgen_p)

    def injections_from_elements(self, load_p_mw: np.ndarray, sgen_p_mw: np.ndarray) -> np.ndarray:
        """Bus injections (T × n_bus) from element values (T × n_load, T × n_sgen)."""
        inj = np.zeros((load_p_mw.shape[0], self.n_bus))
        inj -= _to_buses(load_p_mw, self.load_bus, self.n_bus)
        inj += _to_buses(sgen_p_mw, self.sgen_bus, self.n_bus)
        return inj

    def dc_flows_mw(self, inj_mw: np.ndarray) -> np.ndarray:
        """DC branch flows (T × n_branch) for bus injections (T × n_bus), offset term included."""
        return np.asarray(inj_mw @ self.ptdf.T + self.ptdf_offset_mw)

    def dc_loading_pct(self, inj_mw: np.ndarray) -> np.ndarray:
        """|DC flow| / limit in percent (T × n_branch)."""
        return np.abs(self.dc_flows_mw(inj_mw)) / self.branch_limit_mva * 100.0

    @staticmethod
    def _per_segment(value: np.ndarray | float, n_seg: int, what: str) -> np.ndarray:
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_seg,)) if np.ndim(value) == 0 else value
        arr = np.asarray(arr, dtype=np.float64)
        if arr.shape != (n_seg,):
            raise InputError(f"{what}: expected one factor per segment ({n_seg}), got shape {arr.shape}")
        return arr


def _to_buses(values: np.ndarray, bus: np.ndarray, n_bus: int) -> np.ndarray:
    """Sum element columns (T × n_element) onto their buses (T × n_bus)."""
    out = np.zeros((values.shape[0], n_bus))
    if values.shape[1]:
        np.add.at(out.T, bus, values.T)
    return out


def merge_segments(segments: list[Segment], ties: list[TieSpec] | None = None) -> ModelGrid:
    """Merge ``segments`` (names become ``segment/element``), add ``ties``, check the result and build PTDF and limits.

    Raises :class:`~energyhub.grid.checks.GridError` (an :class:`InputError`) for a grid energyhub cannot model:
    no external grid, zero ratings, impedances or lengths, loads or generators without supply.
    """
    if not segments:
        raise InputError("no grid segments given; a scenario needs at least one")
    names = [s.name for s in segments]
    bad = [n for n in names if not n or "/" in n or names.count(n) > 1]
    if bad:
        raise InputError(f"segment names must be unique, non-empty and without '/': {sorted(set(bad))}")
    net = concat_nets([s.net for s in segments], names)
    open_switched_branches(net)
    tie_names = [_add_tie(net, tie) for tie in ties or []]
    supplied, notes = check_merged(net)
    grid = build_model_grid(net, segments, tie_names)
    grid.bus_supplied = supplied
    grid.notes = [note for s in segments for note in s.notes] + notes
    return grid


def _add_tie(net: pandapowerNet, tie: TieSpec) -> str:
    """Create the tie line in ``net``; returns its (prefixed) name."""
    bus_of = {name: idx for idx, name in zip(net.bus.index, net.bus["name"], strict=True)}
    for end in (tie.from_bus, tie.to_bus):
        if end not in bus_of:
            raise InputError(f"tie {tie.name!r}: bus {end!r} not found; name buses as 'segment/bus name'")
    f, t = bus_of[tie.from_bus], bus_of[tie.to_bus]
    if net.bus.at[f, "segment"] == net.bus.at[t, "segment"]:
        raise InputError(f"tie {tie.name!r}: both buses are in segment {net.bus.at[f, 'segment']!r}")
    vn_kv = float(net.bus.at[f, "vn_kv"])
    if abs(vn_kv - float(net.bus.at[t, "vn_kv"])) > 1e-6:
        raise InputError(f"tie {tie.name!r}: buses have different voltages ({vn_kv} / {net.bus.at[t, 'vn_kv']} kV)")
    std_type = tie.std_type or DEFAULT_TIE_TYPES.get(vn_kv)
    if std_type is None or std_type not in net.std_types["line"]:
        raise InputError(f"tie {tie.name!r}: no line type {std_type!r} for {vn_kv} kV; set std_type")
    name = f"tie/{tie.name}"
    idx = pp.create_line(net, f, t, length_km=tie.length_km, std_type=std_type, name=name)
    if tie.max_i_ka is not None:
        net.line.at[idx, "max_i_ka"] = tie.max_i_ka
    net.line.at[idx, "segment"] = "tie"
    return name


def branch_limits_mva(net: pandapowerNet, kinds: list[str], elements: np.ndarray) -> np.ndarray:
    """Thermal limits: line sqrt(3)·vn_kv·max_i_ka·df·parallel (from bus voltage); trafo sn_mva·df·parallel."""
    out = np.empty(len(kinds))
    kind = np.asarray(kinds)
    lines = net.line.loc[elements[kind == "line"]]
    vn_kv = net.bus.loc[lines["from_bus"], "vn_kv"].to_numpy(float)
    out[kind == "line"] = (
        np.sqrt(3) * vn_kv * lines["max_i_ka"].to_numpy(float) * lines["df"].to_numpy(float)
        * lines["parallel"].to_numpy(float)
    )
    trafos = net.trafo.loc[elements[kind == "trafo"]]
    out[kind == "trafo"] = (
        trafos["sn_mva"].to_numpy(float) * trafos["df"].to_numpy(float) * trafos["parallel"].to_numpy(float)
    )
    return out


def build_model_grid(net: pandapowerNet, segments: list[Segment], tie_names: list[str]) -> ModelGrid:
    """PTDF, limits, names and stacked profiles of a merged net (bus/element order = table order)."""
    ptdf = compute_ptdf(net)
    bus_pos = {idx: i for i, idx in enumerate(net.bus.index)}
    seg_pos = {s.name: i for i, s in enumerate(segments)}
    kinds, elements = ptdf.branches.kind, ptdf.branches.element
    branch_names = [str(net[k].at[e, "name"]) for k, e in zip(kinds, elements, strict=True)]
    return ModelGrid(
        net=net,
        segment_names=[s.name for s in segments],
        bus_names=[str(n) for n in net.bus["name"]],
        bus_segment=np.array([seg_pos[s] for s in net.bus["segment"]], dtype=np.int64),
        branch_names=branch_names,
        branch_kind=list(kinds),
        branch_element=elements,
        branch_limit_mva=branch_limits_mva(net, kinds, elements),
        ptdf=ptdf.ptdf_mw_per_mw,
        ptdf_offset_mw=ptdf.offset_mw,
        load_p_mw=np.hstack([s.load_p_mw for s in segments]),
        load_q_mvar=np.hstack([s.load_q_mvar for s in segments]),
        sgen_p_mw=np.hstack([s.sgen_p_mw for s in segments]),
        sgen_kind=[k for s in segments for k in s.sgen_kind],
        load_bus=np.array([bus_pos[b] for b in net.load["bus"]], dtype=np.int64),
        sgen_bus=np.array([bus_pos[b] for b in net.sgen["bus"]], dtype=np.int64),
        load_segment=np.array([seg_pos[s] for s in net.load["segment"]], dtype=np.int64),
        sgen_segment=np.array([seg_pos[s] for s in net.sgen["segment"]], dtype=np.int64),
        tie_names=tie_names,
    )
