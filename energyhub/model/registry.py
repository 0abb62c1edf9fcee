"""The component registry: what every part of the model declares for the rest of the code.

Each model module (``battery.py``, ``hydrogen.py``, ``heat.py``, …) defines ``COMPONENTS``, a tuple of
:class:`Component` entries; :func:`components` finds them all, in build order. The build
(:mod:`energyhub.model.build`), the size names (:mod:`energyhub.model.sizes`), the results (extraction, KPIs,
capacities, export families, report labels), the infeasibility diagnosis and the sweep's in-place changes iterate
over this registry and never name an asset type. The asset schema classes themselves live in the schema registry
(:mod:`energyhub.scenario.components`); a component's entry points at them.

Carriers (electricity, hydrogen, biogas, heat) are declared by the component that introduces them
(:class:`Carrier`); components add terms to a carrier's balance at a hub with
:meth:`energyhub.model.core.HubModel.add_term`, and :mod:`energyhub.model.balances` builds one balance per carrier.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from energyhub.model.core import HubModel
    from energyhub.scenario.schema import Scenario
    from energyhub.scenario.types import AssetBase

#: ``(indexed var, key) -> values at every model step``: how results read a solved variable.
Values = Callable[[Any, Any], np.ndarray]
#: ``VarData -> value``: a solved scalar.
Value = Callable[[Any], float]
#: ``name -> DataArray`` of a dataset variable summed over the horizon (Σ_t x[t]·Δt·occurrences[t]).
HorizonSum = Callable[[str], Any]


@dataclass(frozen=True)
class Carrier:
    """An energy carrier with one balance per hub and step: ``Σ terms (sense) rhs``.

    ``constraint`` is the Pyomo name of the balance rows; ``sense`` ``==`` (electricity: demand met exactly) or
    ``>=`` (a surplus may be vented, flared or dumped); ``meaning`` describes a row in scenario terms (``{0}``:
    hub); ``unit``: of the balance (``MW``, ``kg/h``, ``MW_th``). Which carriers links may carry is declared
    by the schema registry (``LINK_CARRIERS``).
    """

    name: str
    unit: str
    constraint: str
    sense: Literal["==", ">="]
    meaning: str


@dataclass(frozen=True)
class Size:
    """A size variable: the Pyomo variable ``var`` indexed by asset (or hub), named ``<key>.<suffix>``."""

    var: str
    suffix: str
    label: str  # column label in reports: "Energy (MWh)"


@dataclass(frozen=True)
class State:
    """A storage level ``var[asset, step]`` carried from one step to the next, in ``unit`` (``MWh``, ``kg``,
    ``MWh_th``): a decomposed dispatch fixes it at window boundaries (:mod:`energyhub.model.boundary`). ``penalty``
    names the economics field that prices a missed end level (like unmet demand of the stored carrier)."""

    var: str
    unit: str
    penalty: str = "voll_eur_per_mwh"


@dataclass(frozen=True)
class PerUnit:
    """A capacity derived from a count: ``<asset>.<key> = <asset>.<count> × asset.<field>``."""

    count: str
    field: str
    key: str
    label: str


@dataclass(frozen=True)
class Output:
    """A variable of the results dataset: ``dim`` ``asset``, ``hub`` or ``link`` (besides ``time``).

    ``family`` is the export table it belongs to (``asset_dispatch``, ``asset_storage``, ``hub_hydrogen``…);
    ``storage`` marks storage levels (the report's storage panel draws them).
    """

    name: str
    dim: Literal["asset", "hub", "link"]
    units: str
    description: str
    family: str
    storage: bool = False


@dataclass(frozen=True)
class LiveCapex:
    """A capex field a live re-solve changes in place: ``field`` under ``assets.<name>.`` (e.g.
    ``energy_mwh.capex_eur_per_mwh``) and the field of the existing size it is charged above (``None``: 0)."""

    field: str
    existing: str | None


@dataclass(frozen=True)
class Component:
    """One part of the model and everything the rest of the code needs to know about it.

    * ``build(hm)`` adds variables, constraints, balance terms and costs; parts are built by ascending ``order``;
    * ``assets``: the asset schema classes it models (``type`` tags; empty for system parts and links);
    * ``carriers`` it introduces; ``sizes`` and ``per_unit`` capacities (summary ``capacities``);
    * ``outputs`` and ``extract(hm, values) -> {output: {element: series}}`` for the results dataset; with
      ``outputs_when`` the outputs are only written when it returns True for the scenario (default: always);
    * ``kpis(hm, total) -> {name: value}`` (``total(name)``: a dataset variable summed over the horizon);
    * ``cost_categories``: the cost categories it adds, with a description;
    * ``meaning``: Pyomo component name -> what a row or bound means in scenario terms (diagnosis);
    * ``live_capex``/``live_penalties``: sweep parameters a live re-solve changes in place (every other numeric
      field of its schema is sweepable by a cold rebuild); ``live_penalties`` maps a scenario path to the cost
      category holding only that parameter's terms;
    * ``branch_limit_mw(hm, value)``: extra branch limits (B,) it adds in a solved model (reinforcements);
    * ``states``: its storage levels (:class:`State`), which a window of a decomposed dispatch starts and ends at
      given levels (the component uses :meth:`HubModel.initial_state` before a window's first step);
    * ``priced_sizes(asset) -> [(capacity key, capex EUR per unit of it, existing)]``: how its investment is priced
      (summary ``finance``);
    * ``must_run(hm, hub) -> bool``: whether an asset of it at ``hub`` may have to produce when nothing wants its
      output (a unit held at minimum load), so that burning energy in storage could pay (anti-dumping);
    * ``lazy_binaries``: ``(binary variable name, violations(hm, values) -> {key: steps}, start(hm, values) ->
      {(var, index): value})``: binaries relaxed to continuous at first and made binary again only when that
      solve violates what they enforce, started from the values it implies
      (:func:`energyhub.solve.workflow.solve_lazily`).
    """

    name: str
    order: int
    build: Callable[[HubModel], None]
    assets: tuple[type[AssetBase], ...] = ()
    carriers: tuple[Carrier, ...] = ()
    sizes: tuple[Size, ...] = ()
    per_unit: tuple[PerUnit, ...] = ()
    outputs: tuple[Output, ...] = ()
    extract: Callable[[HubModel, Values], dict[str, dict[str, np.ndarray]]] | None = None
    outputs_when: Callable[[Scenario], bool] | None = None
    kpis: Callable[[HubModel, HorizonSum], dict[str, Any]] | None = None
    cost_categories: dict[str, str] = field(default_factory=dict)
    meaning: dict[str, str] = field(default_factory=dict)
    live_capex: tuple[LiveCapex, ...] = ()
    live_penalties: dict[str, str] = field(default_factory=dict)
    branch_limit_mw: Callable[[HubModel, Value], np.ndarray] | None = None
    states: tuple[State, ...] = ()
    priced_sizes: Callable[[AssetBase], list[tuple[str, float, float]]] | None = None
    must_run: Callable[[HubModel, str], bool] | None = None
    lazy_binaries: tuple[str, Callable[[HubModel, Values], dict[str, set[int]]],
                         Callable[[HubModel, Values], dict[tuple[str, Any], float]]] | None = None

    @property
    def asset_types(self) -> tuple[str, ...]:
        return tuple(str(cls.model_fields["type"].annotation.__args__[0]) for cls in self.assets)  # type: ignore[union-attr]

    def writes_outputs(self, scenario: Scenario) -> bool:
        return self.outputs_when is None or self.outputs_when(scenario)


@cache
def components() -> tuple[Component, ...]:
    """Every registered component of :mod:`energyhub.model`, in build order."""
    import energyhub.model as package

    found: list[Component] = []
    for info in pkgutil.iter_modules(package.__path__):
        source = Path(str(getattr(info.module_finder, "path", ""))) / f"{info.name}.py"
        if source.is_file() and "\nCOMPONENTS" not in source.read_text(encoding="utf-8"):
            continue  # declares no component: not imported here (aggregate.py would pull in tsam)
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += getattr(module, "COMPONENTS", ())
    return tuple(sorted(found, key=lambda c: (c.order, c.name)))


def component_of(asset_type: str) -> Component | None:
    """The component that models assets of ``asset_type``."""
    return next((c for c in components() if asset_type in c.asset_types), None)


def carriers() -> tuple[Carrier, ...]:
    """Every carrier, in build order of the components that declare them."""
    return tuple(carrier for c in components() for carrier in c.carriers)


def outputs(scenario: Scenario | None = None) -> dict[str, Output]:
    """Dataset variables declared by the components (first declaration wins), optionally only those written for
    ``scenario``."""
    out: dict[str, Output] = {}
    for c in components():
        if scenario is not None and not c.writes_outputs(scenario):
            continue
        for o in c.outputs:
            out.setdefault(o.name, o)
    return out


def priced_sizes(asset: AssetBase) -> list[tuple[str, float, float]]:
    """(capacity key, capex EUR per unit, existing) of every priced size of ``asset``: its component's hook, or by
    default every size range of the asset (``energy_mwh: {existing, max, capex_eur_per_mwh}`` and the like)."""
    for c in components():
        if asset.type in c.asset_types and c.priced_sizes is not None:
            return c.priced_sizes(asset)
    out = []
    for name in type(asset).model_fields:
        size = getattr(asset, name)
        capex = [f for f in type(size).model_fields if f.startswith("capex_eur_per_")] if hasattr(size, "existing") \
            else []
        if capex:
            out.append((name, float(getattr(size, capex[0])), float(size.existing)))
    return out


def states() -> tuple[State, ...]:
    """Every storage level declared by the components."""
    return tuple(s for c in components() for s in c.states)


def size_labels() -> dict[str, str]:
    """Capacity quantity (size suffix or per-unit key) -> report label, e.g. ``energy_mwh`` -> ``Energy (MWh)``."""
    labels: dict[str, str] = {}
    for c in components():
        for s in c.sizes:
            labels.setdefault(s.suffix, s.label)
        for p in c.per_unit:
            labels.setdefault(p.key, p.label)
    return labels


def meanings() -> dict[str, str]:
    """Pyomo component name -> meaning, from every component and carrier."""
    out: dict[str, str] = {}
    for c in components():
        out.update(c.meaning)
        out.update({carrier.constraint: carrier.meaning for carrier in c.carriers})
    return out
