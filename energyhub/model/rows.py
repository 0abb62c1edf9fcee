"""Row families: the large per-step constraint families, declared as arrays over the model's Pyomo variables.

A :class:`RowFamily` is a Pyomo component on the model (``hm.m.bat_soc``, declared in order among the model's
constraints) holding the rows

    Σ_k coef_k[i] · var_k[pos_k[i]]   (==, ≤ or ≥)   rhs[i]          for every row i of the family

as numpy arrays (:class:`Term`): ``var_k`` a Pyomo variable of the model, ``pos_k[i]`` the position of row i's member
of it in the variable's index order (-1: the term is absent from row i), ``coef_k[i]`` its coefficient. A family
says exactly what the ``pyo.Constraint`` of the same rows says: :meth:`RowFamily.expr` writes row i as a Pyomo
expression, and a build with ``hm.info[PYOMO_ROWS]`` declares every family as that constraint instead
(``tests/model/test_standard_form.py`` compiles both and compares them). What a family saves is one expression
and one ConstraintData per row in the build, and the expression walk in the hand-over:
:mod:`energyhub.solve.standard_form` reads its arrays directly (``benchmarks/README.md``, "Build and hand-over,
fourth round of issue 11").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.component import Component
from pyomo.core.base.component_namer import index_repr

from energyhub.model.core import HubModel, linear

#: Pyomo's mixed-form row senses: ``==`` 0, ``≤ rhs`` 1, ``≥ rhs`` -1.
SENSES = {"==": 0, "<=": 1, ">=": -1}

#: One column of a family's index: a key part per row (a list, or an array of steps).
Column = Sequence[Any] | np.ndarray

#: ``hm.info`` key: when True, every row family is declared as the equivalent ``pyo.Constraint`` (for comparisons
#: with Pyomo's own compiler and writers).
PYOMO_ROWS = "pyomo_rows"


@dataclass(frozen=True)
class Term:
    """``coef[j] × var[member pos[j]]`` in row ``rows[j]`` of a family (every row, j = i, when ``rows`` is None);
    absent where ``pos`` is -1. ``rows`` is increasing."""

    var: Any
    pos: np.ndarray
    coef: np.ndarray
    rows: np.ndarray | None = None

    def at(self, i: int) -> int | None:
        """Index j of row i in this term's arrays, None where the term is absent from row i."""
        j = i
        if self.rows is not None:
            j = int(np.searchsorted(self.rows, i))
            if j >= len(self.rows) or self.rows[j] != i:
                return None
        return j if self.pos[j] >= 0 else None


def term(var: Any, pos: np.ndarray, coef: Any, rows: np.ndarray | None = None) -> Term:
    """A :class:`Term` with ``coef`` (a number or one per entry) broadcast to the entries of ``pos``."""
    pos = np.asarray(pos, dtype=np.int64)
    return Term(var, pos, np.broadcast_to(np.asarray(coef, dtype=float), pos.shape),
                None if rows is None else np.asarray(rows, dtype=np.int64))


def in_order(index_set: Any) -> list[Any]:
    """The members of a Pyomo set in the order Pyomo's compiler visits them (``ORDERED_INDICES``): an ordered set in
    its order, any other sorted."""
    return list(index_set) if index_set.isordered() else sorted(index_set)


def grid_pos(var: Any, first: Sequence[Any], steps: np.ndarray) -> np.ndarray:
    """Positions of ``var[first[i], steps[i]]`` in ``var``'s members (in the compiler's order) for a variable
    indexed by (keys × steps 0…n−1); -1 where ``steps[i]`` is negative (no such step).

    A product of sets is not an ordered set for Pyomo: its members are visited sorted, keys outer, which is the
    product of the sorted keys and the (sorted) steps."""
    index = var.index_set()
    keys_set, steps_set = index.subsets()
    n_steps = len(steps_set)
    if in_order(steps_set) != list(range(n_steps)):
        raise ValueError(f"variable '{var.name}' is not indexed by (keys × steps 0…n−1)")
    keys = list(keys_set) if index.isordered() else sorted(keys_set)
    where = {k: i for i, k in enumerate(keys)}
    steps = np.asarray(steps, dtype=np.int64)
    row = np.fromiter((where[k] for k in first), dtype=np.int64, count=len(first))
    return np.where(steps >= 0, row * n_steps + steps, -1)


def key_pos(var: Any, keys: Sequence[Any]) -> np.ndarray:
    """Positions of ``var[keys[i]]`` in ``var``'s members (in the compiler's order)."""
    where = {k: i for i, k in enumerate(in_order(var.index_set()))}
    return np.fromiter((where[k] for k in keys), dtype=np.int64, count=len(keys))


def product(first: Sequence[Any], n_steps: int) -> tuple[list[Any], np.ndarray]:
    """The rows (keys × steps 0…n−1) in the order of a ``pyo.Constraint`` indexed by the two sets: keys sorted,
    outer (see :func:`grid_pos`). Returns the key and the step of each row."""
    keys = sorted(first)
    return [k for k in keys for _ in range(n_steps)], np.tile(np.arange(n_steps, dtype=np.int64), len(keys))


def by_key(values: dict[Any, float], keys: Sequence[Any]) -> np.ndarray:
    """``values[keys[i]]`` for every row i."""
    return np.fromiter((values[k] for k in keys), dtype=float, count=len(keys))


