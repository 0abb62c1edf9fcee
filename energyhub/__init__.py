"""energyhub: size and dispatch smart-energy-hub assets so that grid congestion is relieved at least cost.

The pipeline, one stage per sub-package, each knowing only the stages before it::

    scenario -> grid -> model -> solve -> results   (sweep builds on all of them)
"""

__version__ = "0.1.0"
