"""What the model needs from the grid stage, as plain arrays: :class:`GridInputs`.

The model never sees pandapower. It sees, per branch ``b`` and time step ``t``, the DC flow caused by every fixed
load and generator (``base_flow_mw[t, b]``), the flow caused by one MW injected at each hub's bus
(``ptdf_hub[b, h]``) and the limit. For the ``transport`` flow model it sees the incidence matrix and the fixed
bus injections instead. :func:`grid_inputs` derives all of it from a :class:`energyhub.grid.network.ModelGrid`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from energyhub.errors import InputError

if TYPE_CHECKING:
    from energyhub.scenario.data import ScenarioData


@dataclass
class GridInputs:
    """Grid data at model resolution for the hubs of one scenario.

    Attributes:
        branch_names: ``'segment/branch name'`` per branch (length B).
        limit_mw: flow limit per branch: rating × loading_limit_pct/100 × (1 − dc_margin_pct/100), MW.
        base_flow_mw: DC flow per step and branch without any hub (T × B), MW, sign as in the PTDF.
        ptdf_hub: MW of flow on each branch per MW *injected* at each hub's bus (B × H), columns in the order
            of ``hub_names``.
        hub_names: hub names, in the order of the scenario's hubs.
        rating_mva: branch rating (B,), for loading in % of rating; default ``limit_mw / limit_factor``.
        limit_factor: loading_limit_pct/100 × (1 − dc_margin_pct/100); applies to reinforcements too.
        incidence: ``transport`` model only: bus × branch incidence (N × B, +1 at the from bus, −1 at the to
            bus).
        bus_injection_mw: ``transport`` model only: fixed injections per step and bus (T × N), MW.
        hub_bus: ``transport`` model only: bus index (into the incidence rows) of each hub (H,).
        slack_buses: ``transport`` model only: bus indices with an external grid (balance free there).
    """

    branch_names: list[str]
    limit_mw: np.ndarray
    base_flow_mw: np.ndarray
    ptdf_hub: np.ndarray
    hub_names: list[str]
    rating_mva: np.ndarray | None = None
    limit_factor: float = 1.0
    incidence: np.ndarray | None = None
    bus_injection_mw: np.ndarray | None = None
    hub_bus: np.ndarray | None = None
    slack_buses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.limit_mw = np.asarray(self.limit_mw, dtype=float).reshape(-1)
        n_branch = len(self.branch_names)
        base = np.asarray(self.base_flow_mw, dtype=float)
        self.base_flow_mw = base.reshape(base.shape[0] if base.ndim == 2 else -1, n_branch)
        self.ptdf_hub = np.asarray(self.ptdf_hub, dtype=float).reshape(n_branch, len(self.hub_names))
        if self.rating_mva is None:
            self.rating_mva = self.limit_mw / self.limit_factor
        if self.limit_mw.shape != (n_branch,):
            raise ValueError(f"limit_mw has shape {self.limit_mw.shape}, expected ({n_branch},)")

    @property
    def n_branches(self) -> int:
        return len(self.branch_names)

    def branch_index(self, name: str) -> int:
        try:
            return self.branch_names.index(name)
        except ValueError:
            raise InputError(f"branch '{name}' is not in the grid (known: {', '.join(self.branch_names[:10])}"
                             f"{', …' if self.n_branches > 10 else ''})") from None

    @classmethod
    def empty(cls, hub_names: list[str], n_steps: int) -> GridInputs:
        """No branches at all: for copper-plate tests and scenarios."""
        return cls([], np.zeros(0), np.zeros((n_steps, 0)), np.zeros((0, len(hub_names))), list(hub_names))

    def with_base_flow(self, base_flow_mw: np.ndarray, bus_injection_mw: np.ndarray | None = None) -> GridInputs:
        """A copy with other time series (for representative periods)."""
        return GridInputs(
            self.branch_names, self.limit_mw, base_flow_mw, self.ptdf_hub, self.hub_names, self.rating_mva,
            self.limit_factor, self.incidence, bus_injection_mw, self.hub_bus, list(self.slack_buses),
        )


def limit_factor(data: ScenarioData) -> float:
    """Share of a branch rating the model may use: loading limit × (1 − DC margin)."""
    grid = data.scenario.grid
    return grid.loading_limit_pct / 100.0 * (1.0 - grid.dc_margin_pct / 100.0)


def grid_inputs(data: ScenarioData, grid: Any, fixed_injection_mw: np.ndarray, hub_bus: np.ndarray) -> GridInputs:
    """Derive :class:`GridInputs` from a ``ModelGrid`` (energyhub.grid.network) for the scenario's hubs.

    ``fixed_injection_mw`` (T × N) are the grid's own loads and generators at model resolution, growth already
    applied per segment; ``hub_bus`` the bus position of each hub. Base flows include the PTDF's constant
    offset (external-grid angles, phase shifts) through ``grid.dc_flows_mw``.
    """
    factor = limit_factor(data)
    rating = np.asarray(grid.branch_limit_mva, dtype=float)
    ptdf = np.asarray(grid.ptdf, dtype=float)
    return GridInputs(
        branch_names=list(grid.branch_names),
        limit_mw=rating * factor,
        base_flow_mw=np.asarray(grid.dc_flows_mw(fixed_injection_mw), dtype=float),
        ptdf_hub=ptdf[:, hub_bus] if hub_bus.size else np.zeros((len(rating), 0)),
        hub_names=[h.name for h in data.scenario.hubs],
        rating_mva=rating,
        limit_factor=factor,
        incidence=branch_incidence(grid),
        bus_injection_mw=fixed_injection_mw,
        hub_bus=hub_bus,
        slack_buses=external_grid_buses(grid),
    )


def model_grid_inputs(data: ScenarioData, grid: Any, fixed_injection_mw: np.ndarray, hub_bus: np.ndarray,
                      own_mw: np.ndarray, ac_loading_pct: Callable[[], np.ndarray]) -> GridInputs:
    """The model's grid inputs: :func:`grid_inputs`, with ``grid.base_flow: ac`` (and the dc flow model) the base
    flows anchored on the AC power flow without hub assets (:func:`ac_anchored_base_flow`).

    ``own_mw`` (T × H) is the hubs' own net output (local generation − demand); ``ac_loading_pct()`` runs the AC
    power flow without hub assets and returns its branch loadings (T × B, %), called only when needed.
    """
    spec = data.scenario.grid
    inputs = grid_inputs(data, grid, fixed_injection_mw, hub_bus)
    if spec.flow_model != "dc" or spec.base_flow != "ac" or not inputs.n_branches:
        return inputs
    base = ac_anchored_base_flow(inputs, own_mw, ac_loading_pct())
    return inputs.with_base_flow(base, inputs.bus_injection_mw)


def ac_anchored_base_flow(inputs: GridInputs, own_mw: np.ndarray, ac_loading_pct: np.ndarray) -> np.ndarray:
    """Base flows (T × B) such that base + PTDF × the hubs' own net output equals the AC flow without hub assets.

    The AC flow is the AC loading in MVA (loading × rating), signed as the DC flow; the PTDF then only carries
    the *change* the hub assets make (a sensitivity around the AC operating point), so the model's "before"
    equals the AC check's "before". Steps where the AC flow did not converge keep the DC flow.
    """
    hub_part = own_mw @ inputs.ptdf_hub.T
    dc_before = inputs.base_flow_mw + hub_part
    rating_mva = np.asarray(inputs.rating_mva, dtype=float)
    ac_mva = ac_loading_pct / 100.0 * rating_mva[None, :]
    anchored = np.where(np.isfinite(ac_mva), np.copysign(np.nan_to_num(ac_mva), dc_before), dc_before)
    return np.asarray(anchored - hub_part)


def _bus_positions(grid: Any) -> dict[int, int]:
    return {int(idx): i for i, idx in enumerate(grid.net.bus.index)}


def branch_incidence(grid: Any) -> np.ndarray:
    """Bus × branch incidence (+1 at the from/hv bus, −1 at the to/lv bus) of a ``ModelGrid``."""
    pos = _bus_positions(grid)
    inc = np.zeros((len(grid.bus_names), len(grid.branch_names)))
    ends = {"line": ("from_bus", "to_bus"), "trafo": ("hv_bus", "lv_bus")}
    for b, (kind, element) in enumerate(zip(grid.branch_kind, grid.branch_element, strict=True)):
        start, end = ends[kind]
        inc[pos[int(grid.net[kind].at[element, start])], b] = 1.0
        inc[pos[int(grid.net[kind].at[element, end])], b] = -1.0
    return inc


def external_grid_buses(grid: Any) -> list[int]:
    """Bus positions with an in-service external grid (where the transport model's balance is free)."""
    pos = _bus_positions(grid)
    ext = grid.net.ext_grid
    return sorted({pos[int(b)] for b in ext.loc[ext["in_service"].astype(bool), "bus"]})
