"""The :class:`HubModel`: a Pyomo model plus the bookkeeping its component modules share.

Component modules (connection, battery, …) add variables and constraints to ``hm.m`` and register

* terms of the balance of a carrier (electricity MW, hydrogen kg/h, biogas MW, heat MW_th, …) at a hub with
  :meth:`HubModel.add_term` (a :data:`Term` ``(coef, var, key, steps)`` meaning ``coef × var[key, t]`` on the
  *supply* side, or ``coef[t] × var[key, steps[t]]`` with a coefficient per step or another step of the variable:
  a storage level's previous step) and :meth:`HubModel.add_rhs` (a demand, or minus a fixed supply);
  :mod:`energyhub.model.balances` turns them into one balance per carrier (``balances[carrier][hub]``);
* cost terms ``(coef_eur, var_data)`` by category in ``cost_terms`` and constants in ``cost_const``: the objective
  is their sum, and cost categories are recomputed from the solution with one dot product each;
* for sweeps, ``cost_params[name]`` lists ``(var_data, factor)`` so that the objective coefficient of
  ``var_data`` changes by ``factor × Δvalue`` when the scalar parameter ``name`` changes by ``Δvalue``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from energyhub.model.inputs import GridInputs
from energyhub.model.timegrid import TimeGrid
from energyhub.scenario.data import ScenarioData
from energyhub.scenario.schema import Scenario

#: ``(coef, indexed var, key, steps)``: the term ``coef × var[key, t]`` of a balance in step t; with a coefficient per
#: step ``coef[t]``, with ``steps`` the term ``coef × var[key, steps[t]]`` (none in the steps where it is -1).
Term = tuple[float | np.ndarray, Any, Any, np.ndarray | None]


def linear(coefs: Sequence[float], variables: Sequence[Any], constant: float = 0.0) -> LinearExpression:
    """``constant + Σ coefs[i] · variables[i]`` as one Pyomo ``LinearExpression`` from explicit lists.

    The same expression the operators build (``c1 * x1 + c2 * x2 + …``), cheaper where a row has several terms
    (a branch row with three hubs: 4.7 against 8.2 µs; no gain for two terms): the per-step families with several
    terms (balances, storage levels, branch flows) and the objective use it (``benchmarks/README.md``, "Build and
    hand-over, third round of issue 11").
    """
    return LinearExpression(constant=constant, linear_coefs=list(coefs), linear_vars=list(variables))


@dataclass
class Balance:
    """The balance of one carrier at one hub: ``Σ terms  (== or ≥)  rhs[t]``."""

    terms: list[Term] = field(default_factory=list)
    rhs: np.ndarray | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and (self.rhs is None or not self.rhs.any())


@dataclass
class HubModel:
    """A built (not yet solved) model of one scenario."""

    data: ScenarioData
    grid: GridInputs
    time: TimeGrid
    series: dict[str, np.ndarray]
    m: pyo.ConcreteModel = field(default_factory=lambda: pyo.ConcreteModel(name="energyhub"))
    balances: dict[str, dict[str, Balance]] = field(default_factory=lambda: defaultdict(dict))
    cost_terms: dict[str, list[tuple[float, Any]]] = field(default_factory=lambda: defaultdict(list))
    cost_const: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cost_params: dict[str, list[tuple[Any, float]]] = field(default_factory=lambda: defaultdict(list))
    info: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    _member_cache: dict[int, tuple[Any, dict[Any, Any]]] = field(default_factory=dict, repr=False)

    # ----------------------------------------------------------------------------------------- scenario access
    @property
    def scenario(self) -> Scenario:
        return self.data.scenario

    @property
    def hubs(self) -> list[str]:
        return [h.name for h in self.scenario.hubs]

    @property
    def steps(self) -> range:
        return self.time.steps

    def step_var(self, name: str, keys: Any, upper: dict[Any, Any] | None = None, lower: float = 0.0,
                 domain: Any = pyo.Reals) -> Any:
        """Declare ``name[k, t] ∈ [lower, upper[k]]`` on ``hm.m`` for every key k and step t and return it;
        ``upper[k]`` one number or one per step (an array), None or absent: no upper bound.

        The same variable as ``pyo.Var(keys, steps, bounds=rule)``, cheaper: Pyomo copies one member for every
        index when the bounds are constant, and the upper bounds are then set member by member (1.8 µs a member
        against 2.9 µs for a bounds rule called per index)."""
        var = pyo.Var(keys, self.steps, domain=domain, bounds=(lower, None))
        self.m.add_component(name, var)
        if upper:
            n = self.time.n
            per_key = {k: (u.tolist() if isinstance(u, np.ndarray) else [u] * n) for k, u in upper.items()
                       if u is not None}
            for (k, t), v in var.items():
                bounds = per_key.get(k)
                if bounds is not None:
                    v.upper = bounds[t]
        return var

    def hub_series(self, hub: str, name: str) -> np.ndarray:
        """A hub series at model steps; zeros when absent."""
        return self.series.get(f"hubs.{hub}.{name}", np.zeros(self.time.n))

    def asset_series(self, asset: str, name: str) -> np.ndarray:
        """An asset's series field (``SERIES_FIELDS``) at model steps."""
        return self.series[f"assets.{asset}.{name}"]

    def market_series(self, zone: str, name: str) -> np.ndarray:
        return self.series[f"markets.{zone}.{name}"]

    def initial_state(self, var_name: str, key: Any) -> float:
        """The state (storage level, …) of ``var_name[key]`` before the first step of a non-cyclic time grid: the
        window's initial level (``info["initial_state"][var_name][key]``), 0 when none is given."""
        return float(self.info.get("initial_state", {}).get(var_name, {}).get(key, 0.0))

    def hub_zone(self, hub: str) -> str:
        return self.scenario.hub_zone(self.scenario.hub(hub))

    def assets_of(self, kind: str) -> list[Any]:
        return [a for a in self.scenario.assets if a.type == kind]

    # ----------------------------------------------------------------------------------------- balances
    def balance(self, carrier: str, hub: str) -> Balance:
        """The balance of ``carrier`` at ``hub`` (created empty)."""
        return self.balances[carrier].setdefault(hub, Balance())

    def add_term(self, carrier: str, hub: str, coef: float | np.ndarray, var: Any, key: Any,
                 steps: np.ndarray | None = None) -> None:
        """``coef × var[key, t]`` on the supply side of the ``carrier`` balance of ``hub`` in every step t; ``coef``
        one number or one per step; with ``steps``, ``var[key, steps[t]]`` (no term where ``steps[t]`` is -1)."""
        self.balance(carrier, hub).terms.append((coef, var, key, steps))

    def add_rhs(self, carrier: str, hub: str, values: np.ndarray) -> None:
        """Add ``values`` (n,) to the right-hand side (a demand; a fixed supply enters with a minus sign)."""
        bal = self.balance(carrier, hub)
        bal.rhs = np.asarray(values, dtype=float) + (0.0 if bal.rhs is None else bal.rhs)

    def has_balance(self, carrier: str, hub: str) -> bool:
        """Whether ``hub`` has anything in its ``carrier`` balance (terms, expressions or a non-zero rhs)."""
        bal = self.balances.get(carrier, {}).get(hub)
        return bal is not None and not bal.empty

    # ----------------------------------------------------------------------------------------- cost helpers
    def step_cost(self) -> np.ndarray:
        """EUR per MW held for one step, scaled to a year: step_h × weight (n,)."""
        return self.time.step_h * self.time.weight

    def add_cost(self, category: str, var: Any, keys: Any, coefs: Any, param: str | None = None,
                 param_value: float = 0.0) -> None:
        """Add ``coefs[i] × var[keys[i]]`` to cost ``category``; skip zero coefficients.

        With ``param``, the coefficients are ``param_value × factor[i]``; the factors are recorded in
        ``cost_params[param]`` for sweeps (also when the value is zero).
        """
        coef_arr = np.broadcast_to(np.asarray(coefs, dtype=float), (len(keys),))
        terms = self.cost_terms[category]
        member = self.members(var)
        if param is not None:
            record = self.cost_params[param]
            for key, c in zip(keys, coef_arr, strict=True):
                v = member[key]
                record.append((v, float(c)))
                if c != 0.0 and param_value != 0.0:
                    terms.append((float(c) * param_value, v))
            return
        for key, c in zip(keys, coef_arr, strict=True):
            if c != 0.0:
                terms.append((float(c), member[key]))

    def members(self, var: Any) -> Any:
        """``var``'s VarData by index, read once per indexed variable (a dict lookup is ~20x cheaper than
        ``var[key]``); a plain list of VarData as it is."""
        if isinstance(var, list):
            return var
        found = self._member_cache.get(id(var))
        if found is None or found[0] is not var:
            found = self._member_cache[id(var)] = (var, dict(var.items()))
        return found[1]

    def objective_expr(self) -> Any:
        """Sum of every cost term and constant."""
        const = float(sum(self.cost_const.values()))
        terms = [term for category in self.cost_terms.values() for term in category]
        return linear([c for c, _ in terms], [v for _, v in terms], const)
