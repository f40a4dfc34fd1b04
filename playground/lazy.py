"""Import heavy libraries on first use, not at start-up.

``python app.py`` must answer its first HTTP request quickly, and torchvision, scikit-image
and SciPy together cost seconds to import while only some clicks need them.
``TF = lazy_module("torchvision.transforms.functional")`` behaves like the module from the
first attribute access on.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)  # the import lock makes this thread-safe
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}{' (loaded)' if self._module else ''}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
