"""Activation functions by name, shared by every tab that lets people choose one.

Each entry is a plain function of a tensor (differentiable by autograd: derivatives are
never written by hand here). ``make_module`` gives the matching ``nn.Module`` for nets.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from playground.errors import UserInputError

DEFAULT_LEAKY_SLOPE = 0.01


def _step(x: torch.Tensor) -> torch.Tensor:
    # Heaviside step: 1 where x > 0. "+ 0 * x" keeps it in the autograd graph, whose
    # derivative is then 0 everywhere (the true derivative, except at 0 where it is undefined).
    return (x > 0).to(x.dtype) + 0 * x


def _mish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tanh(F.softplus(x))


ACTIVATIONS: dict[str, Callable[..., torch.Tensor]] = {
    "step": _step,
    "linear": lambda x: x,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda x, slope=DEFAULT_LEAKY_SLOPE: F.leaky_relu(x, slope),
    "elu": F.elu,
    "gelu": F.gelu,
    "silu": F.silu,  # also called Swish
    "softplus": F.softplus,
    "mish": _mish,
}

DISPLAY_NAMES = {
    "step": "Step",
    "linear": "Linear (identity)",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU / Swish",
    "softplus": "Softplus",
    "mish": "Mish",
}


def activation(name: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation function called ``name`` (LeakyReLU takes its slope here)."""
    if name not in ACTIVATIONS:
        raise UserInputError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    if name == "leaky_relu":
        return lambda x: ACTIVATIONS[name](x, leaky_slope)
    return ACTIVATIONS[name]


class Activation(nn.Module):
    """An nn.Module wrapper so any named activation can sit in nn.Sequential."""

    def __init__(self, name: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE):
        super().__init__()
        self.name = name
        self.leaky_slope = leaky_slope
        self.fn = activation(name, leaky_slope)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name + (f", slope={self.leaky_slope}" if self.name == "leaky_relu" else "")


def make_module(name: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> nn.Module:
    return Activation(name, leaky_slope)
