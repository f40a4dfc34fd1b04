"""Where the models run: one device rule for the whole playground.

**The rule.** Only this module and the two model factories decide where a model lives;
everything else follows the model.

1. *Shared models* (``registry.get``: frozen, one copy for every visitor) live on the
   chosen device, ``get_device()``: the ``PLAYGROUND_DEVICE`` environment override
   (cpu | cuda | mps), then CUDA, then Apple MPS, then the CPU. ``registry.get`` puts them
   there; nothing else calls ``get_device()``.
2. *Session models* (one visitor's own, trained live: ``registry.create`` or a network
   built by a tab's compute module) live on ``session_device()``: the CPU. They are small
   and sized for a 2-core host, the live-training runtime shares that CPU fairly between
   visitors, and under ZeroGPU a GPU is only lent for one call, so a model kept in
   ``gr.State`` between calls cannot live on it. A network built with its constructor is
   already there (PyTorch builds on the CPU); ``session_model(model)`` says so in code.
3. *Inputs follow the model.* A compute function never picks a device: it moves its
   inputs to the model it feeds (``to_model(model, x)``, ``device_of(model)``), and
   brings results back with ``.cpu()`` before numpy. ``training.fit`` works this way.
   So a shared model on a GPU can feed a session model on the CPU (transfer learning's
   cached features, Grad-CAM's map into a trained head) without mixing devices.

On the CPU the thread count is set once too (``PLAYGROUND_THREADS`` overrides it): on a
shared 2-core host one intra-op thread per request is faster and steadier than two threads
fighting another request.

``gpu`` is the one decorator for GPU work: under Hugging Face ZeroGPU it is
``spaces.GPU`` (the call runs in a worker that holds a GPU); everywhere else it
returns the function unchanged.
"""

from __future__ import annotations

import functools
import itertools
import os
from dataclasses import dataclass
from typing import overload

import torch
from torch import nn

_KNOWN_DEVICES = ("cpu", "cuda", "mps")


@dataclass(frozen=True)
class DeviceInfo:
    device: torch.device
    description: str  # what the header of the app shows, e.g. "CPU (2 threads)"
    zero_gpu: bool


def _on_zero_gpu() -> bool:
    # Spaces sets SPACES_ZERO_GPU on ZeroGPU hardware.
    return os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "true")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def _pick_device() -> torch.device:
    override = os.environ.get("PLAYGROUND_DEVICE", "").strip().lower()
    if override:
        if override not in _KNOWN_DEVICES:
            raise ValueError(f"PLAYGROUND_DEVICE={override!r}; choose one of {list(_KNOWN_DEVICES)}")
        if override == "cuda" and not torch.cuda.is_available() and not _on_zero_gpu():
            raise RuntimeError("PLAYGROUND_DEVICE=cuda but CUDA is not available on this machine")
        if override == "mps" and not _mps_available():
            raise RuntimeError("PLAYGROUND_DEVICE=mps but Apple MPS is not available on this machine")
        return torch.device(override)
    if _on_zero_gpu():
        # Under ZeroGPU CUDA only exists inside @gpu calls; models still live on "cuda".
        return torch.device("cuda")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def usable_cores() -> int:
    """The cores this process may run on: fewer than the machine's when it is pinned (``taskset``, the
    deploy runner's replicas) or confined by a container's cpuset."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def cpu_threads() -> int:
    """Intra-op threads for CPU inference and training (see the module docstring)."""
    override = os.environ.get("PLAYGROUND_THREADS")
    if override:
        return max(1, int(override))
    cores = usable_cores()
    # Small hosts (Spaces CPU tier: 2 vCPU) serve several requests at once: 1 thread each.
    # Bigger hosts get half their cores, capped at 8 (beyond that small nets gain nothing).
    return 1 if cores <= 2 else min(8, cores // 2)


@functools.lru_cache(maxsize=1)
def device_info() -> DeviceInfo:
    device = _pick_device()
    zero_gpu = _on_zero_gpu()
    if device.type == "cpu":
        threads = cpu_threads()
        torch.set_num_threads(threads)
        description = f"CPU ({threads} thread{'s' if threads > 1 else ''} of {usable_cores()} cores)"
    elif zero_gpu:
        description = "ZeroGPU (a shared GPU is attached per request)"
    elif device.type == "cuda":
        description = f"GPU: {torch.cuda.get_device_name(device)}"
    else:
        description = "Apple GPU (MPS)"
    return DeviceInfo(device=device, description=description, zero_gpu=zero_gpu)


def get_device() -> torch.device:
    """Where the shared models live (rule 1): only ``registry.get`` asks."""
    return device_info().device


def session_device() -> torch.device:
    """Where a visitor's own, live-trained models live (rule 2): the CPU."""
    return torch.device("cpu")


def session_model(model: nn.Module) -> nn.Module:
    """``model`` placed where session models live (rule 2), in place like ``Module.to``."""
    return model.to(session_device())


def device_of(model: nn.Module) -> torch.device:
    """The device of a model's weights (its first parameter or buffer; the CPU if it has none)."""
    for tensor in itertools.chain(model.parameters(), model.buffers()):
        return tensor.device
    return torch.device("cpu")


@overload
def to_model(model: nn.Module, tensor: torch.Tensor, /) -> torch.Tensor: ...
@overload
def to_model(model: nn.Module, *tensors: torch.Tensor | None) -> tuple: ...


def to_model(model: nn.Module, *tensors):
    """Inputs follow the model (rule 3): each tensor moved to ``model``'s device (None stays None).

    One tensor in, one tensor out; several in, a tuple out. A tensor already there is
    returned as it is (no copy), so the call costs nothing on a single-device host.
    """
    device = device_of(model)
    moved = tuple(None if tensor is None else tensor.to(device) for tensor in tensors)
    return moved[0] if len(moved) == 1 else moved


def gpu(function=None, *, duration: int = 60):
    """``spaces.GPU`` on ZeroGPU, the identity elsewhere. Use bare or with ``duration=``."""

    def decorate(fn):
        if not _on_zero_gpu():
            return fn
        import spaces  # only installed on Spaces (the "spaces" extra)

        return spaces.GPU(duration=duration)(fn)

    return decorate(function) if function is not None else decorate
