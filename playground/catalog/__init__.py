"""Model descriptions: each module here registers its models with ``registry.register``
when it is imported, the way timm's model modules do with ``@register_model``.

Importing this package imports every module in it, so ``import playground.catalog`` is all it
takes to fill the registry; registering is cheap (no weights load before ``registry.get``).
The registry never imports this package: the tabs, the recipes, the command-line doors and
the tests do. It also plugs the fast CPU engine into the registry (``registry.use_accelerator``).
"""

from __future__ import annotations

import importlib
import pkgutil

from playground import inference, registry

# The shared models are served by the fast CPU engine (playground/inference.py), plugged in from here.
registry.use_accelerator(inference.accelerate)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
