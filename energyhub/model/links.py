"""Links between hubs: transport of any link carrier (hydrogen kg/h, biogas MW of fuel, heat MW_th, …) by
pipeline or trailer.

Per link l and step t: forward flow ``link_fwd[l,t] ∈ [0, capacity]`` and, if bidirectional, backward flow
``link_bwd[l,t] ∈ [0, capacity]``. Forward flow leaves ``from_hub`` and arrives at ``to_hub`` in the balance of
the link's carrier (no losses). Cost: ``cost_eur_per_kg`` (or per MWh) × carried quantity × weight.
Because both directions cost, no step carries both at once in an optimum with a positive cost.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from energyhub.model.core import HubModel
from energyhub.model.registry import Component, Output, Values


def add(hm: HubModel) -> None:
    """All links; terms go to the balance of each link's carrier."""
    links = hm.scenario.links
    if not links:
        return
    m, steps = hm.m, hm.steps
    spec = {link.name: link for link in links}
    names = list(spec)
    m.LINK = pyo.Set(initialize=names, ordered=True)
    hm.step_var("link_fwd", m.LINK, {lk: spec[lk].capacity for lk in spec})
    both = [lk for lk in names if spec[lk].bidirectional]
    hm.step_var("link_bwd", both, {lk: spec[lk].capacity for lk in both})
    step_cost = hm.step_cost()
    for lk in names:
        s = spec[lk]
        hm.add_term(s.carrier, s.to_hub, 1.0, m.link_fwd, lk)
        hm.add_term(s.carrier, s.from_hub, -1.0, m.link_fwd, lk)
        hm.add_cost("link_transport", m.link_fwd, [(lk, t) for t in steps], step_cost,
                    param=f"links.{lk}.{s.cost_field}", param_value=s.unit_cost)
        if s.bidirectional:
            hm.add_term(s.carrier, s.to_hub, -1.0, m.link_bwd, lk)
            hm.add_term(s.carrier, s.from_hub, 1.0, m.link_bwd, lk)
            hm.add_cost("link_transport", m.link_bwd, [(lk, t) for t in steps], step_cost,
                        param=f"links.{lk}.{s.cost_field}", param_value=s.unit_cost)


def extract(hm: HubModel, values: Values) -> dict[str, dict[str, np.ndarray]]:
    """Net flow from_hub → to_hub (+) per link."""
    m = hm.m
    flows: dict[str, np.ndarray] = {}
    for lk in hm.scenario.links:
        flows[lk.name] = values(m.link_fwd, lk.name)
        if lk.bidirectional:
            flows[lk.name] = flows[lk.name] - values(m.link_bwd, lk.name)
    return {"link_flow": flows}


COMPONENTS = (
    Component(
        "links", 60, add,
        outputs=(Output("link_flow", "link", "kg/h (hydrogen) or MW (biogas, heat)", "from_hub → to_hub (+)",
                        "link_flow"),),
        extract=extract,
        cost_categories={"link_transport": "transport over links"},
    ),
)
