"""A fast reader of a linear Pyomo model into standard form: ``c, A, rhs`` with the column and row lists.

It gives what Pyomo's ``LinearStandardFormCompiler(mixed_form=True)`` gives (same columns in the same order, same
rows and senses, the same matrix), for the expressions energyhub's components write: sums of constants, variables
and ``constant × variable`` terms, with fixed variables moved to the right-hand side. Pyomo's generic expression
walker costs about 7 µs per row on energyhub's models; the walk here reads those node types directly (about twice
as fast, ``benchmarks/README.md``) and hands every other node type to Pyomo's own ``generate_standard_repn``, so
that any linear expression still compiles. ``tests/model/test_standard_form.py`` checks it against Pyomo's
compiler on every component's model and the test scenarios.

Row families (:class:`energyhub.model.rows.RowFamily`, Pyomo components holding many rows as arrays over the
model's variables) are read at once, in their place among the constraints, with the same column order, fixed
variables moved to the right-hand side and rows without a free variable checked and dropped, as if their rows were
ConstraintData.

Row senses follow Pyomo's mixed form: 0 for ``==``, 1 for ``≤ rhs``, -1 for ``≥ rhs``; a ranged row gives two rows
(``≤`` first). Rows without variables are dropped when they hold and raise Pyomo's
``InfeasibleConstraintException`` (naming the constraint) when they do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.core.base.enums import SortComponents
from pyomo.core.base.expression import ExpressionData, ScalarExpression
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numeric_expr import (
    DivisionExpression,
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.numvalue import native_numeric_types, value
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.repn.standard_repn import generate_standard_repn

from energyhub.model.rows import RowFamily

#: Pyomo's compiler's default order (``FileDeterminism.ORDERED``): ordered sets in order, others sorted.
SORTER = SortComponents.ORDERED_INDICES


@dataclass
class StandardForm:
    """``min c·x + offset`` s.t. rows of ``A x (sense) rhs``; ``columns`` are VarData, ``rows`` (ConstraintData,
    sense)."""

    columns: list[Any]
    rows: RowList
    a: sp.csc_matrix
    rhs: np.ndarray
    c: np.ndarray
    offset: float


class _Collector:
    """The linear terms of one expression at a time: columns by first appearance across the whole model."""

    def __init__(self) -> None:
        self.col_of: dict[int, int] = {}
        self.columns: list[Any] = []
        self.cols: list[int] = []
        self.coefs: list[float] = []
        self.dispatch: dict[type, Callable[[Any, float], float]] = {
            LinearExpression: self._sum,
            SumExpression: self._sum,
            MonomialTermExpression: self._monomial,
            NegationExpression: lambda e, mult: self.walk(e.args[0], -mult),
            ProductExpression: self._product,
            DivisionExpression: self._division,
            ExpressionData: lambda e, mult: self.walk(e.expr, mult),
            ScalarExpression: lambda e, mult: self.walk(e.expr, mult),
        }
        self._members: dict[int, list[Any]] = {}
        self._fixed: dict[int, np.ndarray] = {}
        self._member_columns: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def var(self, v: Any, coef: float) -> float:
        """Record ``coef × v``; a fixed variable is a constant."""
        if v.fixed:
            return coef * v.value
        col = self.col_of.get(id(v))
        if col is None:
            col = self._add_component(v)
        self.cols.append(col)
        self.coefs.append(coef)
        return 0.0

    def _add_component(self, v: Any) -> int:
        """Give every free variable of ``v``'s component a column (as Pyomo's compiler does: the column order then
        follows each component's index order, whatever order the rows name them in); the unused ones are dropped
        at the end. Returns ``v``'s column."""
        parent = v.parent_component()
        members = self.members(parent) if parent is not v else [v]
        col_of = self.col_of
        new = [m for m, fixed in zip(members, self.fixed_mask(parent, members), strict=True)
               if not fixed and id(m) not in col_of]
        col_of.update(zip(map(id, new), range(len(self.columns), len(self.columns) + len(new)), strict=True))
        self.columns.extend(new)
        return col_of[id(v)]

    def register(self, v: Any) -> None:
        """Give ``v``'s component its columns now, if it has none yet (``v`` not fixed)."""
        if id(v) not in self.col_of:
            self._add_component(v)

    def members(self, var: Any) -> list[Any]:
        """``var``'s VarData in the compiler's order, read once per compile."""
        found = self._members.get(id(var))
        if found is None:
            found = self._members[id(var)] = list(var.values(SORTER))
        return found

    def fixed_mask(self, var: Any, members: list[Any]) -> np.ndarray:
        """Which members of ``var`` are fixed (constants, no column)."""
        found = self._fixed.get(id(var))
        if found is None:
            found = self._fixed[id(var)] = np.fromiter((m.fixed for m in members), dtype=bool, count=len(members))
        return found

    def member_columns(self, var: Any, members: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Column of each member of ``var`` (-1: fixed, or its component not registered yet) and each member's
        value where fixed (else 0); kept once the component has its columns."""
        found = self._member_columns.get(id(var))
        if found is None:
            col_of = self.col_of
            cols = np.fromiter((col_of.get(id(m), -1) for m in members), dtype=np.int64, count=len(members))
            values = np.fromiter(((m.value or 0.0) if m.fixed else 0.0 for m in members), dtype=float,
                                 count=len(members))
            found = (cols, values)
            if not ((cols < 0) & ~self.fixed_mask(var, members)).any():
                self._member_columns[id(var)] = found
        return found

    def walk(self, expr: Any, mult: float) -> float:
        """Record the terms of ``mult × expr``; return its constant."""
        cls = expr.__class__
        if cls in native_numeric_types:
            return mult * expr
        if cls is VarData or cls is ScalarVar:
            return self.var(expr, mult)
        handler = self.dispatch.get(cls)
        if handler is not None:
            return handler(expr, mult)
        if not expr.is_potentially_variable():
            return mult * value(expr)
        return self._generic(expr, mult)

    def _sum(self, expr: Any, mult: float) -> float:
        """A sum: the hot loop (``var`` inlined; most rows are sums of ``coef × var`` terms)."""
        const = 0.0
        col_of, cols, coefs = self.col_of, self.cols, self.coefs
        for arg in expr.args:
            cls = arg.__class__
            if cls is MonomialTermExpression:
                coef, v = arg.args
                if coef.__class__ not in native_numeric_types:
                    coef = value(coef)
                coef *= mult
            elif cls is VarData:
                coef, v = mult, arg
            else:
                const += self.walk(arg, mult)
                continue
            if v.__class__ is not VarData:
                const += self.walk(v, coef)
            elif v.fixed:
                const += coef * v.value
            else:
                col = col_of.get(id(v))
                cols.append(self._add_component(v) if col is None else col)
                coefs.append(coef)
        return const

    def _monomial(self, expr: Any, mult: float) -> float:
        coef, v = expr.args
        if coef.__class__ not in native_numeric_types:
            coef = value(coef)
        return self.walk(v, mult * coef)

    def _product(self, expr: Any, mult: float) -> float:
        a, b = expr.args
        if _constant(a):
            return self.walk(b, mult * value(a))
        if _constant(b):
            return self.walk(a, mult * value(b))
        return self._generic(expr, mult)

    def _division(self, expr: Any, mult: float) -> float:
        a, b = expr.args
        if _constant(b):
            return self.walk(a, mult / value(b))
        return self._generic(expr, mult)

    def _generic(self, expr: Any, mult: float) -> float:
        """Any other node: Pyomo's own linear representation (an error if it is not linear)."""
        repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
        if not repn.is_linear():
            raise ValueError(f"expression is not linear: {expr}")
        for coef, v in zip(repn.linear_coefs, repn.linear_vars, strict=True):
            self.var(v, mult * coef)
        return mult * float(repn.constant)

    def take(self) -> tuple[list[int], list[float]]:
        """The terms recorded since the last call."""
        cols, coefs = self.cols, self.coefs
        self.cols, self.coefs = [], []
        return cols, coefs


def _constant(expr: Any) -> bool:
    return expr.__class__ in native_numeric_types or not expr.is_potentially_variable()


def _sides(con: Any) -> tuple[float | None, Any, Any, float | None]:
    """``(lower, left, right, upper)`` with ``lower ≤ left − right ≤ upper`` (bounds: numbers or None; ``right``
    None when there is none), split as Pyomo's ``to_bounded_expression`` splits it: a constant side is a bound."""
    expr = con.expr
    cls = expr.__class__
    if cls is RangedExpression:
        lb, body, ub = expr.args
        return value(lb), body, None, value(ub)
    if cls is InequalityExpression and expr.strict:
        raise ValueError(f"constraint '{con.name}' is a strict inequality")
    if cls is not EqualityExpression and cls is not InequalityExpression:
        raise ValueError(f"constraint '{con.name}' is not a relational expression: {expr}")
    equality = cls is EqualityExpression
    lhs, rhs = expr.args
    if _constant(rhs):
        bound = value(rhs)
        return (bound if equality else None), lhs, None, bound
    if _constant(lhs):
        bound = value(lhs)
        return bound, rhs, None, (bound if equality else None)
    return (0.0 if equality else None), lhs, rhs, 0.0


def _senses(lower: float | None, upper: float | None) -> list[tuple[int, float]]:
    """The rows of ``lower ≤ body ≤ upper`` in Pyomo's mixed form: one ``==`` row (sense 0), or a ``≤`` row (1)
    and/or a ``≥`` row (-1), ``≤`` first; none when both bounds are None."""
    if lower is not None and lower == upper:
        return [(0, lower)]
    return ([(1, upper)] if upper is not None else []) + ([(-1, lower)] if lower is not None else [])


class RowList(Sequence[tuple[Any, int]]):
    """The rows of a standard form as ``(row, sense)``: a ConstraintData, or a :class:`FamilyRow` of a row family;
    ``senses`` holds every row's sense as an array."""

    def __init__(self) -> None:
        self._parts: list[tuple[int, Any]] = []  # (first row, list of (ConstraintData, sense) or (family, rows))
        self._n = 0
        self._senses: list[np.ndarray] = []

    def add_constraints(self, rows: list[tuple[Any, int]]) -> None:
        if rows:
            self._parts.append((self._n, rows))
            self._senses.append(np.fromiter((s for _, s in rows), dtype=np.int8, count=len(rows)))
            self._n += len(rows)

    def add_family(self, family: RowFamily, rows: np.ndarray) -> None:
        if len(rows):
            self._parts.append((self._n, (family, rows)))
            self._senses.append(np.full(len(rows), family.sense, dtype=np.int8))
            self._n += len(rows)

    @property
    def senses(self) -> np.ndarray:
        return np.concatenate(self._senses) if self._senses else np.zeros(0, dtype=np.int8)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        part = max(k for k, (first, _) in enumerate(self._parts) if first <= i)
        first, rows = self._parts[part]
        if isinstance(rows, list):
            return rows[i - first]
        family, local = rows
        return FamilyRow(family, int(local[i - first])), family.sense

    def __iter__(self) -> Iterator[tuple[Any, int]]:
        for _, rows in self._parts:
            if isinstance(rows, list):
                yield from rows
            else:
                family, local = rows
                for i in local:
                    yield FamilyRow(family, int(i)), family.sense


@dataclass(frozen=True)
class FamilyRow:
    """Row ``i`` of a row family, named as Pyomo names a ConstraintData."""

    family: RowFamily
    i: int

    @property
    def name(self) -> str:
        return self.family.row_name(self.i)

    def parent_component(self) -> RowFamily:
        return self.family


class _Rows:
    """The rows read so far: Pyomo's one at a time into lists, a family's at once as arrays."""

    def __init__(self) -> None:
        self.names = RowList()
        self.pending: list[tuple[Any, int]] = []
        self.rhs: list[float] = []
        self.lengths: list[int] = []
        self.cols: list[int] = []
        self.coefs: list[float] = []
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # lengths, cols, coefs, rhs

    def flush(self) -> None:
        if self.pending:
            self.names.add_constraints(self.pending)
            self.blocks.append((np.asarray(self.lengths, dtype=np.int64), np.asarray(self.cols, dtype=np.int64),
                                np.asarray(self.coefs, dtype=float), np.asarray(self.rhs, dtype=float)))
        self.pending, self.rhs, self.lengths, self.cols, self.coefs = [], [], [], [], []

    def matrix(self, n_col: int) -> tuple[sp.csc_matrix, np.ndarray]:
        self.flush()
        parts = self.blocks or [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))]
        lengths, cols, coefs, rhs = (np.concatenate([p[k] for p in parts]) for k in range(4))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        a = sp.csr_matrix((coefs, cols.astype(np.int32), indptr), shape=(len(lengths), n_col)).tocsc()
        return a, rhs


