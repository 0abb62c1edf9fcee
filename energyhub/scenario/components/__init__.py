"""The schema registry: one module per component family, found by name in this package.

A component schema module defines

* ``ASSETS``: its asset schema classes (subclasses of :class:`energyhub.scenario.types.AssetBase`, each with a
  ``type: Literal[...]`` tag);
* ``ORDER``: the position of its asset types in the discriminated ``Asset`` union;
* optionally ``HUB_FIELDS``: fields it adds to every hub (``{name: (annotation, FieldInfo)}``), e.g. a demand of
  its carrier; and ``HUB_SERIES``: which of them are time series (read as ``hubs.<hub>.<field>``);
* optionally ``LINK_CARRIERS``: carriers that links can carry, with the unit of the link's capacity field
  (``"kg_per_h"`` or ``"mw"``).

:mod:`energyhub.scenario.schema` builds ``Asset``, ``ASSET_TYPES``, ``HubSpec`` and the link carriers from this
registry, so adding a component needs no edit there.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from energyhub.scenario.types import AssetBase


def _modules() -> list[ModuleType]:
    found = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return sorted(found, key=lambda module: (int(getattr(module, "ORDER", 1000)), module.__name__))


MODULES: list[ModuleType] = _modules()

#: Asset schema classes by their ``type`` tag, in union order.
ASSET_CLASSES: dict[str, type[AssetBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls
    for module in MODULES
    for cls in getattr(module, "ASSETS", ())
}

#: Fields that components add to every hub: ``{name: (annotation, FieldInfo)}``.
HUB_FIELDS: dict[str, tuple[Any, Any]] = {
    name: spec for module in MODULES for name, spec in getattr(module, "HUB_FIELDS", {}).items()
}

#: Hub fields that are time series (besides the built-in ``demand_mw`` and ``h2_demand_kg_per_h``).
HUB_SERIES: tuple[str, ...] = tuple(name for module in MODULES for name in getattr(module, "HUB_SERIES", ()))

#: Carriers of links and the unit of their capacity (``kg_per_h`` or ``mw``).
LINK_CARRIERS: dict[str, str] = {
    name: unit for module in MODULES for name, unit in getattr(module, "LINK_CARRIERS", {}).items()
}
