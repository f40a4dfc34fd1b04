"""Model descriptions: each module here calls ``registry.register`` for its models.

Imported lazily on the first registry query. Registering is cheap (no weights load).
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