def _read_family(walk: _Collector, rows: _Rows, family: RowFamily) -> None:
    """A family's rows at once: columns of the members (components registered in the order a row-by-row walk
    meets them), fixed members moved to the right-hand side, rows without a free variable checked and dropped."""
    n = family.n
    if not n:
        return
    const = np.zeros(n)
    entries: list[tuple[int, Any, np.ndarray, np.ndarray, np.ndarray]] = []  # (term, members, rows, pos, coef)
    firsts: list[tuple[int, int]] = []
    for k, t in enumerate(family.terms):
        members = walk.members(t.var)
        at = np.arange(n) if t.rows is None else t.rows
        present = t.pos >= 0
        at, pos, coef = at[present], t.pos[present], t.coef[present]
        fixed = walk.fixed_mask(t.var, members)[pos]
        if fixed.any():  # in term order, as the walk adds them up
            np.add.at(const, at[fixed], coef[fixed] * walk.member_columns(t.var, members)[1][pos[fixed]])
            at, pos, coef = at[~fixed], pos[~fixed], coef[~fixed]
        if len(at):
            entries.append((k, members, at, pos, coef))
            firsts.append((int(at[0]), len(entries) - 1))
    for _, e in sorted(firsts):  # as a row-by-row walk meets each component: first row, then term order
        walk.register(entries[e][1][int(entries[e][3][0])])
    term_of = np.concatenate([np.full(len(e[2]), e[0]) for e in entries]) if entries else np.zeros(0, np.int64)
    row_of = np.concatenate([e[2] for e in entries]) if entries else np.zeros(0, np.int64)
    cols = (np.concatenate([walk.member_columns(family.terms[e[0]].var, e[1])[0][e[3]] for e in entries])
            if entries else np.zeros(0, np.int64))
    coefs = np.concatenate([e[4] for e in entries]) if entries else np.zeros(0)
    order = np.lexsort((term_of, row_of))
    lengths = np.bincount(row_of, minlength=n)
    rhs = family.rhs - const
    empty = np.flatnonzero(lengths == 0)
    if len(empty):
        ok = (rhs[empty] == 0.0) if family.sense == 0 else (
            rhs[empty] >= 0.0 if family.sense == 1 else rhs[empty] <= 0.0)
        if not ok.all():
            bad = family.row_name(int(empty[np.argmin(ok)]))
            raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{bad}'")
    keep = np.flatnonzero(lengths > 0)
    rows.flush()
    rows.names.add_family(family, keep)
    rows.blocks.append((lengths[keep], cols[order], coefs[order], rhs[keep]))


