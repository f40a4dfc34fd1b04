"""Training a DCGAN: one discriminator step then one generator step per batch.

Shared by the recipes (``playground/recipes/gans.py``) and the live MNIST training in
the tab. Losses are the non-saturating GAN losses of the DCGAN paper (binary cross
entropy on logits); real targets are smoothed to 0.9, which keeps the discriminator
from becoming over-confident on a small data set.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from playground.device import to_model
from playground.errors import TrainingDiverged
from playground.nets.dcgan import DCGAN

REAL_TARGET = 0.9  # one-sided label smoothing


def differentiable_augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random colour, shift and cut-out applied to what the discriminator sees, real and fake
    alike (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training").

    With ~1,000 training pictures a discriminator soon memorises them and its feedback to
    the generator stops meaning anything. Augmenting both sides the same way keeps it
    honest, and because every operation is differentiable the generator still learns
    through it. Never applied to the generator's own output as shown.
    images: (B, C, H, W) in [-1, 1] → same shape.
    """
    batch, _, height, width = images.shape
    device = images.device

    def uniform(*shape):
        return torch.rand(*shape, generator=generator).to(device)

    images = images + (uniform(batch, 1, 1, 1) - 0.5)  # brightness
    mean = images.mean(dim=1, keepdim=True)
    images = (images - mean) * (uniform(batch, 1, 1, 1) * 2) + mean  # saturation
    mean = images.mean(dim=(1, 2, 3), keepdim=True)
    images = (images - mean) * (uniform(batch, 1, 1, 1) + 0.5) + mean  # contrast
    # Shift by up to 1/8 of the side, filling with the border (white paper stays white).
    shift = (torch.randint(-height // 8, height // 8 + 1, (batch, 2), generator=generator)).to(device)
    rows = (torch.arange(height, device=device).view(1, -1) - shift[:, :1]).clamp(0, height - 1)  # (B, H)
    cols = (torch.arange(width, device=device).view(1, -1) - shift[:, 1:]).clamp(0, width - 1)  # (B, W)
    images = images[torch.arange(batch, device=device).view(-1, 1, 1), :, rows[:, :, None], cols[:, None, :]]
    images = images.permute(0, 3, 1, 2)  # advanced indexing put channels last: (B, H, W, C) → (B, C, H, W)
    # Cut out one square of half the side at a random place.
    centre = (uniform(batch, 2) * torch.tensor([height, width], device=device)).long()
    ys = torch.arange(height, device=device).view(1, -1, 1)
    xs = torch.arange(width, device=device).view(1, 1, -1)
    hole = ((ys - centre[:, :1, None]).abs() < height // 4) & ((xs - centre[:, 1:, None]).abs() < width // 4)
    return images * (~hole).unsqueeze(1)


def to_tanh_range(images_uint8: np.ndarray) -> torch.Tensor:
    """(N, H, W) or (N, H, W, 3) uint8 → (N, C, H, W) float32 in [-1, 1]."""
    array = torch.from_numpy(np.asarray(images_uint8)).float() / 127.5 - 1.0
    if array.ndim == 3:
        return array.unsqueeze(1)  # (N, 1, H, W)
    return array.permute(0, 3, 1, 2).contiguous()  # (N, 3, H, W)


def make_optimizers(model: DCGAN, lr: float = 2e-4) -> tuple[torch.optim.Adam, torch.optim.Adam]:
    """Adam with beta1 = 0.5, as the DCGAN paper recommends."""
    opt_g = torch.optim.Adam(model.generator.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    return opt_g, opt_d


@dataclass
class StepLosses:
    d_loss: float
    g_loss: float
    d_real: float  # mean D(x) probability on real images
    d_fake: float  # mean D(G(z)) probability before the generator step


def train_step(
    model: DCGAN,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,  # (B, C, H, W) in [-1, 1]
    labels: torch.Tensor | None,  # (B,) for a conditional GAN
    generator: torch.Generator,
    augment: bool = False,  # differentiable augmentation of D's inputs (small data sets)
) -> StepLosses:
    gen, disc = model.generator, model.discriminator
    real, labels = to_model(gen, real, labels)
    gen.train()
    disc.train()
    batch = len(real)
    z = torch.randn(batch, gen.config.nz, generator=generator).to(real.device)
    fake_labels = labels  # the generator is asked for the same label mix as the real batch

    def seen(images: torch.Tensor) -> torch.Tensor:  # what the discriminator is shown
        return differentiable_augment(images, generator) if augment else images

    # Discriminator: push D(real) to 0.9 and D(fake) to 0.
    fake = gen(z, fake_labels)  # (B, C, H, W)
    logits_real = disc(seen(real), labels)
    logits_fake = disc(seen(fake.detach()), fake_labels)
    d_loss = F.binary_cross_entropy_with_logits(
        logits_real, torch.full_like(logits_real, REAL_TARGET)
    ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()

    # Generator: make D call its fakes real (non-saturating loss).
    logits = disc(seen(fake), fake_labels)
    g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()

    losses = StepLosses(
        d_loss=d_loss.item(),
        g_loss=g_loss.item(),
        d_real=torch.sigmoid(logits_real).mean().item(),
        d_fake=torch.sigmoid(logits_fake).mean().item(),
    )
    if not (math.isfinite(losses.d_loss) and math.isfinite(losses.g_loss)):
        raise TrainingDiverged(f"a GAN loss became non-finite (D {losses.d_loss}, G {losses.g_loss})")
    return losses


def batches(count: int, batch_size: int, generator: torch.Generator):
    """Shuffled index batches over ``count`` items (one epoch); drops a ragged last batch."""
    order = torch.randperm(count, generator=generator)
    for start in range(0, count - batch_size + 1, batch_size):
        yield order[start : start + batch_size]


def train_dcgan(
    model: DCGAN,
    images: torch.Tensor,  # (N, C, H, W) in [-1, 1]
    labels: torch.Tensor | None,  # (N,) or None
    epochs: int,
    batch_size: int = 64,
    seed: int = 0,
    lr: float = 2e-4,
    flip: bool = False,  # random horizontal flips (emoji; never digits)
    ema_decay: float = 0.999,  # 0 disables the moving average of the generator's weights
    augment: bool = False,  # differentiable augmentation of what D sees (see differentiable_augment)
    log=print,
) -> list[StepLosses]:
    """The recipes' loop: ``epochs`` passes, one D step and one G step per batch.

    The shipped generator is an exponential moving average of the trained generator's
    weights (``ema_decay``): GAN weights keep circling as the two networks chase each
    other, and their average draws cleaner samples than any single step's weights.
    """
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    opt_g, opt_d = make_optimizers(model, lr)
    history: list[StepLosses] = []
    average = copy.deepcopy(model.generator).requires_grad_(False) if ema_decay else None
    for epoch in range(1, epochs + 1):
        for index in batches(len(images), batch_size, generator):
            real = images[index]
            if flip:
                mirror = torch.rand(len(real), generator=generator) < 0.5
                real = torch.where(mirror.view(-1, 1, 1, 1), real.flip(-1), real)
            history.append(train_step(model, opt_g, opt_d, real, None if labels is None else labels[index], generator,
                                      augment))
            if average is not None:
                decay = min(ema_decay, (1 + len(history)) / (10 + len(history)))  # short memory at first
                update_average(average, model.generator, decay)
        recent = history[-20:]
        log(
            f"epoch {epoch}/{epochs}: D {np.mean([h.d_loss for h in recent]):.3f} "
            f"G {np.mean([h.g_loss for h in recent]):.3f} D(x) {np.mean([h.d_real for h in recent]):.2f} "
            f"D(G(z)) {np.mean([h.d_fake for h in recent]):.2f}"
        )
    if average is not None:
        model.generator.load_state_dict(average.state_dict())
    model.eval()
    return history


@torch.no_grad()
def update_average(average: torch.nn.Module, current: torch.nn.Module, decay: float) -> None:
    """average ← decay·average + (1 − decay)·current for weights; batch-norm statistics copied."""
    for mean_param, param in zip(average.parameters(), current.parameters()):
        mean_param.lerp_(param, 1 - decay)
    for mean_buffer, buffer in zip(average.buffers(), current.buffers()):
        mean_buffer.copy_(buffer)
