"""Assemble the Pyomo model of a scenario from the registered components (:mod:`energyhub.model.registry`).

``build_model(data, grid)`` returns a :class:`~energyhub.model.core.HubModel`; solving is a separate step
(:func:`energyhub.solve.highs.solve`). Components are built by ascending ``order``: it matters only in that the
network and the carrier balances (:mod:`energyhub.model.balances`) come after every component that contributes
terms to them, and the objective comes last.

Extra constraints: pass ``extra=[fn, ...]``; each ``fn(hm)`` runs after every component and before the
objective, and may add variables, constraints (on ``hm.m``) and cost terms (``hm.add_cost``). Example::

    def cap_total_battery(hm):
        hm.m.cap = pyo.Constraint(expr=sum(hm.m.bat_e_mwh[b] for b in hm.m.BAT) <= 10)

    build_model(data, grid, extra=[cap_total_battery])
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from energyhub.model import costs
from energyhub.model.core import HubModel
from energyhub.model.inputs import GridInputs
from energyhub.model.registry import components
from energyhub.model.sizes import GIVEN_SIZES, fix_sizes
from energyhub.model.timegrid import TimeGrid, horizon_grid
from energyhub.scenario.data import ScenarioData

log = logging.getLogger(__name__)

Component = Callable[[HubModel], None]


@contextmanager
def gc_disabled() -> Iterator[None]:
    """Pause the cyclic garbage collector (halves Pyomo build time: many small objects, no cycles freed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_model(
    data: ScenarioData,
    grid: GridInputs,
    *,
    time_grid: TimeGrid | None = None,
    series: dict | None = None,
    extra: Sequence[Component] = (),
    fixed_sizes: dict[str, float] | None = None,
    info: dict | None = None,
) -> HubModel:
    """Build the model of ``data`` on ``grid``.

    ``time_grid``/``series`` replace the scenario's horizon and series (representative periods);
    ``fixed_sizes`` fixes size variables by name (see :func:`energyhub.model.sizes.fix_sizes`) as each component
    declares them (:func:`energyhub.model.sizes.fix_given`), so that per-step limits by a size become variable
    bounds, not rows; ``info`` seeds ``hm.info`` before any component runs (a window's ``initial_state`` and
    ``final_state``, see :mod:`energyhub.model.boundary`; :data:`energyhub.model.network.SCREEN_AT`).
    """
    t0 = time.perf_counter()
    tg = time_grid if time_grid is not None else horizon_grid(data.times, data.step_h)
    hm = HubModel(data=data, grid=grid, time=tg, series=series if series is not None else data.series)
    hm.info.update(info or {})
    if fixed_sizes:
        hm.info[GIVEN_SIZES] = dict(fixed_sizes)  # components fix them as they declare them (fix_given)
    with gc_disabled():
        for component in components():
            t = time.perf_counter()
            component.build(hm)
            hm.timings_s[f"build.{component.name}"] = time.perf_counter() - t
            log.debug("built %s in %.2f s", component.name, hm.timings_s[f"build.{component.name}"])
        for fn in extra:
            fn(hm)
        if fixed_sizes:
            fix_sizes(hm, fixed_sizes)  # the catch-all: a size no component fixed as it declared it
        costs.add_objective(hm)
    hm.timings_s["build"] = time.perf_counter() - t0
    log.info("model built in %.1f s (%d steps, %d hubs)", hm.timings_s["build"], tg.n, len(hm.hubs))
    return hm
