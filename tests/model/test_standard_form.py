"""energyhub's standard-form reader (:mod:`energyhub.solve.standard_form`) gives exactly what Pyomo's own
``LinearStandardFormCompiler(mixed_form=True)`` gives: the same columns in the same order, the same rows with the
same senses, the same matrix, right-hand side, costs and offset. Checked on every component's model, on the shipped
test scenarios, and on hand-made models with each expression form the fast path reads and those it hands to Pyomo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest
from _model_helpers import hub, make_data, no_grid
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from test_fixed_bounds import ASSETS, SIZES

from energyhub.model.build import build_model
from energyhub.model.rows import PYOMO_ROWS, RowFamily, grid_pos, key_pos, product, term
from energyhub.pipeline import Timings, model_inputs, prepare
from energyhub.solve.standard_form import SORTER, compile_standard_form

DATA = Path(__file__).parents[1] / "data"


def assert_same_as_pyomo(m: pyo.ConcreteModel, ref_model: pyo.ConcreteModel | None = None) -> None:
    """``m`` compiled by energyhub's reader equals ``ref_model`` (by default ``m`` itself) compiled by Pyomo's: the
    same columns and rows by name, in the same order, the same matrix, right-hand side, costs and offset."""
    ref = LinearStandardFormCompiler().write(m if ref_model is None else ref_model, mixed_form=True)
    ours = compile_standard_form(m)
    assert [v.name for v in ours.columns] == [v.name for v in ref.columns]
    if ref_model is None:
        assert all(a is b for a, b in zip(ours.columns, ref.columns, strict=True))
    assert [(c.name, s) for c, s in ours.rows] == [(c.name, s) for c, s in ref.rows]
    a_ref = ref.A.tocsc()
    assert ours.a.shape == a_ref.shape
    assert (ours.a != a_ref).nnz == 0
    np.testing.assert_allclose(ours.rhs, np.asarray(ref.rhs, dtype=float), rtol=1e-14, atol=1e-12)
    np.testing.assert_allclose(ours.c, ref.c.toarray()[0], rtol=0, atol=0)
    assert ours.offset == pytest.approx(float(ref.c_offset[0]), rel=1e-14)


def build_twice(data: Any, grid: Any, **kwargs: Any) -> tuple[pyo.ConcreteModel, pyo.ConcreteModel]:
    """The model with its row families (as ``energyhub solve`` builds it), and the same model with every family
    declared as the equivalent ``pyo.Constraint`` (:data:`energyhub.model.rows.PYOMO_ROWS`)."""
    fast = build_model(data, grid, **kwargs)
    plain = build_model(data, grid, **kwargs, info={PYOMO_ROWS: True})
    assert any(True for _ in fast.m.component_objects(RowFamily))
    assert not any(True for _ in plain.m.component_objects(RowFamily))
    return fast.m, plain.m


@pytest.mark.parametrize("fixed", [False, True], ids=["sizing", "fixed sizes"])
def test_every_component_compiles_as_pyomo_compiles_it(fixed: bool) -> None:
    data = make_data(6, [hub("h", import_mw=6.0)], ASSETS,
                     series={"hubs.h.demand_mw": np.full(6, 3.0), "hubs.h.heat_demand_mw_th": np.full(6, 2.0)})
    assert_same_as_pyomo(*build_twice(data, no_grid(data), fixed_sizes=SIZES if fixed else None))


@pytest.mark.parametrize("scenario", ["small/scenario.yaml", "regional-small/scenario.yaml"])
def test_shipped_test_scenarios_compile_as_pyomo_compiles_them(scenario: str) -> None:
    prep = prepare(DATA / scenario, Timings())
    fast, plain = build_twice(prep.data, model_inputs(prep, Timings()))
    assert len(list(plain.component_data_objects(pyo.Constraint))) > 100
    assert_same_as_pyomo(fast, plain)


def test_every_expression_form_compiles_as_pyomo_compiles_it() -> None:
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=["b", "a"], ordered=False)  # an unordered set: both sort its indices
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var([1, 2, 3], domain=pyo.Binary)
    m.z = pyo.Var(bounds=(-5, 5))
    m.unused = pyo.Var([1, 2])
    m.fixed = pyo.Var(initialize=2.0)
    m.fixed.fix()
    m.p = pyo.Param(initialize=3.0, mutable=True)
    m.e = pyo.Expression(expr=2 * m.x["a"] + m.z)
    m.sum_fixed = pyo.Constraint(expr=m.x["a"] + 4 * m.fixed + m.y[1] <= 9)  # a fixed variable: to the rhs
    m.param_coef = pyo.Constraint(expr=m.p * m.x["b"] - m.y[2] >= 1)  # a mutable Param coefficient
    m.named = pyo.Constraint(expr=m.e + m.y[3] == 4)  # a named Expression
    m.ranged = pyo.Constraint(expr=pyo.inequality(-1, m.x["a"] - m.z, 6))  # two rows, <= first
    m.both_sides = pyo.Constraint(expr=m.x["b"] + 1 == 2 * m.z - m.x["a"])
    m.constant_left = pyo.Constraint(expr=5 <= m.z + m.x["b"])  # noqa: SIM300 (the constant on the left on purpose)
    m.division = pyo.Constraint(expr=(m.x["a"] + m.x["b"]) / 4 <= 2)
    m.product = pyo.Constraint(expr=(m.p + 1) * (m.x["a"] - m.z) >= -3)
    m.negation = pyo.Constraint(expr=-(m.x["a"] + m.z) <= 7)
    m.repeated = pyo.Constraint(expr=m.x["a"] + m.x["a"] - 3 * m.z + m.z <= 8)  # same variable twice: summed
    m.cancels = pyo.Constraint(expr=m.y[1] + m.unused[1] - m.unused[1] <= 1)  # a zero coefficient is no entry
    m.holds = pyo.Constraint(expr=m.fixed <= 3)  # no variable left, holds: no row
    m.obj = pyo.Objective(expr=3 * m.x["a"] - m.y[2] + 2 * m.fixed + m.e + 7, sense=pyo.maximize)
    assert_same_as_pyomo(m)
    ours = compile_standard_form(m)
    # each component's columns together, in index order (the unordered set sorted), by first use; unused dropped
    assert [v.name for v in ours.columns] == ["x[a]", "x[b]", "y[1]", "y[2]", "y[3]", "z"]
    assert ours.offset == -(4 + 7)  # maximise: negated; 2 × fixed 2.0, plus 7
    x_a, z = ours.columns[0], ours.columns[5]
    row = next(i for i, (con, _) in enumerate(ours.rows) if con is m.repeated)
    assert ours.a[row, 0] == 2.0 and ours.a[row, 5] == -2.0  # x[a] twice, -3z + z
    assert x_a is m.x["a"] and z is m.z
    assert [s for con, s in ours.rows if con is m.ranged] == [1, -1]


def test_a_constant_row_that_fails_names_its_constraint() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.f = pyo.Var(initialize=5.0)
    m.f.fix()
    m.ok = pyo.Constraint(expr=m.x <= 1)
    m.bad = pyo.Constraint(expr=m.f <= 3)
    m.obj = pyo.Objective(expr=m.x)
    with pytest.raises(InfeasibleConstraintException, match="'bad'"):
        compile_standard_form(m)


def test_a_nonlinear_row_is_refused() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.q = pyo.Constraint(expr=m.x * m.x <= 1)
    m.obj = pyo.Objective(expr=m.x)
    with pytest.raises(ValueError, match="not linear"):
        compile_standard_form(m)


def test_row_family_positions_follow_the_compilers_member_order() -> None:
    """A product of sets is not ordered for Pyomo: its members are visited sorted. ``grid_pos`` and ``key_pos``
    must point at the member a row names, whatever order the keys were declared in."""
    m = pyo.ConcreteModel()
    m.B = pyo.Set(initialize=["zwolle", "almelo", "hengelo"], ordered=True)
    m.v = pyo.Var(m.B, range(4))
    m.w = pyo.Var(["zwolle", "almelo"])
    keys, steps = product(list(m.B), 4)
    assert keys[0] == "almelo" and list(steps[:5]) == [0, 1, 2, 3, 0]
    members = list(m.v.values(SORTER))
    pos = grid_pos(m.v, keys, steps)
    assert all(members[p] is m.v[k, t] for p, k, t in zip(pos, keys, steps, strict=True))
    assert list(grid_pos(m.v, ["hengelo"], np.array([-1]))) == [-1]
    w_members = list(m.w.values(SORTER))
    assert all(w_members[p] is m.w[k] for p, k in zip(key_pos(m.w, ["almelo", "zwolle"]), ["almelo", "zwolle"],
                                                         strict=True))


def test_a_row_family_without_a_free_variable_is_checked_and_named() -> None:
    """A family row whose variables are all fixed is dropped when it holds and names itself when it does not."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(["a", "b"], bounds=(0, 5))
    m.x["b"].fix(4.0)
    m.obj = pyo.Objective(expr=m.x["a"])
    # x[a] ≤ 3 (a row), then x[b] ≤ 5 (holds: no row), then x[b] ≤ 3 (fails)
    pos = key_pos(m.x, ["a", "b", "b"])
    m.rows = RowFamily((["first", "holds", "fails"],), [term(m.x, pos, 1.0)], "<=", np.array([3.0, 5.0, 3.0]))
    with pytest.raises(InfeasibleConstraintException, match=r"'rows\[fails\]'"):
        compile_standard_form(m)
    m.rows.rhs = np.array([3.0, 5.0, 4.0])
    form = compile_standard_form(m)
    assert [(r.name, s) for r, s in form.rows] == [("rows[first]", 1)]
    assert list(form.rhs) == [3.0] and form.a.toarray().tolist() == [[1.0]]
