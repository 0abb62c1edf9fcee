"""Links between hubs: hydrogen (kg/h) or biogas (MW of fuel) transport by pipeline or trailer.

Per link l and step t: forward flow ``link_fwd[l,t] ∈ [0, capacity]`` and, if bidirectional, backward flow
``link_bwd[l,t] ∈ [0, capacity]``. Forward flow leaves ``from_hub`` and arrives at ``to_hub`` in that hub's
hydrogen or biogas balance (no losses). Cost: ``cost_eur_per_kg`` (or per MWh) × carried quantity × weight.
Because both directions cost, no step carries both at once in an optimum with a positive cost.
"""

from __future__ import annotations

import pyomo.environ as pyo

from energyhub.model.core import HubModel


def add(hm: HubModel) -> None:
    """All links; terms go to ``h2_terms`` or ``gas_terms``."""
    links = hm.scenario.links
    if not links:
        return
    m, steps = hm.m, hm.steps
    spec = {link.name: link for link in links}
    names = list(spec)
    m.LINK = pyo.Set(initialize=names, ordered=True)
    m.link_fwd = pyo.Var(m.LINK, steps, bounds=lambda _m, lk, t: (0.0, spec[lk].capacity))
    both = [lk for lk in names if spec[lk].bidirectional]
    m.link_bwd = pyo.Var(both, steps, bounds=lambda _m, lk, t: (0.0, spec[lk].capacity))
    step_cost = hm.step_cost()
    for lk in names:
        s = spec[lk]
        terms = hm.h2_terms if s.carrier == "hydrogen" else hm.gas_terms
        terms[s.to_hub].append((1.0, m.link_fwd, lk))
        terms[s.from_hub].append((-1.0, m.link_fwd, lk))
        unit = "cost_eur_per_kg" if s.carrier == "hydrogen" else "cost_eur_per_mwh"
        hm.add_cost("link_transport", m.link_fwd, [(lk, t) for t in steps], step_cost,
                    param=f"links.{lk}.{unit}", param_value=s.unit_cost)
        if s.bidirectional:
            terms[s.to_hub].append((-1.0, m.link_bwd, lk))
            terms[s.from_hub].append((1.0, m.link_bwd, lk))
            hm.add_cost("link_transport", m.link_bwd, [(lk, t) for t in steps], step_cost,
                        param=f"links.{lk}.{unit}", param_value=s.unit_cost)
