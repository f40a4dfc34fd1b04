"""Flow matching (rectified flow) for class-conditional 28×28 digits: training and sampling.

The picture to keep in mind: a straight line from a noise picture x₀ ~ N(0, I) to a real digit
x₁ (pixels in [-1, 1]),

    x_t = (1 − t)·x₀ + t·x₁,   t in [0, 1],   its velocity  dx_t/dt = x₁ − x₀.

The network learns the velocity field v(x_t, t, digit) by plain regression on random points of
random lines (the loss is |v − (x₁ − x₀)|²). Sampling starts from noise at t = 0 and follows v
to t = 1 with Euler steps. Flow matching rather than DDPM here because its paths are nearly
straight, so 20 plain Euler steps already land on clean digits, and its loss needs no noise
schedule; the live 2-D tab teaches both.

Classifier-free guidance: a tenth of the training labels are replaced by "no label", so the same
network also learns the unconditional velocity. Sampling mixes the two,

    v = v_uncond + w·(v_digit − v_uncond),

w = 1 is the plain conditional model, w > 1 pushes further toward "looks like this digit".
Both velocities come from one batched call (the conditional half and the unconditional half).
Guidance can start late (``guidance_from``: from that t on; before it, w = 1): guiding the first,
noisiest steps is what costs variety (Kynkäänniemi et al., 2024, "Applying guidance in a limited
interval"), and the unguided steps need only the conditional half (half the work).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from playground.device import device_of
from playground.nets.flow_unet import NO_LABEL, FlowUNet


@dataclass(frozen=True)
class FlowTraining:
    steps: int = 30000
    batch_size: int = 128
    lr: float = 2e-3
    warmup: int = 500  # steps of linear learning-rate warm-up, then a cosine decay to 0
    label_dropout: float = 0.1  # share of labels replaced by NO_LABEL (for guidance)
    ema_decay: float = 0.999  # the shipped weights are this moving average of the trained ones
    weight_decay: float = 0.0
    seed: int = 0
    hflip: bool = False  # flip a random half of each batch left–right (emoji: yes; digits: never)


def flow_matching_loss(model: nn.Module, clean: torch.Tensor, labels: torch.Tensor,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Mean |v(x_t, t) − (x₁ − x₀)|² over a batch of clean pictures (B, C, H, W) in [-1, 1].

    t is uniform in [0, 1] and x₀ standard normal, both drawn on the CPU from ``generator`` (the
    same draws on every device)."""
    count = len(clean)
    noise = torch.randn(clean.shape, generator=generator).to(clean.device)
    t = torch.rand(count, generator=generator).to(clean.device)
    t_image = t.view(-1, 1, 1, 1)
    x_t = (1 - t_image) * noise + t_image * clean
    return F.mse_loss(model(x_t, t, labels), clean - noise)


def learning_rate(step: int, settings: FlowTraining) -> float:
    if step < settings.warmup:
        return settings.lr * (step + 1) / settings.warmup
    progress = (step - settings.warmup) / max(1, settings.steps - settings.warmup)
    return settings.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.no_grad()
def update_average(average: nn.Module, current: nn.Module, decay: float) -> None:
    for mean_param, param in zip(average.parameters(), current.parameters()):
        mean_param.lerp_(param, 1 - decay)


