"""Where the models run: the device is chosen once per process.

Order: the ``PLAYGROUND_DEVICE`` environment override (cpu | cuda | mps), then CUDA,
then Apple MPS, then the CPU. On the CPU the thread count is set once too
(``PLAYGROUND_THREADS`` overrides it): on a shared 2-core host one intra-op thread
per request is faster and steadier than two threads fighting another request.

``gpu`` is the one decorator for GPU work: under Hugging Face ZeroGPU it is
``spaces.GPU`` (the call runs in a worker that holds a GPU); everywhere else it
returns the function unchanged.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import torch

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


def cpu_threads() -> int:
    """Intra-op threads for CPU inference and training (see the module docstring)."""
    override = os.environ.get("PLAYGROUND_THREADS")
    if override:
        return max(1, int(override))
    cores = os.cpu_count() or 1
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
        description = f"CPU ({threads} thread{'s' if threads > 1 else ''} of {os.cpu_count()} cores)"
    elif zero_gpu:
        description = "ZeroGPU (a shared GPU is attached per request)"
    elif device.type == "cuda":
        description = f"GPU: {torch.cuda.get_device_name(device)}"
    else:
        description = "Apple GPU (MPS)"
    return DeviceInfo(device=device, description=description, zero_gpu=zero_gpu)


def get_device() -> torch.device:
    return device_info().device


def gpu(function=None, *, duration: int = 60):
    """``spaces.GPU`` on ZeroGPU, the identity elsewhere. Use bare or with ``duration=``."""

    def decorate(fn):
        if not _on_zero_gpu():
            return fn
        import spaces  # only installed on Spaces (the "spaces" extra)

        return spaces.GPU(duration=duration)(fn)

    return decorate(function) if function is not None else decorate
