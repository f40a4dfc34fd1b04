"""Batched training steps for a class of 2-D diffusion models of the same shape.

A class of 30 pressing Play in the live 2-D lab runs 30 tiny denoisers (2 + 16 → 128 → 128 → 128 → 2,
batches of 256 points). Alone, each Adam step costs more in Python and dispatch than in arithmetic.
Runs whose step has the same shapes (method, hidden units, layers, batch size: ``group_key``) can be
stacked: weights (K, out, in), points (K, B, 2), one forward, backward and Adam update for all K
(``torch.baddbmm``; autograd on the stacked weights gives each member its own gradient, since the
members never mix).

Each member keeps its own everything: its data and noise (drawn from its own generators in the same
order as ``Diffusion2D.train``), distribution, noise schedule, learning rate and Adam state (its step
count included, written back into its own ``torch.optim.Adam``), so a member's weights after N
batched steps equal N steps alone within float rounding (tests/test_diffusion.py).

Why the tab does not use it (yet): it does not pay enough. Measured on the shared 2-core machine
(2026-12-07, one torch thread, the bench row below): 30 runs × 25 steps took 649 ms batched against
843 ms one at a time (ratio 0.77), i.e. about 6 ms saved per visitor per frame; a whole live frame costs
a visitor about 150 ms (CPU time: 30 ms these 25 steps, 45 ms the 25 GAN rounds beside them, 73 ms the
seven pictures). Alone, a step's matrix products (256 × 128 by 128 × 128) already keep the core busy, so
stacking only saves the per-step Python and dispatch. The bench row keeps asking the question.
"""

from __future__ import annotations

import math

import torch

from playground.diffusion.toy2d import DDPM_STEPS, Diffusion2D, time_features
from playground.errors import TrainingDiverged
from playground.gans import toy2d as points2d


def group_key(run: Diffusion2D) -> tuple:
    """What must be equal for runs to share a batched step."""
    c = run.config
    return (run.is_flow, c.hidden, c.layers, c.batch)


class _Stack:
    """The stacked weights and Adam state of K runs with one ``group_key``."""

    def __init__(self, runs: list[Diffusion2D]) -> None:
        if len({group_key(run) for run in runs}) != 1:
            raise ValueError("runs of different shapes cannot share a batched step")
        self.runs = runs
        self.parameters = [list(run.network.parameters()) for run in runs]  # [K][P]: weight, bias, …, out
        self.weights = [torch.stack([own[i].detach() for own in self.parameters]).requires_grad_()
                        for i in range(len(self.parameters[0]))]  # (K, *shape) leaves
        self.optimisers = [run.optimiser for run in runs]
        groups = [optimiser.param_groups[0] for optimiser in self.optimisers]
        self.lr = torch.tensor([group["lr"] for group in groups])  # (K,)
        self.betas, self.eps = groups[0]["betas"], groups[0]["eps"]
        self.alpha_bar = torch.stack([run.alpha_bar for run in runs])  # (K, T + 1): each member's schedule
        self.is_flow = runs[0].is_flow
        steps, self.exp_avg, self.exp_avg_sq = [], [], []
        for optimiser, params in zip(self.optimisers, self.parameters):
            own = optimiser.state[params[0]]
            steps.append(float(own["step"]) if "step" in own else 0.0)
        self.step_count = torch.tensor(steps, dtype=torch.float64)  # (K,)
        for key, store in (("exp_avg", self.exp_avg), ("exp_avg_sq", self.exp_avg_sq)):
            for i, stacked in enumerate(self.weights):
                store.append(torch.stack([optimiser.state[params[i]].get(key, torch.zeros_like(stacked[0]))
                                          for optimiser, params in zip(self.optimisers, self.parameters)]))

    def _per_member(self, values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return values.view(-1, *([1] * (like.dim() - 1)))  # (K,) → (K, 1, …)

    def _draw(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Each member's clean points, noise and times (K, B, 2), (K, B, 2), (K, B), from its own generators
        in the order ``Diffusion2D.train`` draws them."""
        clean, noise, times = [], [], []
        for run in self.runs:
            c = run.config
            clean.append(torch.from_numpy(points2d.sample_real(c.distribution, c.batch, run.rng, run.drawn)))
            noise.append(torch.randn(c.batch, 2, generator=run.torch_rng))
            times.append(torch.rand(c.batch, generator=run.torch_rng))
        return torch.stack(clean), torch.stack(noise), torch.stack(times)

    def _forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x (K, B, 2), t (K, B) → (K, B, 2): each member's Denoiser on its own points."""
        k, b = t.shape
        h = torch.cat([x, time_features(t.reshape(-1)).view(k, b, -1)], dim=2)  # (K, B, 2 + F)
        *hidden, out_w, out_b = self.weights
        for weight, bias in zip(hidden[0::2], hidden[1::2]):
            h = torch.nn.functional.silu(torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2)))
        return torch.baddbmm(out_b.unsqueeze(1), h, out_w.transpose(1, 2))

    def step(self) -> torch.Tensor:
        """One Adam step for every member on a fresh batch of its own; returns the losses (K,)."""
        clean, noise, t = self._draw()
        if self.is_flow:
            x_t, time_input = (1 - t[..., None]) * clean + t[..., None] * noise, t
            target = noise - clean
        else:
            k = (t * DDPM_STEPS).round().clamp(1, DDPM_STEPS).long()  # (K, B) the discrete step
            a = torch.gather(self.alpha_bar, 1, k)[..., None]  # (K, B, 1)
            x_t, time_input = a.sqrt() * clean + (1 - a).sqrt() * noise, k.float() / DDPM_STEPS
            target = noise
        error = self._forward(x_t, time_input) - target
        losses = (error * error).mean(dim=(1, 2))  # (K,) each member's F.mse_loss
        losses.sum().backward()  # members never mix: each gets its own gradient
        with torch.no_grad():
            self.step_count += 1
            for i, weight in enumerate(self.weights):
                self._adam(i, weight, weight.grad)
                weight.grad = None
        return losses.detach()

    def _adam(self, i: int, weight: torch.Tensor, grad: torch.Tensor) -> None:
        """torch.optim.Adam's arithmetic (no weight decay), each member with its own learning rate and step."""
        beta1, beta2 = self.betas
        exp_avg, exp_avg_sq = self.exp_avg[i], self.exp_avg_sq[i]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = self._per_member((self.lr / (1 - beta1 ** self.step_count)).to(weight.dtype), weight)
        correction = self._per_member(torch.sqrt(1 - beta2 ** self.step_count).to(weight.dtype), weight)
        weight.sub_(step_size * exp_avg / (exp_avg_sq.sqrt() / correction + self.eps))

    def write_back(self) -> None:
        """Copy the stacked weights and Adam state into each member's own network and optimiser."""
        with torch.no_grad():
            for k, (optimiser, params) in enumerate(zip(self.optimisers, self.parameters)):
                for i, param in enumerate(params):
                    param.copy_(self.weights[i][k])
                    own = optimiser.state[param]
                    own["step"] = torch.tensor(float(self.step_count[k]))
                    own["exp_avg"] = self.exp_avg[i][k].clone()
                    own["exp_avg_sq"] = self.exp_avg_sq[i][k].clone()


