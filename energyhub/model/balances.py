"""One balance per carrier, hub and step, from the terms the components registered (:class:`Balance`).

For every carrier c of the registry (:func:`energyhub.model.registry.carriers`) and every hub h whose balance has
a term, an expression or a non-zero right-hand side:

    Σ_k coef_k · var_k[key_k, t] + Σ_j expr_j(t)   (== or ≥)   rhs[h,t]        (constraint ``<carrier.constraint>``)

``==`` for electricity (demand met exactly, shedding is a priced term), ``≥`` where a surplus may be vented,
flared or dumped (hydrogen, biogas, heat). Built after every other component (order 1000).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energyhub.model.core import HubModel, linear
from energyhub.model.registry import Carrier, Component, carriers


def add(hm: HubModel) -> None:
    """The balance rows of every carrier."""
    for carrier in carriers():
        _add_carrier(hm, carrier)


def _add_carrier(hm: HubModel, carrier: Carrier) -> None:
    balances = hm.balances.get(carrier.name, {})
    hubs = [h for h in hm.hubs if hm.has_balance(carrier.name, h)]
    if not hubs:
        return
    zeros = np.zeros(hm.time.n)
    rhs: dict[str, np.ndarray] = {h: zeros if balances[h].rhs is None else np.asarray(balances[h].rhs) for h in hubs}

    coefs = {h: [c for c, _, _ in balances[h].terms] for h in hubs}

    def rule(_m: pyo.ConcreteModel, h: str, t: int) -> object:
        bal = balances[h]
        lhs = linear(coefs[h], [var[key, t] for _, var, key in bal.terms])
        if bal.exprs:
            lhs = lhs + sum(expr(t) for expr in bal.exprs)
        if carrier.sense == "==":
            return lhs == float(rhs[h][t])
        return lhs >= float(rhs[h][t])

    setattr(hm.m, carrier.constraint, pyo.Constraint(hubs, hm.steps, rule=rule))


COMPONENTS = (Component("balances", 1000, add),)