def train_flow(model: FlowUNet, images: torch.Tensor, labels: torch.Tensor, settings: FlowTraining,
               log: Callable[[str], None] = print, log_every: int = 500,
               checkpoint: Callable[[nn.Module, int], None] | None = None, checkpoint_every: int = 5000,
               stop_after: int | None = None) -> FlowUNet:
    """Train ``model`` (on its device) on images (N, C, H, W) in [-1, 1] (digits: (N, 1, 28, 28)) with
    labels (N,); returns the moving average of its weights (eval mode), the network the recipe ships.
    ``stop_after``: stop after that many steps of the schedule planned for ``settings.steps``."""
    device = device_of(model)
    no_label = model.config.num_classes
    generator = torch.Generator().manual_seed(settings.seed)
    images, labels = images.to(device), labels.to(device)
    average = copy.deepcopy(model).requires_grad_(False)
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    model.train()
    started, recent = time.perf_counter(), []
    for step in range(settings.steps if stop_after is None else min(stop_after, settings.steps)):
        index = torch.randint(len(images), (settings.batch_size,), generator=generator).to(device)
        asked = labels[index]
        dropped = (torch.rand(settings.batch_size, generator=generator) < settings.label_dropout).to(device)
        asked = torch.where(dropped, torch.full_like(asked, no_label), asked)
        batch = images[index]
        if settings.hflip:
            flipped = (torch.rand(settings.batch_size, generator=generator) < 0.5).to(device)
            batch = torch.where(flipped[:, None, None, None], batch.flip(-1), batch)
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, settings)
        loss = flow_matching_loss(model, batch, asked, generator)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        update_average(average, model, min(settings.ema_decay, (1 + step) / (10 + step)))
        recent.append(loss.item())
        if (step + 1) % log_every == 0 or step + 1 == settings.steps:
            elapsed = time.perf_counter() - started
            log(f"step {step + 1}/{settings.steps}: loss {sum(recent) / len(recent):.4f} "
                f"lr {learning_rate(step, settings):.2e} ({(step + 1) / elapsed:.1f} steps/s, {elapsed:.0f} s)")
            recent = []
        if checkpoint is not None and (step + 1) % checkpoint_every == 0:
            checkpoint(average, step + 1)
    return average.eval()


DIGIT_SHAPE = (1, 28, 28)  # (C, H, W) of a digit


def noise_for(seed: int, count: int, shape: Sequence[int] = DIGIT_SHAPE) -> torch.Tensor:
    """(count, *shape) standard-normal starting pictures, the same for a seed on every device."""
    return torch.randn(count, *shape, generator=torch.Generator().manual_seed(seed))


def guided_velocity(model: nn.Module, x: torch.Tensor, t: float, labels: torch.Tensor,
                    guidance: float, no_label: int = NO_LABEL) -> torch.Tensor:
    """The guided velocity at x (B, C, H, W), time t: one network call of 2B pictures
    (conditional and unconditional, labelled ``no_label``), or of B where guidance is exactly 1."""
    count = len(x)
    if guidance == 1.0:
        return model(x, torch.full((count,), t, device=x.device), labels)
    both = model(torch.cat([x, x]), torch.full((2 * count,), t, device=x.device),
                 torch.cat([labels, torch.full_like(labels, no_label)]))  # (2B, C, H, W)
    conditional, unconditional = both[:count], both[count:]
    return unconditional + guidance * (conditional - unconditional)


def step_guidance(t: float, guidance: float, guidance_from: float) -> float:
    """The guidance scale of a step that starts at time t."""
    return guidance if t >= guidance_from else 1.0


@torch.inference_mode()
def sample(model: nn.Module, labels: torch.Tensor, steps: int = 20, guidance: float = 2.0, seed: int = 0,
           keep: Sequence[int] = (), start: torch.Tensor | None = None,
           guidance_from: float = 0.0, shape: Sequence[int] = DIGIT_SHAPE,
           no_label: int = NO_LABEL) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """Euler steps of the guided flow from noise (t = 0) to digits (t = 1).

    labels (B,) int64 in 0..9 (or NO_LABEL: unconditional); the steps that start at t ≥ ``guidance_from``
    are guided with ``guidance``, the ones before with 1 (the conditional model). Returns the digits
    (B, 1, 28, 28) in [-1, 1] (clamped) and {k: x after k steps} for each k in ``keep`` (0 = the noise),
    on the CPU. Other pictures: ``shape`` (C, H, W) and the model's ``no_label`` (emoji: (3, 64, 64), 8).
    """
    device = device_of(model)
    x = (noise_for(seed, len(labels), shape) if start is None else start.clone()).to(device)
    labels = labels.to(device)
    kept = {0: x.cpu()} if 0 in keep else {}
    for k in range(steps):
        t = k / steps
        x = x + guided_velocity(model, x, t, labels, step_guidance(t, guidance, guidance_from), no_label) / steps
        if k + 1 in keep:
            kept[k + 1] = x.cpu()
    return x.clamp(-1, 1).cpu(), kept


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """(B, 1, 28, 28) in [-1, 1] → (B, 28, 28) uint8, white ink on black like MNIST."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)[:, 0]
