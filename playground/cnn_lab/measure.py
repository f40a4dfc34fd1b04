"""Counting a network's parameters and FLOPs, and timing it on this machine.

FLOPs here = 2 × multiply-accumulates of the convolution and linear layers (one multiply
and one add each), for one 28×28 digit; batch norm, ReLU, pooling and the bias adds are
left out, as is usual (they are a few percent at most).
"""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn

from playground.device import device_of


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def multiply_accumulates(model: nn.Module, input_shape=(1, 1, 28, 28)) -> dict[str, int]:
    """{layer name: multiply-accumulates for one input} for every Conv2d and Linear layer.

    Conv2d: output elements × (input channels / groups) × kernel height × kernel width.
    Linear: output features × input features.
    """
    counts: dict[str, int] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            def conv_hook(module, inputs, output, name=name):
                kernel = module.kernel_size[0] * module.kernel_size[1]
                per_output = (module.in_channels // module.groups) * kernel
                counts[name] = counts.get(name, 0) + output[0].numel() * per_output
            hooks.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            def linear_hook(module, inputs, output, name=name):
                counts[name] = counts.get(name, 0) + module.in_features * module.out_features
            hooks.append(module.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape, device=device_of(model)))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return counts


def flops(model: nn.Module) -> int:
    """FLOPs for one digit (2 × multiply-accumulates of conv and linear layers)."""
    return 2 * sum(multiply_accumulates(model).values())


@torch.inference_mode()
def latency_ms(model: nn.Module, batch_size: int = 1, repeats: int = 30, warmup: int = 5) -> float:
    """Median wall time of one forward pass on the CPU, in milliseconds (eval mode)."""
    was_training = model.training
    model = model.eval()
    inputs = torch.rand(batch_size, 1, 28, 28)
    for _ in range(warmup):
        model(inputs)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(inputs)
        times.append((time.perf_counter() - start) * 1000)
    model.train(was_training)
    return statistics.median(times)
