"""One balance per carrier, hub and step, from the terms the components registered (:class:`Balance`).

For every carrier c of the registry (:func:`energyhub.model.registry.carriers`) and every hub h whose balance has
a term or a non-zero right-hand side:

    Σ_k coef_k[t] · var_k[key_k, steps_k[t]]   (== or ≥)   rhs[h,t]        (row family ``<carrier.constraint>``)

(``steps_k[t] = t`` but for a storage level's previous step) ``==`` for electricity (demand met exactly, shedding
is a priced term), ``≥`` where a surplus may be vented, flared or dumped (hydrogen, biogas, heat). Built after every
other component (order 1000).
"""

from __future__ import annotations

import numpy as np

from energyhub.model import rows
from energyhub.model.core import HubModel
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
    n = hm.time.n
    first, steps = rows.product(hubs, n)
    rhs = np.zeros(len(first))
    terms: list[rows.Term] = []
    for block, h in enumerate(sorted(hubs)):  # the rows of hub h: block·n … block·n + n − 1
        bal = balances[h]
        at = np.arange(block * n, (block + 1) * n)
        if bal.rhs is not None:
            rhs[at] = bal.rhs
        for coef, var, key, var_steps in bal.terms:
            pos = rows.grid_pos(var, [key] * n, np.arange(n) if var_steps is None else var_steps)
            terms.append(rows.term(var, pos, coef, rows=at))
    rows.declare(hm, carrier.constraint, (first, steps), terms, carrier.sense, rhs)


COMPONENTS = (Component("balances", 1000, add),)