def compile_standard_form(model: pyo.ConcreteModel) -> StandardForm:
    """The standard form of ``model``'s active objective, constraints and row families (see the module)."""
    walk = _Collector()
    objectives = list(model.component_data_objects(pyo.Objective, active=True, sort=SORTER))
    if len(objectives) != 1:
        raise ValueError(f"model '{model.name}' has {len(objectives)} active objectives, expected 1")
    obj = objectives[0]
    sign = 1.0 if obj.sense == pyo.minimize else -1.0
    offset = walk.walk(obj.expr, sign)
    obj_cols, obj_coefs = walk.take()

    rows = _Rows()
    for comp in model.component_objects((pyo.Constraint, RowFamily), active=True, sort=SORTER):
        if comp.ctype is RowFamily:
            _read_family(walk, rows, comp)
            continue
        for con in comp.values(SORTER):
            if con.active:
                _read_constraint(walk, rows, con)

    n_col = len(walk.columns)
    a, rhs = rows.matrix(n_col)
    a.sum_duplicates()
    a.eliminate_zeros()
    c = np.zeros(n_col)
    np.add.at(c, np.asarray(obj_cols, dtype=np.int64), np.asarray(obj_coefs, dtype=float))
    used = (np.diff(a.indptr) > 0) | (c != 0.0)
    columns = walk.columns
    if not used.all():
        keep = np.flatnonzero(used)
        a, c = a[:, keep], c[keep]
        columns = [columns[j] for j in keep]
    return StandardForm(columns, rows.names, a, rhs, c, offset)


def _read_constraint(walk: _Collector, rows: _Rows, con: Any) -> None:
    """One ConstraintData: its terms, one or two rows (or none when it has no variable and holds)."""
    lower, left, right, upper = _sides(con)
    const = walk.walk(left, 1.0)
    if right is not None:
        const += walk.walk(right, -1.0)
    cols, coefs = walk.take()
    if not cols:
        if (lower is None or lower <= const) and (upper is None or upper >= const):
            return
        raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{con.name}'")
    for sense, bound in _senses(lower, upper):
        rows.pending.append((con, sense))
        rows.rhs.append(bound - const)
        rows.cols.extend(cols)
        rows.coefs.extend(coefs)
        rows.lengths.append(len(cols))
