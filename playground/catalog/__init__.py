"""Model descriptions: each module here registers its models with ``registry.register``
when it is imported, the way timm's model modules do with ``@register_model``.

Importing this package imports every module in it, so ``import playground.catalog`` is all it
takes to fill the registry; registering is cheap (no weights load before ``registry.get``).
The registry never imports this package: the tabs, the recipes, the command-line doors and
the tests do.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
