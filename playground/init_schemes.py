"""Weight-initialisation schemes by name, each with the standard deviation it promises.

The seed notes' rule is here as two schemes: uniform in [-1/√n, 1/√n] and normal with
std 1/√n, where n is the neuron's number of inputs (fan-in). ``expected_std`` is the
formula a test can compare a sample against; ``density`` the theoretical pdf (for a
histogram overlay; None where there is no density, e.g. constants and orthogonal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from playground.errors import UserInputError


@dataclass(frozen=True)
class InitScheme:
    key: str
    label: str
    # (fan_in, fan_out, gain) -> standard deviation of the weights
    std: Callable[[int, int, float], float]
    # "uniform" | "normal" | "constant" | "orthogonal": the shape of the distribution
    family: str
    constant: float = 0.0  # for family "constant"
    note: str = ""


def _uniform_std(bound: float) -> float:
    return bound / math.sqrt(3.0)  # std of U(-a, a) is a / √3


SCHEMES: dict[str, InitScheme] = {
    scheme.key: scheme
    for scheme in (
        InitScheme("seed_uniform", "Seed rule: uniform ±1/√n", lambda i, o, g: _uniform_std(1 / math.sqrt(i)), "uniform",
                   note="the seed notes' rule: U(-y, y) with y = 1/√n"),
        InitScheme("seed_normal", "Seed rule: normal(0, 1/√n)", lambda i, o, g: 1 / math.sqrt(i), "normal",
                   note="the seed notes' better rule: N(0, y²) with y = 1/√n"),
        InitScheme("zeros", "Zeros", lambda i, o, g: 0.0, "constant", 0.0,
                   note="every neuron computes the same thing: symmetry is never broken"),
        InitScheme("constant", "Constant 0.5", lambda i, o, g: 0.0, "constant", 0.5,
                   note="non-zero, but still identical neurons"),
        InitScheme("too_small", "Too small: normal(0, 0.01²)", lambda i, o, g: 0.01, "normal",
                   note="signals shrink layer after layer"),
        InitScheme("too_large", "Too large: normal(0, 1)", lambda i, o, g: 1.0, "normal",
                   note="signals grow or saturate layer after layer"),
        InitScheme("xavier_uniform", "Xavier/Glorot uniform", lambda i, o, g: g * math.sqrt(2.0 / (i + o)), "uniform"),
        InitScheme("xavier_normal", "Xavier/Glorot normal", lambda i, o, g: g * math.sqrt(2.0 / (i + o)), "normal"),
        InitScheme("kaiming_uniform", "Kaiming/He uniform", lambda i, o, g: g / math.sqrt(i), "uniform",
                   note="gain √2 for ReLU keeps the variance through depth"),
        InitScheme("kaiming_normal", "Kaiming/He normal", lambda i, o, g: g / math.sqrt(i), "normal"),
        InitScheme("orthogonal", "Orthogonal", lambda i, o, g: g / math.sqrt(max(i, o)),
                   "orthogonal", note="rows (or columns) are orthonormal, scaled by the gain"),
    )
}


def scheme(key: str) -> InitScheme:
    if key not in SCHEMES:
        raise UserInputError(f"unknown init scheme {key!r}; choose one of {sorted(SCHEMES)}")
    return SCHEMES[key]


def gain_for(activation_name: str, leaky_slope: float = 0.01) -> float:
    """PyTorch's recommended gain for an activation (1 where it defines none)."""
    known = {"relu", "leaky_relu", "tanh", "sigmoid", "linear", "selu"}
    if activation_name not in known:
        return 1.0
    return nn.init.calculate_gain(activation_name, leaky_slope if activation_name == "leaky_relu" else None)


def sample(key: str, fan_in: int, fan_out: int, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """A (fan_out, fan_in) weight matrix drawn from the scheme."""
    if fan_in < 1 or fan_out < 1:
        raise UserInputError(f"fan-in and fan-out must be at least 1, got {fan_in}, {fan_out}")
    weight = torch.empty(fan_out, fan_in)
    initialise_(weight, key, gain, generator)
    return weight


def initialise_(weight: torch.Tensor, key: str, gain: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Fill ``weight`` (out, in, *kernel) in place; fan-in counts the kernel too."""
    chosen = scheme(key)
    fan_out = weight.shape[0]
    fan_in = weight[0].numel()
    std = chosen.std(fan_in, fan_out, gain)
    with torch.no_grad():
        if chosen.family == "constant":
            weight.fill_(chosen.constant)
        elif chosen.family == "normal":
            weight.normal_(0.0, std, generator=generator)
        elif chosen.family == "uniform":
            bound = std * math.sqrt(3.0)
            weight.uniform_(-bound, bound, generator=generator)
        else:  # orthogonal
            flat = torch.empty(fan_out, fan_in)
            nn.init.orthogonal_(flat, gain=gain, generator=generator)
            weight.copy_(flat.view_as(weight))
    return weight


def density(key: str, fan_in: int, fan_out: int, gain: float, x: np.ndarray) -> np.ndarray | None:
    """The theoretical pdf at ``x`` (None for constant and orthogonal schemes)."""
    chosen = scheme(key)
    std = chosen.std(fan_in, fan_out, gain)
    if chosen.family == "normal" and std > 0:
        return np.exp(-0.5 * (x / std) ** 2) / (std * math.sqrt(2 * math.pi))
    if chosen.family == "uniform" and std > 0:
        bound = std * math.sqrt(3.0)
        return np.where(np.abs(x) <= bound, 1.0 / (2 * bound), 0.0)
    return None


def initialise_model_(model: nn.Module, key: str, gain: float = 1.0, generator: torch.Generator | None = None) -> nn.Module:
    """Apply a scheme to every Linear/Conv weight of ``model``; biases start at zero."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            initialise_(module.weight, key, gain, generator)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model
