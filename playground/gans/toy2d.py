"""A GAN on 2-D points, GAN Lab style: small enough to watch every step.

The real data is a cloud of 2-D points (a ring of 8 Gaussians, a mixture, a line, or
points the visitor drew). The generator maps 2-D noise to 2-D points with a small MLP;
the discriminator is a small MLP that outputs the probability that a point is real.
Because everything is 2-D, the discriminator can be drawn as a heatmap over the plane
and the fake points drawn on top of it (``playground.gans.render2d`` draws them).

All randomness comes from the seed given to ``Toy2DGAN``: the same seed and the same
sequence of steps give the same pictures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground import checks
from playground.errors import TrainingDiverged, UserInputError

DISTRIBUTIONS = ("ring of 8 Gaussians", "mixture of 3 Gaussians", "line", "drawn points")
EXTENT = 3.0  # the plane shown is [-EXTENT, EXTENT]²
RING_RADIUS = 2.0
RING_STD = 0.1
RING_MODES = 8
NOISE_DIM = 2


def ring_centres() -> np.ndarray:
    angles = 2 * np.pi * np.arange(RING_MODES) / RING_MODES
    return RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (8, 2)


def sample_real(
    distribution: str, count: int, rng: np.random.Generator, drawn: np.ndarray | None = None
) -> np.ndarray:
    """(count, 2) float32 points of ``distribution``."""
    if distribution == "ring of 8 Gaussians":
        centres = ring_centres()[rng.integers(0, RING_MODES, count)]
        points = centres + RING_STD * rng.standard_normal((count, 2))
    elif distribution == "mixture of 3 Gaussians":
        centres = np.array([[-1.5, -1.0], [1.5, -1.0], [0.0, 1.6]])
        stds = np.array([0.25, 0.12, 0.4])
        which = rng.choice(3, size=count, p=[0.4, 0.3, 0.3])
        points = centres[which] + stds[which, None] * rng.standard_normal((count, 2))
    elif distribution == "line":
        t = rng.uniform(-1.0, 1.0, count)
        points = np.stack([2.2 * t, 1.1 * t], axis=1) + 0.05 * rng.standard_normal((count, 2))
    elif distribution == "drawn points":
        if drawn is None or len(drawn) < 3:
            raise UserInputError("Draw some points first (at least a short stroke) on the canvas.")
        points = drawn[rng.integers(0, len(drawn), count)] + 0.03 * rng.standard_normal((count, 2))
    else:
        raise UserInputError(f"unknown distribution {distribution!r}; choose one of {list(DISTRIBUTIONS)}")
    return points.astype(np.float32)


def points_from_ink(ink: np.ndarray, max_points: int = 4000) -> np.ndarray:
    """(H, W) ink in [0, 1] (a sketch) → (N, 2) points on the plane where there is ink."""
    ys, xs = np.nonzero(ink > 0.3)
    if len(xs) < 3:
        raise UserInputError("Draw some points first (at least a short stroke) on the canvas.")
    height, width = ink.shape
    side = max(height, width)  # keep the aspect: the canvas maps to the square plane
    x = (xs + 0.5 - width / 2) / side * 2 * EXTENT
    y = -(ys + 0.5 - height / 2) / side * 2 * EXTENT  # image rows grow downwards
    points = np.stack([x, y], axis=1).astype(np.float32)
    if len(points) > max_points:
        points = points[np.linspace(0, len(points) - 1, max_points).astype(int)]
    return points


def mlp(inputs: int, hidden: int, layers: int, outputs: int) -> nn.Sequential:
    modules: list[nn.Module] = []
    width = inputs
    for _ in range(layers):
        modules += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    modules.append(nn.Linear(width, outputs))
    return nn.Sequential(*modules)


@dataclass
class ToyConfig:
    distribution: str = "ring of 8 Gaussians"
    hidden: int = 64  # units per hidden layer, both networks
    layers: int = 3  # hidden layers, both networks
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    batch: int = 256
    seed: int = 0

    def validated(self) -> "ToyConfig":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        return replace(
            self,
            distribution=checks.choice("distribution", self.distribution, DISTRIBUTIONS),
            hidden=checks.integer("hidden units", self.hidden, 1, 1024),
            layers=checks.integer("hidden layers", self.layers, 1, 16),
            lr_g=checks.learning_rate(self.lr_g, minimum=1e-6, maximum=1.0, name="generator learning rate"),
            lr_d=checks.learning_rate(self.lr_d, minimum=1e-6, maximum=1.0, name="discriminator learning rate"),
            batch=checks.integer("batch size", self.batch, 1, 100_000),
            seed=checks.seed(self.seed),
        )


@dataclass
class Toy2DGAN:
    """One visitor's 2-D GAN: networks, optimizers, data, counters and loss history."""

    config: ToyConfig
    drawn: np.ndarray | None = None  # (N, 2) points for "drawn points"
    steps_d: int = 0
    steps_g: int = 0
    d_losses: list[float] = field(default_factory=list)
    g_losses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        c = self.config = self.config.validated()
        torch.manual_seed(c.seed)
        self.rng = np.random.default_rng(c.seed)
        self.torch_rng = torch.Generator().manual_seed(c.seed)
        self.generator = mlp(NOISE_DIM, c.hidden, c.layers, 2)
        self.discriminator = mlp(2, c.hidden, c.layers, 1)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=c.lr_g, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=c.lr_d, betas=(0.5, 0.999))
        # What the picture shows: fixed noise (so the fake cloud moves smoothly) and fixed real points.
        self.display_noise = torch.randn(600, NOISE_DIM, generator=self.torch_rng)
        self.display_real = sample_real(c.distribution, 600, self.rng, self.drawn)
        self.sample_real(8)  # fail early for "drawn points" without drawing

    def sample_real(self, count: int) -> torch.Tensor:
        return torch.from_numpy(sample_real(self.config.distribution, count, self.rng, self.drawn))

    def noise(self, count: int) -> torch.Tensor:
        return torch.randn(count, NOISE_DIM, generator=self.torch_rng)

    def step_d(self) -> float:
        """One discriminator step: real points → 1, generated points → 0."""
        real = self.sample_real(self.config.batch)  # (B, 2)
        with torch.no_grad():
            fake = self.generator(self.noise(self.config.batch))  # (B, 2)
        logits_real = self.discriminator(real).view(-1)
        logits_fake = self.discriminator(fake).view(-1)
        loss = F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real)) + \
            F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self.steps_d += 1
        return self._record(self.d_losses, loss.item())

    def step_g(self) -> float:
        """One generator step: move the fake points to where D says "real" (non-saturating loss)."""
        logits = self.discriminator(self.generator(self.noise(self.config.batch))).view(-1)
        loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.steps_g += 1
        return self._record(self.g_losses, loss.item())

    def train(self, steps: int, d_steps_per_g: int = 1) -> None:
        """``steps`` rounds of (``d_steps_per_g`` D steps, then one G step)."""
        for _ in range(steps):
            for _ in range(d_steps_per_g):
                self.step_d()
            self.step_g()

    def _record(self, history: list[float], value: float) -> float:
        if not math.isfinite(value):
            raise TrainingDiverged(f"a loss became {value}; reset and try smaller learning rates")
        history.append(value)
        return value

    @torch.no_grad()
    def fake_points(self, count: int | None = None) -> np.ndarray:
        """(N, 2) generated points (the fixed display noise unless ``count`` is given)."""
        noise = self.display_noise if count is None else self.noise(count)
        return self.generator(noise).numpy()

    @torch.no_grad()
    def discriminator_map(self, resolution: int = 64) -> np.ndarray:
        """(resolution, resolution) D(x) probabilities over the plane; row 0 is the top (y = +EXTENT)."""
        axis = np.linspace(-EXTENT, EXTENT, resolution, dtype=np.float32)
        xs, ys = np.meshgrid(axis, axis[::-1])
        grid = torch.from_numpy(np.stack([xs.ravel(), ys.ravel()], axis=1))  # (R², 2)
        return torch.sigmoid(self.discriminator(grid)).view(resolution, resolution).numpy()


def ring_mode_coverage(points: np.ndarray, radius: float = 3 * RING_STD, min_share: float = 0.25) -> dict:
    """Which of the 8 ring modes the points cover.

    A mode is covered when at least ``min_share`` of its fair share (1/8) of the points
    lie within ``radius`` of its centre. Also returns the share of points near any mode.
    """
    distances = np.linalg.norm(points[:, None, :] - ring_centres()[None], axis=2)  # (N, 8)
    near = distances < radius
    per_mode = near.sum(axis=0) / len(points)  # (8,)
    covered = per_mode >= min_share / RING_MODES
    return {
        "modes_covered": int(covered.sum()),
        "per_mode_share": per_mode.round(4).tolist(),
        "share_near_a_mode": float(near.any(axis=1).mean()),
    }
