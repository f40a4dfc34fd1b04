"""Measuring the digit CycleGAN on held-out digits: is it still the same digit, did it change domain,
does the cycle come back?

- ``read_digits``: the project's MNIST classifier (``mnist_cnn``, or another one) reads (N, 28, 28) digits.
- ``class_agreement``: the share of translated digits the classifier reads as the digit they
  came from (the issue's acceptance measure, ≥ 90 % both ways).
- ``cycle_error``: mean |x − back(there(x))| on a 0–1 pixel scale, beside two references: the
  digit blurred (σ = 1 px: how much a reconstruction that only loses fine detail costs) and the
  nearest *other* digit of the same class in the training set (what "the same digit in someone
  else's hand" costs: below it, the cycle brought back this very digit, not just its class).
- ``DomainJudge``: a small CNN trained on the training sets to tell handwritten from typeset;
  an identity "translator" keeps every digit readable, so agreement alone proves nothing: the
  judge says whether the translations actually look like the other domain.
- ``heldout_grid``: the picture beside the card.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import nn

from playground import registry
from playground.device import to_model
from playground.gans.cyclegan import HANDWRITTEN_TO_TYPESET, TYPESET_TO_HANDWRITTEN, translate_batch
from playground.lazy import lazy_module
from playground.nets.cyclegan import CycleGAN

ndimage = lazy_module("scipy.ndimage")


@torch.inference_mode()
def read_digits(digits: np.ndarray, classifier: nn.Module | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) in [0, 1] (or uint8) → (predicted digit (N,), its probability (N,))."""
    classifier = classifier if classifier is not None else registry.get("mnist_cnn")
    digits = np.asarray(digits)
    pixels = torch.from_numpy(digits.astype(np.float32) / (255.0 if digits.dtype == np.uint8 else 1.0))
    probabilities = classifier(to_model(classifier, pixels.unsqueeze(1))).exp().cpu()  # (N, 10)
    confidence, predicted = probabilities.max(dim=1)
    return predicted.numpy(), confidence.numpy()


def accuracy(digits: np.ndarray, labels: np.ndarray, classifier: nn.Module | None = None) -> float:
    return float((read_digits(digits, classifier)[0] == labels).mean())


def accuracy_per_digit(digits: np.ndarray, labels: np.ndarray, classifier: nn.Module | None = None) -> list[float]:
    """The share read right for each digit 0–9 (where a translation goes wrong)."""
    right = read_digits(digits, classifier)[0] == labels
    return [round(float(right[labels == digit].mean()), 3) for digit in range(10)]


def class_agreement(model: CycleGAN, digits: np.ndarray, labels: np.ndarray, direction: str) -> float:
    """Share of ``digits`` whose translation the classifier reads as their own label."""
    return accuracy(translate_batch(model, digits, direction), labels)


def round_trips(model: CycleGAN, digits: np.ndarray, direction: str) -> tuple[np.ndarray, np.ndarray]:
    there = translate_batch(model, digits, direction)
    back_direction = TYPESET_TO_HANDWRITTEN if direction == HANDWRITTEN_TO_TYPESET else HANDWRITTEN_TO_TYPESET
    return there, translate_batch(model, there, back_direction)


def cycle_error(model: CycleGAN, digits: np.ndarray, direction: str) -> float:
    """Mean |x − back(there(x))| over pixels, 0–1 scale."""
    return float(np.abs(round_trips(model, digits, direction)[1] - digits).mean())


def blur_error(digits: np.ndarray, sigma: float = 1.0) -> float:
    blurred = np.stack([ndimage.gaussian_filter(digit, sigma) for digit in digits])
    return float(np.abs(blurred - digits).mean())


def neighbour_error(digits: np.ndarray, labels: np.ndarray, pool: np.ndarray, pool_labels: np.ndarray) -> float:
    """Mean L1 (per pixel) from each digit to its nearest same-class digit in ``pool``."""
    errors = []
    for digit in range(10):
        mine = torch.from_numpy(digits[labels == digit].reshape(-1, 784))
        theirs = torch.from_numpy(pool[pool_labels == digit].reshape(-1, 784))
        if len(mine):
            errors.append(torch.cdist(mine, theirs, p=1).min(dim=1).values / 784)
    return float(torch.cat(errors).mean())


# ---------------------------------------------------------------- handwritten or typeset?


class DomainJudge(nn.Module):
    """(B, 1, 28, 28) in [0, 1] → (B,) logit of "typeset" (vs handwritten)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(),  # (B, 16, 14, 14)
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),  # (B, 32, 7, 7)
            nn.Conv2d(32, 32, 3, 1, 1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[:, 0]

    @torch.inference_mode()
    def typeset_share(self, digits: np.ndarray) -> float:
        """Share of (N, 28, 28) digits in [0, 1] judged typeset."""
        pixels = torch.from_numpy(np.asarray(digits, dtype=np.float32)).unsqueeze(1)
        return float((self(pixels) > 0).float().mean())


def train_domain_judge(handwritten: np.ndarray, typeset: np.ndarray, steps: int = 2000, seed: int = 0) -> DomainJudge:
    """Train a ``DomainJudge`` on (N, 28, 28) digits in [0, 1] of each kind (the training sets only)."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    pixels = torch.from_numpy(np.concatenate([handwritten, typeset]).astype(np.float32)).unsqueeze(1)
    targets = torch.cat([torch.zeros(len(handwritten)), torch.ones(len(typeset))])
    judge = DomainJudge()
    optimiser = torch.optim.Adam(judge.parameters(), lr=2e-3)
    for _ in range(steps):
        index = torch.randint(len(pixels), (64,), generator=generator)
        loss = nn.functional.binary_cross_entropy_with_logits(judge(pixels[index]), targets[index])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    return judge.eval()


# ---------------------------------------------------------------- the card's picture


def _strip(digits: np.ndarray, scale: int) -> np.ndarray:
    """(N, 28, 28) in [0, 1] → one (28·s, N·(28·s + 2)) uint8 row with 2-px grey gaps."""
    cells = []
    for digit in digits:
        cell = (np.clip(digit, 0, 1) * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)
        cells += [cell, np.full((cell.shape[0], 2), 96, np.uint8)]
    return np.concatenate(cells[:-1], axis=1)


def heldout_grid(model: CycleGAN, handwritten: np.ndarray, typeset: np.ndarray, scale: int = 2) -> Image.Image:
    """Six rows: handwritten A, G_ab(A), G_ba(G_ab(A)); then typeset B, G_ba(B), G_ab(G_ba(B))."""
    rows = []
    for digits, direction in ((handwritten, HANDWRITTEN_TO_TYPESET), (typeset, TYPESET_TO_HANDWRITTEN)):
        there, back = round_trips(model, digits, direction)
        for row in (digits, there, back):
            strip = _strip(row, scale)
            rows += [strip, np.full((2, strip.shape[1]), 96, np.uint8)]
        rows.append(np.full((8, strip.shape[1]), 255, np.uint8))  # a white band between the two directions
    return Image.fromarray(np.concatenate(rows[:-2], axis=0)).convert("RGB")
