"""Diffusion and flow matching on 2-D points, small enough to watch every step.

The data are the 2-D GAN's point sets (``playground.gans.toy2d``: the ring of 8 Gaussians, a
mixture, a line, points the visitor drew). One convention for both methods here: t = 0 is the
data, t = 1 is pure noise ε ~ N(0, I).

- **Flow matching** (rectified flow): x_t = (1 − t)·x₀ + t·ε, a straight line from a data point
  to a noise point. A small MLP learns the velocity v(x_t, t) ≈ ε − x₀ (the line's direction).
  Sampling starts from noise at t = 1 and walks back along −v to t = 0: Euler steps, or Heun's
  (each step corrected by a second look at where it landed: twice the network calls; the last step,
  onto t = 0, stays Euler's, as in Karras et al.'s sampler).
- **DDPM** (ε-prediction): T = 1000 small noising steps with variances β_k (the schedule:
  linear or cosine), so x_k = √ᾱ_k·x₀ + √(1 − ᾱ_k)·ε with ᾱ_k = Π(1 − β_j). The MLP learns to
  tell which noise ε was added. Sampling walks k = T … 0: *ancestral* steps add fresh noise
  at every step (the DDPM paper's sampler); *DDIM* steps are deterministic. Fewer steps than T
  skip evenly through the 1000 (the schedule re-spaced).

The learned field is what moves a point while sampling: −v for flow matching, the score
−ε̂/√(1 − ᾱ) for DDPM (the direction to more likely points). All randomness comes from the seed.
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
from playground.gans import toy2d as points2d

METHODS = ("flow matching", "DDPM")
SCHEDULES = ("linear", "cosine")
SAMPLERS = {"flow matching": ("Euler", "Heun"), "DDPM": ("DDPM ancestral", "DDIM")}
ALL_SAMPLERS = tuple(name for names in SAMPLERS.values() for name in names)
DDPM_STEPS = 1000  # T
MAX_SAMPLING_STEPS = 1000
TIME_FEATURES = 16


def default_sampler(method: str) -> str:
    return SAMPLERS[method][0]


def alpha_bars(schedule: str, steps: int = DDPM_STEPS) -> np.ndarray:
    """(T + 1,) float64 ᾱ_k for k = 0 … T (ᾱ_0 = 1: the data itself).

    linear: β from 1e-4 to 0.02 (the DDPM paper); cosine: ᾱ follows cos² of the time, which
    destroys the data more evenly over the steps (Nichol & Dhariwal, 2021), β capped at 0.999."""
    if schedule == "linear":
        betas = np.linspace(1e-4, 0.02, steps)
        return np.concatenate([[1.0], np.cumprod(1 - betas)])
    if schedule == "cosine":
        offset = 0.008
        k = np.arange(steps + 1) / steps
        curve = np.cos((k + offset) / (1 + offset) * math.pi / 2) ** 2
        betas = np.clip(1 - curve[1:] / curve[:-1], 0, 0.999)
        return np.concatenate([[1.0], np.cumprod(1 - betas)])
    raise UserInputError(f"unknown noise schedule {schedule!r}; choose one of {list(SCHEDULES)}")


def time_features(t: torch.Tensor) -> torch.Tensor:
    """(B,) times in [0, 1] → (B, TIME_FEATURES) sines and cosines at frequencies 1 … 100."""
    half = TIME_FEATURES // 2
    frequencies = torch.exp(torch.linspace(0, math.log(100.0), half))
    angles = t[:, None] * frequencies[None] * math.pi
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """(x (B, 2), t (B,)) → (B, 2): the velocity (flow matching) or the noise ε (DDPM)."""

    def __init__(self, hidden: int = 128, layers: int = 3) -> None:
        super().__init__()
        sizes = [2 + TIME_FEATURES] + [hidden] * layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(hidden, 2)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        h = torch.cat([x, time_features(t)], dim=1)
        for layer in self.hidden:
            h = F.silu(layer(h))
        return self.out(h)


@dataclass
class Diffusion2DConfig:
    method: str = "flow matching"
    schedule: str = "linear"  # DDPM only
    distribution: str = "ring of 8 Gaussians"
    hidden: int = 128
    layers: int = 3
    lr: float = 3e-3
    batch: int = 256
    seed: int = 0

    def validated(self) -> "Diffusion2DConfig":
        return replace(
            self,
            method=checks.choice("method", self.method, METHODS),
            schedule=checks.choice("noise schedule", self.schedule, SCHEDULES),
            distribution=checks.choice("distribution", self.distribution, points2d.DISTRIBUTIONS),
            hidden=checks.integer("hidden units", self.hidden, 8, 512),
            layers=checks.integer("hidden layers", self.layers, 1, 8),
            lr=checks.learning_rate(self.lr, minimum=1e-5, maximum=0.1),
            batch=checks.integer("batch size", self.batch, 8, 4096),
            seed=checks.seed(self.seed),
        )


def check_steps(steps) -> int:
    return checks.integer("sampling steps", steps, 1, MAX_SAMPLING_STEPS)


def check_sampler(method: str, sampler: str) -> str:
    if sampler not in SAMPLERS[method]:
        raise UserInputError(f"the sampler {sampler!r} does not fit {method}; choose one of {list(SAMPLERS[method])}")
    return sampler


@dataclass
class Diffusion2D:
    """One visitor's 2-D diffusion or flow model: network, optimiser, data and history."""

    config: Diffusion2DConfig
    drawn: np.ndarray | None = None  # (N, 2) points for "drawn points"
    steps: int = 0
    losses: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        c = self.config = self.config.validated()
        torch.manual_seed(c.seed)
        self.rng = np.random.default_rng(c.seed)
        self.torch_rng = torch.Generator().manual_seed(c.seed)
        self.network = Denoiser(c.hidden, c.layers)
        self.optimiser = torch.optim.Adam(self.network.parameters(), lr=c.lr)
        self.alpha_bar = torch.from_numpy(alpha_bars(c.schedule)).float()  # (T + 1,)
        # What the pictures show: fixed real points and fixed starting noise (so the samples move smoothly).
        self.display_real = points2d.sample_real(c.distribution, 600, self.rng, self.drawn)
        self.display_noise = torch.randn(600, 2, generator=self.torch_rng)
        self.forward_noise = torch.randn(600, 2, generator=self.torch_rng)

    @property
    def is_flow(self) -> bool:
        return self.config.method == "flow matching"

    # ------------------------------------------------------------ the forward process

    def noised(self, clean: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(x_t, the network's input time) for clean points (B, 2) at times t (B,) in [0, 1]."""
        if self.is_flow:
            return (1 - t[:, None]) * clean + t[:, None] * noise, t
        k = (t * DDPM_STEPS).round().clamp(1, DDPM_STEPS).long()  # the discrete step
        a = self.alpha_bar[k][:, None]
        return a.sqrt() * clean + (1 - a).sqrt() * noise, k.float() / DDPM_STEPS

    def forward_process(self, t: float) -> np.ndarray:
        """(600, 2): the display's real points noised to time t (0 = data, 1 = noise), same noise every time."""
        t = checks.real("noise level t", t, 0.0, 1.0)
        clean = torch.from_numpy(self.display_real)
        if t == 0:
            return clean.numpy().copy()
        x_t, _ = self.noised(clean, torch.full((len(clean),), t), self.forward_noise)
        return x_t.numpy()

    # ------------------------------------------------------------ training

    def train(self, steps: int) -> None:
        """``steps`` steps of the method's regression on fresh batches of real points."""
        c = self.config
        for _ in range(steps):
            clean = torch.from_numpy(points2d.sample_real(c.distribution, c.batch, self.rng, self.drawn))
            noise = torch.randn(c.batch, 2, generator=self.torch_rng)
            t = torch.rand(c.batch, generator=self.torch_rng)
            x_t, time_input = self.noised(clean, t, noise)
            target = noise - clean if self.is_flow else noise
            loss = F.mse_loss(self.network(x_t, time_input), target)
            self.optimiser.zero_grad(set_to_none=True)
            loss.backward()
            self.optimiser.step()
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingDiverged(f"the loss became {value}; reset and try a smaller learning rate")
            self.losses.append(value)
            self.steps += 1

    def set_learning_rate(self, lr: float) -> None:
        lr = checks.learning_rate(lr, minimum=1e-5, maximum=0.1)
        self.config.lr = lr
        for group in self.optimiser.param_groups:
            group["lr"] = lr

    # ------------------------------------------------------------ sampling

    @torch.no_grad()
    def sample(self, sampler: str, steps: int, noise: torch.Tensor | None = None, count: int = 600,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(final points (N, 2), trajectory (steps + 1, N, 2) from the noise to the final points).

        ``noise`` (N, 2) is where the walk starts (default: the display's fixed noise, or ``count``
        fresh points from ``seed``)."""
        sampler = check_sampler(self.config.method, sampler)
        steps = check_steps(steps)
        if noise is None:
            noise = self.display_noise if seed is None else torch.randn(
                count, 2, generator=torch.Generator().manual_seed(checks.seed(seed)))
        x = noise.clone()
        path = [x.numpy().copy()]
        self.network.eval()
        try:
            walk = self._flow_steps if self.is_flow else self._ddpm_steps
            for x in walk(x, sampler, steps, seed):
                path.append(x.numpy().copy())
        finally:
            self.network.train()
        trajectory = np.stack(path)
        return trajectory[-1], trajectory

    def _flow_steps(self, x: torch.Tensor, sampler: str, steps: int, seed):
        times = torch.linspace(1.0, 0.0, steps + 1)
        for t, t_next in zip(times[:-1], times[1:]):
            dt = float(t_next - t)  # negative: towards the data
            velocity = self.network(x, torch.full((len(x),), float(t)))
            if sampler == "Heun" and t_next > 0:  # the last step stays Euler's: the field at t = 0 is the data's edge
                guess = x + dt * velocity
                velocity_there = self.network(guess, torch.full((len(x),), float(t_next)))
                x = x + dt * (velocity + velocity_there) / 2
            else:
                x = x + dt * velocity
            yield x

    def _ddpm_steps(self, x: torch.Tensor, sampler: str, steps: int, seed):
        # k from T down to 1 in ``steps`` evenly spaced jumps; each jump is one re-spaced step.
        ks = np.unique(np.round(np.linspace(DDPM_STEPS, 0, steps + 1)).astype(int))[::-1]  # T, …, 0
        generator = torch.Generator().manual_seed(0 if seed is None else checks.seed(seed) + 1)
        for k, k_prev in zip(ks[:-1], ks[1:]):
            a, a_prev = self.alpha_bar[k], self.alpha_bar[k_prev]
            eps = self.network(x, torch.full((len(x),), k / DDPM_STEPS))
            clean = (x - (1 - a).sqrt() * eps) / a.sqrt()  # the network's guess of x₀
            clean = clean.clamp(-2 * points2d.EXTENT, 2 * points2d.EXTENT)  # a guess from pure noise can be wild
            if sampler == "DDIM":
                x = a_prev.sqrt() * clean + (1 - a_prev).sqrt() * eps
            else:
                beta = 1 - a / a_prev  # the re-spaced step's variance
                mean = a_prev.sqrt() * beta / (1 - a) * clean + (1 - beta).sqrt() * (1 - a_prev) / (1 - a) * x
                x = mean
                if k_prev > 0:
                    x = mean + (beta * (1 - a_prev) / (1 - a)).sqrt() * torch.randn(x.shape, generator=generator)
            yield x

    @torch.no_grad()
    def field(self, t: float, resolution: int = 17) -> tuple[np.ndarray, np.ndarray]:
        """(positions (R², 2), directions (R², 2)) of the learned field at time t on a grid over the plane:
        where sampling moves a point there (−v for flow matching, the score for DDPM)."""
        t = checks.real("noise level t", t, 0.0, 1.0)
        axis = np.linspace(-points2d.EXTENT, points2d.EXTENT, resolution + 2, dtype=np.float32)[1:-1]
        xs, ys = np.meshgrid(axis, axis)
        grid = torch.from_numpy(np.stack([xs.ravel(), ys.ravel()], axis=1))
        self.network.eval()
        try:
            if self.is_flow:
                directions = -self.network(grid, torch.full((len(grid),), t))
            else:
                k = int(round(min(max(t, 1 / DDPM_STEPS), 1.0) * DDPM_STEPS))
                eps = self.network(grid, torch.full((len(grid),), k / DDPM_STEPS))
                directions = -eps / (1 - self.alpha_bar[k]).sqrt()
        finally:
            self.network.train()
        return grid.numpy(), directions.numpy()


# ---------------------------------------------------------------- how good are the samples?


def sliced_distance(points: np.ndarray, real: np.ndarray, projections: int = 64, seed: int = 0) -> float:
    """Sliced Wasserstein-1 distance between two 2-D point clouds of any sizes: the mean, over
    random directions, of the 1-D transport distance between the projected points (0 = same)."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, np.pi, projections)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (P, 2)
    quantiles = np.linspace(0.005, 0.995, 200)
    a = np.quantile(points @ directions.T, quantiles, axis=0)  # (Q, P)
    b = np.quantile(real @ directions.T, quantiles, axis=0)
    return float(np.abs(a - b).mean())


def quality(run: "Diffusion2D", points: np.ndarray) -> dict:
    """Sliced distance to fresh real points and, on the ring, the modes covered and the share near a mode."""
    real = points2d.sample_real(run.config.distribution, 2000, np.random.default_rng(12345), run.drawn)
    finite = points[np.isfinite(points).all(axis=1)]
    figures = {"distance": sliced_distance(finite, real) if len(finite) else float("inf")}
    if run.config.distribution == "ring of 8 Gaussians":
        coverage = points2d.ring_mode_coverage(finite if len(finite) else np.zeros((1, 2)))
        figures["modes_covered"] = coverage["modes_covered"]
        figures["share_near_a_mode"] = coverage["share_near_a_mode"]
    return figures


STEP_COUNTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def quality_by_steps(run: Diffusion2D, sampler: str, counts=STEP_COUNTS, points: int = 1000) -> list[dict]:
    """The sampler at each step count, from the same noise: [{steps, distance[, modes…]}]."""
    noise = torch.randn(points, 2, generator=torch.Generator().manual_seed(run.config.seed + 7))
    found = []
    for steps in counts:
        final, _ = run.sample(sampler, steps, noise=noise, seed=run.config.seed)
        found.append({"steps": steps, **quality(run, final)})
    return found
