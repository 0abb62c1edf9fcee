"""Power transfer distribution factors (DC) for every in-service line and transformer of a pandapower net.

Built from pandapower's own DC model (``makeBdc`` on the internal ppc after ``rundcpp``), so that
``flow_mw = ptdf @ p_inj_mw + offset_mw`` reproduces ``pandapower.rundcpp``'s ``p_from_mw`` / ``p_hv_mw``:

- every reference bus (each external grid, each slack gen) keeps its fixed voltage angle: an injection at a
  reference bus flows nowhere (its column is zero) and the angles enter the constant ``offset_mw``;
- transformer phase shifts (``Pbusinj``/``Pfinj``), real shunts and every static injection that is not a
  load or sgen (gens, wards, storage) are in ``offset_mw`` as well;
- closed bus-bus switches fuse buses (equal columns); out-of-service branches and buses are not in the model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandapower as pp
import scipy.sparse as sp
from pandapower.auxiliary import pandapowerNet
from scipy.sparse.linalg import splu

__all__ = ["BranchMap", "PtdfResult", "bus_ppci_positions", "compute_ptdf", "in_service_branches"]


@dataclass(frozen=True)
class BranchMap:
    """In-service branches: lines first, then transformers, with their rows in pandapower's internal ppc."""

    kind: list[str]  # 'line' | 'trafo'
    element: np.ndarray  # pandapower index in net.line / net.trafo
    ppci_row: np.ndarray  # row in the internal (ppci) branch matrix


@dataclass(frozen=True)
class PtdfResult:
    """``ptdf_mw_per_mw`` (n_branch × n_bus, buses in ``net.bus`` order) and ``offset_mw`` (n_branch)."""

    ptdf_mw_per_mw: np.ndarray
    offset_mw: np.ndarray
    branches: BranchMap


def in_service_branches(net: pandapowerNet) -> BranchMap:
    """The in-service lines and transformers of ``net`` after a power flow (``net._ppc`` must exist)."""
    lookup = net._pd2ppc_lookups["branch"]
    branch_is = np.asarray(net._ppc["internal"]["branch_is"], dtype=bool)
    ppci_row_of_ppc = np.cumsum(branch_is) - 1
    kinds: list[str] = []
    elements: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for kind in ("line", "trafo"):
        if kind not in lookup:
            continue
        start, stop = lookup[kind]
        ppc_rows = np.arange(start, stop)
        keep = branch_is[ppc_rows]
        elements.append(net[kind].index.to_numpy()[keep])
        rows.append(ppci_row_of_ppc[ppc_rows[keep]])
        kinds.extend([kind] * int(keep.sum()))
    empty = np.zeros(0, dtype=np.int64)
    return BranchMap(
        kind=kinds,
        element=np.concatenate(elements) if elements else empty,
        ppci_row=np.concatenate(rows) if rows else empty,
    )


def bus_ppci_positions(net: pandapowerNet) -> np.ndarray:
    """Internal (ppci) bus of each ``net.bus`` row after a power flow; -1 where the bus is not in the model."""
    lookup = np.asarray(net._pd2ppc_lookups["bus"])
    n_ppci = net._ppc["internal"]["bus"].shape[0]
    pos = lookup[net.bus.index.to_numpy()].astype(np.int64)
    valid = (pos >= 0) & (pos < n_ppci) & net.bus["in_service"].to_numpy(dtype=bool)
    return np.where(valid, pos, -1)


def static_injections_mw(net: pandapowerNet) -> np.ndarray:
    """Net injection of the in-service loads and sgens at each ``net.bus`` row (sgen minus load), MW."""
    position = {bus: i for i, bus in enumerate(net.bus.index)}
    inj = np.zeros(len(net.bus))
    for table, sign in (("sgen", 1.0), ("load", -1.0)):
        df = net[table]
        if len(df) == 0:
            continue
        p_mw = df["p_mw"].to_numpy(float) * df["scaling"].to_numpy(float) * df["in_service"].to_numpy(float)
        np.add.at(inj, [position[b] for b in df["bus"]], sign * p_mw)
    return inj


def _ppci_ptdf(ppci: dict) -> np.ndarray:
    """PTDF in the internal indexing (n_ppci_branch × n_ppci_bus); reference-bus columns are zero."""
    bbus = sp.csc_matrix(ppci["Bbus"])
    bf = sp.csr_matrix(ppci["Bf"])
    n_bus = bbus.shape[0]
    ref = np.asarray(ppci["ref"], dtype=np.int64)
    free = np.setdiff1d(np.arange(n_bus), ref)
    ptdf = np.zeros((bf.shape[0], n_bus))
    if len(free) == 0:
        return ptdf
    lu = splu(bbus[free][:, free].tocsc())
    rhs = bf[:, free].T.toarray()
    ptdf[:, free] = lu.solve(rhs, trans="T").T
    return ptdf


def run_dc(net: pandapowerNet) -> None:
    """``pandapower.rundcpp`` without numba and with its chatter silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp.rundcpp(net, numba=False, check_connectivity=True)


def compute_ptdf(net: pandapowerNet) -> PtdfResult:
    """PTDF and offset of all in-service lines and transformers of ``net`` (runs one ``rundcpp``).

    ``ptdf_mw_per_mw[k, j]`` is the MW change of branch ``k``'s from-side (line) / hv-side (trafo) active
    flow per MW injected at bus row ``j`` of ``net.bus`` (and taken out at the external grids). ``offset_mw``
    is the flow with every load and sgen at zero.
    """
    run_dc(net)
    ppci = net._ppc["internal"]
    branches = in_service_branches(net)
    bus_pos = bus_ppci_positions(net)
    ptdf_ppci = _ppci_ptdf(ppci)[branches.ppci_row]
    ptdf = np.zeros((len(branches.kind), len(net.bus)))
    valid = bus_pos >= 0
    ptdf[:, valid] = ptdf_ppci[:, bus_pos[valid]]
    flows_mw = dc_branch_flows_mw(net, branches)
    offset_mw = flows_mw - ptdf @ static_injections_mw(net)
    return PtdfResult(ptdf_mw_per_mw=ptdf, offset_mw=offset_mw, branches=branches)


def dc_branch_flows_mw(net: pandapowerNet, branches: BranchMap) -> np.ndarray:
    """``p_from_mw`` / ``p_hv_mw`` of the listed branches from the last power-flow result."""
    out = np.empty(len(branches.kind))
    kinds = np.asarray(branches.kind)
    for kind, column in (("line", "p_from_mw"), ("trafo", "p_hv_mw")):
        mask = kinds == kind
        if mask.any():
            out[mask] = net[f"res_{kind}"].loc[branches.element[mask], column].to_numpy(float)
    return out
