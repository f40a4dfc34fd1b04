"""The init explorer: one weight matrix sampled from a scheme, its std against the formula."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from playground import checks, init_schemes
from playground.init_lab.settings import known_activation, known_scheme, scheme_gain

MAX_FAN = 4096
MAX_FAN_OUT = 1024  # fan-in × fan-out ≤ 4M weights keeps one histogram well under a second


@dataclass
class WeightSample:
    key: str
    fan_in: int
    fan_out: int
    gain: float
    values: np.ndarray  # (fan_out * fan_in,) the sampled weights, flattened
    measured_std: float
    measured_mean: float
    expected_std: float  # the scheme's formula for this fan-in / fan-out / gain

    @property
    def standard_error(self) -> float:
        """Sampling error of the measured std: σ/√(2N) for a normal, σ·√0.8/(2√N) for a uniform
        (its kurtosis is 9/5, not 3); 0 for constants, and orthogonal rows have a fixed norm."""
        n = max(self.values.size, 1)
        family = init_schemes.scheme(self.key).family
        if family == "uniform":
            return self.expected_std * math.sqrt(0.8) / (2 * math.sqrt(n))
        if family == "normal":
            return self.expected_std / math.sqrt(2 * n)
        return 0.0


def sample_weights(key: str, fan_in: int, fan_out: int, activation: str = "relu", seed: int = 0) -> WeightSample:
    """Draw a (fan_out, fan_in) matrix from scheme ``key`` with this lab's gain rule."""
    known_scheme(key)
    known_activation(activation)
    fan_in = checks.integer("fan-in", fan_in, 1, MAX_FAN)
    fan_out = checks.integer("fan-out", fan_out, 1, MAX_FAN_OUT)
    seed = checks.seed(seed)
    gain = scheme_gain(key, activation)
    generator = torch.Generator().manual_seed(seed)
    weight = init_schemes.sample(key, fan_in, fan_out, gain, generator)  # (fan_out, fan_in)
    values = weight.numpy().ravel()
    return WeightSample(
        key=key,
        fan_in=fan_in,
        fan_out=fan_out,
        gain=gain,
        values=values,
        measured_std=float(values.std()),
        measured_mean=float(values.mean()),
        expected_std=init_schemes.scheme(key).std(fan_in, fan_out, gain),
    )