def train_together(runs: list[Diffusion2D], steps: int) -> list[Exception | None]:
    """``steps`` batched steps for runs of one ``group_key``, as if each had called ``run.train(steps)``;
    per run None, or the TrainingDiverged its solo training would have raised (its later steps skipped:
    that member leaves the stack, the others go on)."""
    outcome: list[Exception | None] = [None] * len(runs)
    active = list(range(len(runs)))
    while steps > 0 and active:
        stack = _Stack([runs[k] for k in active])
        done = 0
        diverged = []
        while done < steps and not diverged:
            losses = stack.step().tolist()
            done += 1
            for position, value in enumerate(losses):
                run = runs[active[position]]
                run.losses.append(value)
                run.steps += 1
                if not math.isfinite(value):
                    diverged.append(position)
        stack.write_back()
        for position in diverged:
            outcome[active[position]] = TrainingDiverged(
                f"the loss became {losses[position]}; reset and try a smaller learning rate")
        active = [k for position, k in enumerate(active) if position not in diverged]
        steps -= done
    return outcome


def train_alone(runs: list[Diffusion2D], steps: int) -> None:
    """The reference: each run trains its ``steps`` steps by itself, one after another."""
    for run in runs:
        run.train(steps)


def make_class(count: int, method: str = "flow matching", seed: int = 0) -> list[Diffusion2D]:
    """``count`` default runs with seeds seed, seed + 1, … (the bench's and the tests' class)."""
    from playground.diffusion.toy2d import Diffusion2DConfig

    return [Diffusion2D(Diffusion2DConfig(method=method, seed=seed + k)) for k in range(count)]




CLASS_SIZE = 30
FRAME_STEPS = 25  # the tab's default training steps per frame


def bench_cases() -> list:
    """The question whether the live 2-D lab should batch a class: 30 default runs, 25 steps each (one
    frame's training), batched against the same 30 runs one at a time, in the same run."""
    from playground.bench_rows import BenchCase

    runs: dict = {}

    def setup():
        runs["batched"], runs["alone"] = make_class(CLASS_SIZE), make_class(CLASS_SIZE)

    return [BenchCase(
        name=f"Diffusion: a class of {CLASS_SIZE} live 2-D flow models, {FRAME_STEPS} steps each, in one batched "
        "step (reference: one at a time; not used by the tab, see cohort2d)",
        run=lambda: train_together(runs["batched"], FRAME_STEPS),
        setup=setup,
        repeats=7,
        reference=lambda: train_alone(runs["alone"], FRAME_STEPS),
        reference_label=f"the same {CLASS_SIZE} runs one at a time",
    )]
