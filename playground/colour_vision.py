"""How far apart two colours look to colour-blind eyes, to check that the pictures' colour keys stay readable.

Each colour is passed through Machado, Oliveira & Fernandes' (2009) simulation of full protanopia,
deuteranopia and tritanopia (3×3 matrices on linear RGB) and compared in CIELAB (ΔE 1976; about 2.3 is
a just-noticeable difference, and keys a reader must tell apart at a glance want 10 or more).
"""

from __future__ import annotations

import itertools

import numpy as np

SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65


def _linear(colours: np.ndarray) -> np.ndarray:
    c = np.asarray(colours, dtype=np.float64) / 255.0  # (N, 3) sRGB in [0, 1]
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = (linear @ _SRGB_TO_XYZ.T) / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=-1)


def closest_pair(colours) -> dict[str, float]:
    """{vision: the smallest ΔE between any two of ``colours`` (N × RGB 0-255) as that vision sees them}."""
    result = {}
    for vision, matrix in SIMULATIONS.items():
        seen = _lab(np.clip(_linear(colours) @ matrix.T, 0.0, 1.0))  # (N, 3)
        result[vision] = float(min(np.linalg.norm(seen[i] - seen[j])
                                   for i, j in itertools.combinations(range(len(seen)), 2)))
    return result