def per_step(hm: HubModel, name: str, keys: Sequence[Any], terms: Sequence[tuple[Any, float | dict[Any, float]]],
             sense: str, rhs: float = 0.0) -> None:
    """The family ``name`` over (keys × steps): ``Σ coef[k] · var[k, t]  (sense)  rhs`` for every key k and step t,
    each variable indexed by (keys … × steps), each coefficient one number or one per key."""
    first, steps = product(keys, hm.time.n)
    declare(hm, name, (first, steps), [
        term(var, grid_pos(var, first, steps), by_key(coef, first) if isinstance(coef, dict) else coef)
        for var, coef in terms
    ], sense, rhs)


def storage_levels(hm: HubModel, name: str, level: Any, charge: Any, discharge: Any, keep: dict[Any, float],
                   gain: dict[Any, float], loss: dict[Any, float]) -> None:
    """The family ``name`` of a store's level over (stores × steps), the stores the keys of ``keep``:
    ``level[t] − keep·level[prev(t)] − gain·charge[t] + loss·discharge[t] = 0``, and ``= keep·initial`` in a step
    without a previous one (a window's first step: the initial level :meth:`HubModel.initial_state`); ``prev`` is
    :meth:`TimeGrid.storage_prev`."""
    names = list(keep)
    first, steps = product(names, hm.time.n)
    before = grid_pos(level, first, hm.time.storage_prev()[steps])
    keep_r, gain_r, loss_r = (by_key(d, first) for d in (keep, gain, loss))
    initial = by_key({k: hm.initial_state(level.local_name, k) for k in names}, first)
    declare(hm, name, (first, steps), [
        term(level, grid_pos(level, first, steps), 1.0), term(level, before, -keep_r),
        term(charge, grid_pos(charge, first, steps), -gain_r),
        term(discharge, grid_pos(discharge, first, steps), loss_r),
    ], "==", np.where(before < 0, keep_r * initial, 0.0))


class RowFamily(Component):
    """Rows ``Σ_k term_k (sense) rhs``, one per entry of ``index`` (a tuple of equally long columns: row i's key is
    ``(index[0][i], index[1][i], …)``); see the module."""

    def __init__(self, index: Sequence[Column], terms: Sequence[Term], sense: str,
                 rhs: Any = 0.0, **kwargs: Any) -> None:
        kwargs.setdefault("ctype", RowFamily)
        Component.__init__(self, **kwargs)
        self.index = [col.tolist() if isinstance(col, np.ndarray) else list(col) for col in index]
        self.n = len(self.index[0]) if self.index else 0
        if any(len(col) != self.n for col in self.index) or any(
                t.pos.shape != ((self.n,) if t.rows is None else t.rows.shape) for t in terms):
            raise ValueError("a row family's index columns and term positions must have one entry per row")
        self.terms = list(terms)
        self.sense = SENSES[sense]
        self.rhs = np.broadcast_to(np.asarray(rhs, dtype=float), (self.n,))
        self._members: dict[int, list[Any]] = {}
        self._at: dict[Any, int] | None = None

    def construct(self, data: Any = None) -> None:
        self._constructed = True

    def __len__(self) -> int:
        return self.n

    def key(self, i: int) -> Any:
        """Row i's index (a tuple, or the bare key of a one-column index)."""
        key = tuple(col[i] for col in self.index)
        return key[0] if len(key) == 1 else key

    def __getitem__(self, key: Any) -> Any:
        """The row of ``key`` as a (detached) Pyomo constraint: ``.body``, ``.upper``, ``.expr`` as for a
        ConstraintData of the equivalent ``pyo.Constraint``."""
        if self._at is None:
            self._at = {self.key(i): i for i in range(self.n)}
        con = pyo.Constraint(expr=self.expr(self._at[key]))
        con.construct()
        return con

    def row_name(self, i: int) -> str:
        """Row i's name as Pyomo writes a ConstraintData's: ``bat_soc[bat1,12]``."""
        return f"{self.name}{index_repr(self.key(i))}"

    def members(self, var: Any) -> list[Any]:
        """``var``'s VarData in index order (as Pyomo's compiler orders them)."""
        found = self._members.get(id(var))
        if found is None:
            found = self._members[id(var)] = list(var.values(pyo.SortComponents.ORDERED_INDICES))
        return found

    def expr(self, i: int) -> Any:
        """Row i as a Pyomo relational expression (the terms in their order, the right-hand side a number)."""
        coefs, variables = [], []
        for t in self.terms:
            j = t.at(i)
            if j is not None:
                coefs.append(float(t.coef[j]))
                variables.append(self.members(t.var)[int(t.pos[j])])
        body = linear(coefs, variables)
        rhs = float(self.rhs[i])
        return body == rhs if self.sense == 0 else (body <= rhs if self.sense == 1 else body >= rhs)

    def to_constraint(self) -> pyo.Constraint:
        """The same rows as a ``pyo.Constraint`` indexed by the family's keys."""
        keys = [self.key(i) for i in range(self.n)]
        at = {k: i for i, k in enumerate(keys)}
        return pyo.Constraint(keys, rule=lambda _m, *k: self.expr(at[k[0] if len(k) == 1 else k]))


def declare(hm: HubModel, name: str, index: Sequence[Column], terms: Sequence[Term], sense: str,
            rhs: Any = 0.0) -> None:
    """Declare the family ``name`` on ``hm.m`` (the equivalent ``pyo.Constraint`` when ``hm.info[PYOMO_ROWS]``)."""
    family = RowFamily(index, terms, sense, rhs)
    hm.m.add_component(name, family.to_constraint() if hm.info.get(PYOMO_ROWS) else family)
