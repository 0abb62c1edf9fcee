"""A fast reader of a linear Pyomo model into standard form: ``c, A, rhs`` with the column and row lists.

It gives what Pyomo's ``LinearStandardFormCompiler(mixed_form=True)`` gives (same columns in the same order, same
rows and senses, the same matrix), for the expressions energyhub's components write: sums of constants, variables
and ``constant × variable`` terms, with fixed variables moved to the right-hand side. Pyomo's generic expression
walker costs about 7 µs per row on energyhub's models; the walk here reads those node types directly (about twice
as fast, ``benchmarks/README.md``) and hands every other node type to Pyomo's own ``generate_standard_repn``, so
that any linear expression still compiles. ``tests/model/test_standard_form.py`` checks it against Pyomo's
compiler on every component's model and the test scenarios.

Row senses follow Pyomo's mixed form: 0 for ``==``, 1 for ``≤ rhs``, -1 for ``≥ rhs``; a ranged row gives two rows
(``≤`` first). Rows without variables are dropped when they hold and raise Pyomo's
``InfeasibleConstraintException`` (naming the constraint) when they do not.
"""

from __future__ import annotations

from collections.abc import Callable
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

#: Pyomo's compiler's default order (``FileDeterminism.ORDERED``): ordered sets in order, others sorted.
SORTER = SortComponents.ORDERED_INDICES


@dataclass
class StandardForm:
    """``min c·x + offset`` s.t. rows of ``A x (sense) rhs``; ``columns`` are VarData, ``rows`` (ConstraintData,
    sense)."""

    columns: list[Any]
    rows: list[tuple[Any, int]]
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
        members = parent.values(SORTER) if parent is not v else (v,)
        for member in members:
            if not member.fixed and id(member) not in self.col_of:
                self.col_of[id(member)] = len(self.columns)
                self.columns.append(member)
        return self.col_of[id(v)]

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


def compile_standard_form(model: pyo.ConcreteModel) -> StandardForm:
    """The standard form of ``model``'s active objective and constraints (see the module)."""
    walk = _Collector()
    objectives = list(model.component_data_objects(pyo.Objective, active=True, sort=SORTER))
    if len(objectives) != 1:
        raise ValueError(f"model '{model.name}' has {len(objectives)} active objectives, expected 1")
    obj = objectives[0]
    sign = 1.0 if obj.sense == pyo.minimize else -1.0
    offset = walk.walk(obj.expr, sign)
    obj_cols, obj_coefs = walk.take()

    rows: list[tuple[Any, int]] = []
    rhs: list[float] = []
    indptr = [0]
    all_cols: list[int] = []
    all_coefs: list[float] = []
    for con in model.component_data_objects(pyo.Constraint, active=True, sort=SORTER):
        lower, left, right, upper = _sides(con)
        const = walk.walk(left, 1.0)
        if right is not None:
            const += walk.walk(right, -1.0)
        cols, coefs = walk.take()
        if not cols:
            if (lower is None or lower <= const) and (upper is None or upper >= const):
                continue
            raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{con.name}'")
        for sense, bound in _senses(lower, upper):
            rows.append((con, sense))
            rhs.append(bound - const)
            all_cols.extend(cols)
            all_coefs.extend(coefs)
            indptr.append(len(all_cols))

    n_col = len(walk.columns)
    a = sp.csr_matrix((np.asarray(all_coefs, dtype=float), np.asarray(all_cols, dtype=np.int32),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(rows), n_col)).tocsc()
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
    return StandardForm(columns, rows, a, np.asarray(rhs, dtype=float), c, offset)
