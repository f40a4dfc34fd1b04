"""Walking the latent space: interpolation (lerp and slerp) as an animation, vector arithmetic.

Linear interpolation cuts through the middle of the Gaussian, where latent vectors are
shorter than any the generator saw in training (a 64-D normal vector has norm ≈ 8; the
midpoint of two of them ≈ 5.7). Spherical interpolation (slerp) follows the great circle
instead, keeping the norm typical; the difference shows as washed-out middle frames.
"""

from __future__ import annotations

import os
import tempfile

import imageio.v3 as iio
import numpy as np
import torch
import torch.nn.functional as F

from playground import checks, registry
from playground.gans.sampling import (
    NO_TRUNCATION,
    class_labels,
    generate,
    image_grid,
    is_conditional,
    latent_vectors,
)

MODES = ("slerp", "lerp")
MAX_FRAMES = 240


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """(nz,), (nz,), (T,) → (T, nz) points on the straight line from a to b."""
    t = t.view(-1, 1)
    return (1 - t) * a + t * b


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """(nz,), (nz,), (T,) → (T, nz) points on the great circle from a to b (norms interpolated)."""
    t = t.view(-1, 1)
    a_unit, b_unit = a / a.norm(), b / b.norm()
    omega = torch.arccos((a_unit * b_unit).sum().clamp(-1 + 1e-7, 1 - 1e-7))  # angle between them
    if omega.abs() < 1e-4:  # nearly parallel: slerp and lerp agree
        return lerp(a, b, t.view(-1))
    sin_omega = torch.sin(omega)
    direction = (torch.sin((1 - t) * omega) * a_unit + torch.sin(t * omega) * b_unit) / sin_omega
    length = (1 - t) * a.norm() + t * b.norm()
    return direction * length


def interpolation_frames(
    model_name: str,
    seed_a: int,
    seed_b: int,
    frames: int = 60,
    mode: str = "slerp",
    truncation: float = NO_TRUNCATION,
    digit_a=0,
    digit_b=0,
) -> np.ndarray:
    """(frames, H, W, 3) uint8: the generator's pictures along the path from seed A to seed B.

    For a class-conditional generator the label is interpolated too (a soft one-hot), so
    class A (a digit, an emoji group) morphs into class B.
    """
    mode = checks.choice("interpolation", mode, MODES)
    frames = checks.integer("number of frames", frames, 2, MAX_FRAMES)
    nz = registry.meta(model_name)["nz"]
    a = latent_vectors(seed_a, 1, nz, truncation)[0]  # (nz,)
    b = latent_vectors(seed_b, 1, nz, truncation)[0]
    t = torch.linspace(0, 1, frames)  # (T,)
    z = (slerp if mode == "slerp" else lerp)(a, b, t)  # (T, nz)
    labels = None
    if is_conditional(model_name):
        k = registry.meta(model_name)["num_classes"]
        onehot_a = F.one_hot(class_labels(model_name, 1, digit_a), k).float()[0]  # (K,)
        onehot_b = F.one_hot(class_labels(model_name, 1, digit_b), k).float()[0]
        labels = lerp(onehot_a, onehot_b, t)  # (T, K) soft labels
    return generate(model_name, z, labels)


def write_gif(frames: np.ndarray, fps: float = 20, scale: int = 4, bounce: bool = True) -> str:
    """Write (T, H, W, 3) uint8 frames as a looping GIF (upscaled ``scale``×); returns its path."""
    if scale > 1:
        frames = frames.repeat(scale, axis=1).repeat(scale, axis=2)
    if bounce:  # there and back again, so the loop has no jump
        frames = np.concatenate([frames, frames[-2:0:-1]])
    handle, path = tempfile.mkstemp(prefix="gan-walk-", suffix=".gif")
    os.close(handle)
    iio.imwrite(path, frames, extension=".gif", duration=1000 / fps, loop=0)
    return path


def arithmetic(
    model_name: str,
    seed_a: int,
    seed_b: int,
    seed_c: int,
    truncation: float = NO_TRUNCATION,
    digit=0,
    average: int = 3,
) -> tuple[np.ndarray, list[str]]:
    """A − B + C in latent space. Each of A, B, C is the mean of ``average`` latents from its
    seed (the DCGAN paper averaged three samples per concept, which steadies the result).

    Returns a strip of 4 pictures (A, B, C, A − B + C) and their captions.
    """
    nz = registry.meta(model_name)["nz"]
    means = [latent_vectors(seed, average, nz, truncation).mean(dim=0) for seed in (seed_a, seed_b, seed_c)]
    # A mean of k normals has std 1/√k; rescale so each concept vector looks like one sample.
    means = [m * average**0.5 for m in means]
    result = means[0] - means[1] + means[2]
    z = torch.stack([*means, result])  # (4, nz)
    labels = class_labels(model_name, 4, digit) if is_conditional(model_name) else None
    images = generate(model_name, z, labels)
    strip = image_grid(images, columns=4, scale=max(1, 128 // images.shape[1]), pad=6)
    return strip, ["A", "B", "C", "A − B + C"]
