"""Fast AC power flow over many time steps on pandapower's own admittance model.

One ``pandapower.runpp`` of the static grid provides the internal model (Ybus, Yf, Yt, bus types, voltage
set-points, every injection that is not a load or sgen). Each time step then only changes the bus power
injections, and all steps are solved together:

1. steps are sorted by their total active injection and cut into groups of ``group_size`` similar steps;
   each group runs Newton iterations that share one Jacobian per iteration (taken at the group's mean
   voltage; sparse LU), the mismatches of the whole group being evaluated with
   one sparse matrix product. Close to Newton's quadratic convergence, at a fraction of the factorisations;
2. steps not converged after 8 such iterations restart from the static solution with a Newton of their own
   (up to 20 iterations);
3. steps still not converged are flagged in ``AcResult.converged`` and their results set to NaN: never filled.

Every external grid is a slack with its own voltage magnitude and angle, as in pandapower. Loads are
constant power (``const_z``/``const_i`` shares must be zero), sgen reactive power is held at its static
``q_mvar``. Loading follows pandapower: line ``max(i_from, i_to) / (max_i_ka·df·parallel)``, transformer
``max(i_hv·vn_hv_kv, i_lv·vn_lv_kv)·√3 / (sn_mva·df·parallel)`` (``trafo_loading="current"``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandapower as pp
import scipy.sparse as sp
from pandapower.pypower.idx_bus import BASE_KV
from scipy.sparse.linalg import splu

from energyhub.errors import InputError
from energyhub.grid.network import ModelGrid
from energyhub.grid.ptdf import bus_ppci_positions, in_service_branches

__all__ = ["AcResult", "AcSolver", "run_ac"]

CHUNK_STEPS = 2048


@dataclass
class AcResult:
    """AC results per step: NaN where a step did not converge (see ``converged``)."""

    loading_pct: np.ndarray  # (T, n_branch)
    vm_pu: np.ndarray  # (T, n_bus)
    converged: np.ndarray  # (T,) bool
    iterations: np.ndarray  # (T,) chord + Newton iterations used


class AcSolver:
    """Internal AC model of a :class:`ModelGrid`, built once, solved for any number of steps."""

    def __init__(self, grid: ModelGrid, tolerance_pu: float = 1e-8) -> None:
        self.grid = grid
        self.tolerance_pu = tolerance_pu
        net = grid.net
        _check_constant_power(net)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp.runpp(net, numba=False, init="dc", calculate_voltage_angles=True)
        ppci = net._ppc["internal"]
        self.base_mva = float(ppci["baseMVA"])
        self.ybus = sp.csr_matrix(ppci["Ybus"])
        self.yf = sp.csr_matrix(ppci["Yf"])
        self.yt = sp.csr_matrix(ppci["Yt"])
        self.v0 = np.asarray(ppci["V"], dtype=np.complex128)
        self.ref = np.asarray(ppci["ref"], dtype=np.int64)
        self.pv = np.asarray(ppci["pv"], dtype=np.int64)
        self.pq = np.asarray(ppci["pq"], dtype=np.int64)
        self.pvpq = np.r_[self.pv, self.pq]
        self.bus_pos = bus_ppci_positions(net)
        self._build_injection_maps(ppci)
        self._build_branch_maps(ppci)
        self._build_jacobian_pattern()

    # -- set-up ---------------------------------------------------------------------------------------------
    def _incidence(self, bus_rows: np.ndarray) -> sp.csr_matrix:
        """n_ppci × n_element matrix putting each element on its internal bus (dropped if bus is out)."""
        n = self.ybus.shape[0]
        ppci_bus = self.bus_pos[bus_rows]
        keep = ppci_bus >= 0
        cols = np.arange(len(bus_rows))[keep]
        return sp.csr_matrix((np.ones(int(keep.sum())), (ppci_bus[keep], cols)), shape=(n, len(bus_rows)))

    def _build_injection_maps(self, ppci: dict) -> None:
        net, grid = self.grid.net, self.grid
        self.c_load = self._incidence(grid.load_bus)
        self.c_sgen = self._incidence(grid.sgen_bus)
        self.c_bus = self._incidence(np.arange(grid.n_bus))
        load_on = net.load["in_service"].to_numpy(float)
        sgen_on = net.sgen["in_service"].to_numpy(float)
        load_s = (net.load["p_mw"].to_numpy(float) + 1j * net.load["q_mvar"].to_numpy(float)) * load_on
        self.sgen_q_mvar = net.sgen["q_mvar"].to_numpy(float) * sgen_on
        sgen_s = net.sgen["p_mw"].to_numpy(float) * sgen_on + 1j * self.sgen_q_mvar
        static = (self.c_sgen @ sgen_s - self.c_load @ load_s) / self.base_mva
        self.s_other = np.asarray(ppci["Sbus"], dtype=np.complex128) - static

    def _build_branch_maps(self, ppci: dict) -> None:
        net = self.grid.net
        branches = in_service_branches(net)
        if list(branches.element) != list(self.grid.branch_element) or branches.kind != self.grid.branch_kind:
            raise InputError("the grid's branches changed since the ModelGrid was built; rebuild it")
        rows = branches.ppci_row
        self.yf_b = self.yf[rows]
        self.yt_b = self.yt[rows]
        branch = ppci["branch"]
        self.f_bus = branch[rows, 0].real.astype(np.int64)
        self.t_bus = branch[rows, 1].real.astype(np.int64)
        base_kv = ppci["bus"][:, BASE_KV]
        kind = np.asarray(branches.kind)
        coef_f = np.empty(len(rows))
        coef_t = np.empty(len(rows))
        is_line = kind == "line"
        lines = net.line.loc[branches.element[is_line]]
        i_max_ka = (lines["max_i_ka"] * lines["df"] * lines["parallel"]).to_numpy(float)
        coef_f[is_line] = 100.0 / (np.sqrt(3) * base_kv[self.f_bus[is_line]] * i_max_ka)
        coef_t[is_line] = 100.0 / (np.sqrt(3) * base_kv[self.t_bus[is_line]] * i_max_ka)
        trafos = net.trafo.loc[branches.element[~is_line]]
        s_max = (trafos["sn_mva"] * trafos["df"] * trafos["parallel"]).to_numpy(float)
        coef_f[~is_line] = 100.0 * trafos["vn_hv_kv"].to_numpy(float) / (base_kv[self.f_bus[~is_line]] * s_max)
        coef_t[~is_line] = 100.0 * trafos["vn_lv_kv"].to_numpy(float) / (base_kv[self.t_bus[~is_line]] * s_max)
        self.coef_f = coef_f
        self.coef_t = coef_t

    def _build_jacobian_pattern(self) -> None:
        """Index arrays that turn dS/dVa and dS/dVm on Ybus's pattern into the Jacobian's CSC data."""
        n = self.ybus.shape[0]
        coo = self.ybus.tocoo()
        # Ybus entries plus one extra (zero-admittance) entry per diagonal for the diagonal terms.
        self.jac_row = np.r_[coo.row, np.arange(n)].astype(np.int64)
        self.jac_col = np.r_[coo.col, np.arange(n)].astype(np.int64)
        self.jac_y = np.r_[coo.data, np.zeros(n)]
        self.jac_diag = np.r_[np.zeros(coo.nnz, dtype=bool), np.ones(n, dtype=bool)]
        n_pvpq = len(self.pvpq)
        pos_pvpq = np.full(n, -1)
        pos_pvpq[self.pvpq] = np.arange(n_pvpq)
        pos_pq = np.full(n, -1)
        pos_pq[self.pq] = np.arange(len(self.pq))
        r, c = self.jac_row, self.jac_col
        blocks = [  # (row map, row offset, col map, col offset, quantity: 0 Re dS/dVa 1 Re dS/dVm 2 Im dVa 3 Im dVm)
            (pos_pvpq, 0, pos_pvpq, 0, 0),
            (pos_pvpq, 0, pos_pq, n_pvpq, 1),
            (pos_pq, n_pvpq, pos_pvpq, 0, 2),
            (pos_pq, n_pvpq, pos_pq, n_pvpq, 3),
        ]
        src, qty, jr, jc = [], [], [], []
        for row_map, row_off, col_map, col_off, quantity in blocks:
            mask = (row_map[r] >= 0) & (col_map[c] >= 0)
            src.append(np.flatnonzero(mask))
            qty.append(np.full(int(mask.sum()), quantity))
            jr.append(row_map[r[mask]] + row_off)
            jc.append(col_map[c[mask]] + col_off)
        self.jac_src, self.jac_qty = np.concatenate(src), np.concatenate(qty)
        size = n_pvpq + len(self.pq)
        keys, self.jac_slot = np.unique(np.concatenate(jc) * size + np.concatenate(jr), return_inverse=True)
        self.jac_indices = (keys % size).astype(np.int32)
        self.jac_indptr = np.r_[0, np.cumsum(np.bincount(keys // size, minlength=size))].astype(np.int32)
        self.jac_size = size

    def _jacobian(self, v: np.ndarray) -> sp.csc_matrix:
        """Sparse Newton Jacobian of [P(pvpq); Q(pq)] with respect to [Va(pvpq); Vm(pq)] at ``v``."""
        r, c = self.jac_row, self.jac_col
        ibus = self.ybus @ v
        v_norm = v / np.abs(v)
        ds_dvm = v[r] * np.conj(self.jac_y * v_norm[c])
        ds_dva = -1j * v[r] * np.conj(self.jac_y * v[c])
        diag = self.jac_diag
        ds_dvm[diag] += np.conj(ibus[r[diag]]) * v_norm[r[diag]]
        ds_dva[diag] += 1j * v[r[diag]] * np.conj(ibus[r[diag]])
        values = np.stack([ds_dva.real, ds_dvm.real, ds_dva.imag, ds_dvm.imag])[self.jac_qty, self.jac_src]
        data = np.bincount(self.jac_slot, weights=values, minlength=len(self.jac_indices))
        return sp.csc_matrix((data, self.jac_indices, self.jac_indptr), shape=(self.jac_size, self.jac_size))

    # -- solving --------------------------------------------------------------------------------------------
    def bus_power_pu(
        self, load_p_mw: np.ndarray, load_q_mvar: np.ndarray, sgen_p_mw: np.ndarray, extra_p_mw: np.ndarray | None
    ) -> np.ndarray:
        """Complex internal bus injections (n_ppci × T) in per unit."""
        s_mva = self.c_sgen @ (sgen_p_mw + 1j * self.sgen_q_mvar).T - self.c_load @ (load_p_mw + 1j * load_q_mvar).T
        if extra_p_mw is not None:
            s_mva = s_mva + self.c_bus @ extra_p_mw.T
        return np.asarray(self.s_other[:, None] + s_mva / self.base_mva)

    def _mismatch(self, v: np.ndarray, s_pu: np.ndarray) -> np.ndarray:
        mis = v * np.conj(self.ybus @ v) - s_pu
        return np.vstack([mis.real[self.pvpq], mis.imag[self.pq]])

    def _update(self, v: np.ndarray, dx: np.ndarray) -> np.ndarray:
        va, vm = np.angle(v), np.abs(v)
        n_pvpq = len(self.pvpq)
        va[self.pvpq] -= dx[:n_pvpq]
        vm[self.pq] -= dx[n_pvpq:]
        return np.asarray(vm * np.exp(1j * va))

    def _group_newton(
        self, v: np.ndarray, s_pu: np.ndarray, columns: np.ndarray, max_iter: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Newton iterations for a group of similar steps sharing one Jacobian per iteration (taken at the
        group's mean voltage). Updates ``v`` in place; returns converged flags and iterations per column."""
        done = np.zeros(len(columns), dtype=bool)
        used = np.zeros(len(columns), dtype=np.int64)
        active = np.arange(len(columns))
        for _ in range(max_iter + 1):
            cols = columns[active]
            f = self._mismatch(v[:, cols], s_pu[:, cols])
            norm = np.abs(f).max(axis=0) if f.shape[0] else np.zeros(len(active))
            ok = norm < self.tolerance_pu
            done[active[ok]] = True
            alive = ~ok & np.isfinite(norm) & (norm < 1e6)
            active, cols, f = active[alive], cols[alive], f[:, alive]
            if len(active) == 0 or used[active].max(initial=0) >= max_iter:
                break
            lu = splu(self._jacobian(v[:, cols].mean(axis=1)))
            v[:, cols] = self._update(v[:, cols], lu.solve(np.asfortranarray(f)))
            used[active] += 1
        return done, used

    def _solve_chunk(self, s_pu: np.ndarray, group_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Solve all columns of ``s_pu``: groups of similar steps first, single-step Newton for the rest."""
        n_steps = s_pu.shape[1]
        v = np.empty((len(self.v0), n_steps), dtype=np.complex128)
        done = np.zeros(n_steps, dtype=bool)
        used = np.zeros(n_steps, dtype=np.int64)
        order = np.argsort(s_pu.real.sum(axis=0), kind="stable")
        start_v = self.v0
        for start in range(0, n_steps, group_size):
            cols = order[start : start + group_size]
            v[:, cols] = start_v[:, None]  # warm start: the previous (similar) group's mean solution
            done[cols], used[cols] = self._group_newton(v, s_pu, cols, max_iter=8)
            if done[cols].any():
                start_v = v[:, cols[done[cols]]].mean(axis=1)
        for col in np.flatnonzero(~done):
            v[:, col] = self.v0
            ok, extra = self._group_newton(v, s_pu, np.array([col]), max_iter=20)
            done[col], used[col] = ok[0], used[col] + extra[0]
        return v, done, used

    def _branch_loading_pct(self, v: np.ndarray) -> np.ndarray:
        """pandapower's loading_percent of every branch (n_branch × T) from internal voltages."""
        vf, vt = v[self.f_bus], v[self.t_bus]
        s_f = np.abs(vf * np.conj(self.yf_b @ v)) * self.base_mva
        s_t = np.abs(vt * np.conj(self.yt_b @ v)) * self.base_mva
        return np.maximum(s_f / np.abs(vf) * self.coef_f[:, None], s_t / np.abs(vt) * self.coef_t[:, None])

    def solve(
        self,
        load_p_mw: np.ndarray,
        load_q_mvar: np.ndarray,
        sgen_p_mw: np.ndarray,
        extra_p_mw: np.ndarray | None = None,
        group_size: int = 48,
    ) -> AcResult:
        """AC power flow for every step (rows) of the element values; ``extra_p_mw`` (T × n_bus) is an extra
        active injection per bus (positive: into the grid), e.g. the hub assets' net output."""
        n_steps = load_p_mw.shape[0]
        loading = np.full((n_steps, self.grid.n_branch), np.nan)
        vm = np.full((n_steps, self.grid.n_bus), np.nan)
        converged = np.zeros(n_steps, dtype=bool)
        iterations = np.zeros(n_steps, dtype=np.int64)
        for start in range(0, n_steps, CHUNK_STEPS):
            part = slice(start, min(start + CHUNK_STEPS, n_steps))
            extra = None if extra_p_mw is None else extra_p_mw[part]
            s_pu = self.bus_power_pu(load_p_mw[part], load_q_mvar[part], sgen_p_mw[part], extra)
            v, done, used = self._solve_chunk(s_pu, group_size)
            converged[part], iterations[part] = done, used
            loading[part] = np.where(done, self._branch_loading_pct(v), np.nan).T
            vm_part = np.where(self.bus_pos[:, None] >= 0, np.abs(v[np.maximum(self.bus_pos, 0)]), np.nan)
            vm[part] = np.where(done, vm_part, np.nan).T
        return AcResult(loading_pct=loading, vm_pu=vm, converged=converged, iterations=iterations)


def _check_constant_power(net: pp.pandapowerNet) -> None:
    for col in ("const_z_p_percent", "const_i_p_percent", "const_z_q_percent", "const_i_q_percent"):
        if col in net.load and (net.load[col].fillna(0) != 0).any():
            raise InputError(f"load column {col}: voltage-dependent loads are not supported; set it to 0")


def run_ac(
    grid: ModelGrid,
    load_p_mw: np.ndarray,
    load_q_mvar: np.ndarray,
    sgen_p_mw: np.ndarray,
    extra_p_mw: np.ndarray | None = None,
) -> AcResult:
    """AC power flow of ``grid`` for each step (rows of the T × n_element inputs); see :class:`AcSolver`."""
    return AcSolver(grid).solve(load_p_mw, load_q_mvar, sgen_p_mw, extra_p_mw)
