"""The model registry: one front door to every network the tabs use.

- ``register(name, builder, weights=..., meta=...)`` describes a model as data; a
  duplicate name is an error. ``weights`` names a card in ``pretrained/``.
- ``list_models(pattern)`` feeds dropdowns, so no tab hard-codes model names.
- ``get(name)`` returns the shared, cached, read-only inference model: eval mode, no
  gradients, on the chosen device. It loads lazily on first use and is thread-safe
  (Gradio runs handlers in a thread pool). Never train it or change it in place. On the
  CPU the methods named in ``meta["inference"]`` are served by onnxruntime where that
  gives the same answer (``playground/inference.py``); everything else stays eager.
- ``create(name, pretrained=...)`` returns a fresh trainable copy that belongs to one
  visitor's session (keep it in ``gr.State``), on the session device.

Where each kind lives is ``playground/device.py``'s rule: ``get`` on ``get_device()``,
``create`` on ``session_device()``; callers move their inputs to the model.

Models register themselves, as timm's do: each module in ``playground/catalog/`` calls
``register`` when it is imported, and importing ``playground.catalog`` imports them all
(registering is cheap: no weights load before ``get``). Whoever asks for a model imports
the catalog first (the tabs, the recipes, the command-line doors, the tests); this module
imports nothing above it.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from playground import weights as weight_files
from playground.device import get_device, session_model


@dataclass(frozen=True)
class ModelSpec:
    name: str
    builder: Callable[[], nn.Module]  # builds the architecture with random weights
    weights: str | None = None  # card name in pretrained/, or None for untrained models
    meta: dict[str, Any] = field(default_factory=dict)  # labels, input size, normalisation, …


_specs: dict[str, ModelSpec] = {}
_loaded: dict[str, nn.Module] = {}
_registry_lock = threading.Lock()  # guards _specs and _loaded
_load_locks: dict[str, threading.Lock] = {}  # one per name: two names load in parallel


def register(
    name: str,
    builder: Callable[[], nn.Module],
    weights: str | None = None,
    meta: dict[str, Any] | None = None,
) -> ModelSpec:
    spec = ModelSpec(name=name, builder=builder, weights=weights, meta=dict(meta or {}))
    with _registry_lock:
        if name in _specs:
            raise ValueError(f"model {name!r} is already registered")
        _specs[name] = spec
        _load_locks[name] = threading.Lock()
    return spec


def unregister(name: str) -> None:
    """Remove a model (tests use this to clean up what they registered)."""
    with _registry_lock:
        _specs.pop(name, None)
        _loaded.pop(name, None)
        _load_locks.pop(name, None)


def list_models(pattern: str = "*", **meta_filter: Any) -> list[str]:
    """Names matching a glob ``pattern`` whose meta has every ``key=value`` given."""
    with _registry_lock:
        specs = list(_specs.values())
    return sorted(
        spec.name
        for spec in specs
        if fnmatch.fnmatch(spec.name, pattern)
        and all(spec.meta.get(key) == value for key, value in meta_filter.items())
    )


def spec(name: str) -> ModelSpec:
    found = _specs.get(name)  # a dict read is atomic; the lock guards writers
    if found is None:
        with _registry_lock:
            known = sorted(_specs)
        hint = "" if known else " (nothing is registered yet: `import playground.catalog` registers every model)"
        raise KeyError(f"unknown model {name!r}; known: {known}{hint}")
    return found


def _build(model_spec: ModelSpec, pretrained: bool) -> nn.Module:
    model = model_spec.builder()
    if pretrained:
        if model_spec.weights is None:
            raise ValueError(f"model {model_spec.name!r} has no pretrained weights")
        state = weight_files.load_state_dict(model_spec.weights)
        model.load_state_dict(state, strict=True)
    return model


def get(name: str) -> nn.Module:
    """The shared inference model (eval, frozen, on the device), loaded on first use."""
    cached = _loaded.get(name)  # the common case, without the lock (a dict read is atomic)
    if cached is not None:
        return cached
    model_spec = spec(name)
    with _registry_lock:
        cached = _loaded.get(name)
        load_lock = _load_locks[name]
    if cached is not None:
        return cached
    with load_lock:  # only one thread loads a given model; the others wait for it
        with _registry_lock:
            cached = _loaded.get(name)
        if cached is not None:
            return cached
        # Built outside inference mode even when the first caller runs inside it: weights made in
        # inference mode are inference tensors, and a later caller that needs gradients through
        # the frozen network (Gatys optimising an image) could not use them.
        with torch.inference_mode(False):
            model = _build(model_spec, pretrained=model_spec.weights is not None)
            model = model.to(get_device()).eval().requires_grad_(False)
        if get_device().type == "cpu" and _accelerator is not None:  # a faster engine behind the same methods
            model = _accelerator(model, name, model_spec.meta.get("inference"), card=model_spec.weights)
        with _registry_lock:
            _loaded[name] = model
        return model


Accelerator = Callable[..., nn.Module]  # (model, name, its "inference" meta, card=weights file) → the served model
_accelerator: Accelerator | None = None


def use_accelerator(accelerate: Accelerator | None) -> None:
    """The fast CPU engine ``get`` puts behind a shared model's methods (``playground.inference.accelerate``,
    plugged in by ``playground.catalog``: the registry imports nothing above it). None: plain PyTorch."""
    global _accelerator
    _accelerator = accelerate


def create(name: str, pretrained: bool = True, device: torch.device | None = None) -> nn.Module:
    """A fresh, trainable copy for one session (train mode, gradients on), on the session
    device unless ``device`` says otherwise (a recipe training on a GPU)."""
    model_spec = spec(name)
    model = _build(model_spec, pretrained=pretrained and model_spec.weights is not None)
    return (model.to(device) if device is not None else session_model(model)).train()


def clear_loaded() -> None:
    """Forget every loaded shared model: the next ``get`` loads it again, on the device chosen
    then (the CUDA tests compare the same path on the CPU and on the GPU this way)."""
    with _registry_lock:
        _loaded.clear()


def is_loaded(name: str) -> bool:
    with _registry_lock:
        return name in _loaded


def meta(name: str) -> dict[str, Any]:
    return spec(name).meta
