"""The shipped digit flow model in the tab: sample a grid, watch one sample being made.

The network is ``registry.get("flow_digits")`` (served by onnxruntime on the CPU like every shipped
network: ``playground.inference``); sampling is ``flow_digits.sample`` (Euler steps with
classifier-free guidance).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

import numpy as np
import torch

from playground import checks, registry
from playground.diffusion import flow_digits
from playground.errors import UserInputError
from playground.nets.flow_unet import NO_LABEL

MODEL = "flow_digits"
ALL_DIGITS = "all"
NONE = "none (unguided)"  # no label: the unconditional model
DIGIT_CHOICES = (ALL_DIGITS, *map(str, range(10)), NONE)
MAX_STEPS = 200
MAX_GUIDANCE = 10.0
SNAPSHOTS = 8  # pictures in a trajectory strip


DEFAULT_GUIDANCE_FROM = 0.35  # the card's default: the first, noisiest steps unguided (keeps the variety)


@dataclass(frozen=True)
class Sampling:
    """How the digit model samples: Euler steps, guidance scale, seed, and the t from which it guides."""

    steps: int
    guidance: float
    seed: int
    guidance_from: float = DEFAULT_GUIDANCE_FROM

    def validated(self) -> "Sampling":
        """The checked settings, or UserInputError for the first bad one."""
        return Sampling(checks.integer("steps", self.steps, 1, MAX_STEPS),
                        checks.real("guidance scale", self.guidance, 0.0, MAX_GUIDANCE),
                        checks.seed(self.seed), checks.real("guidance start", self.guidance_from, 0.0, 1.0))


def labels_for(digit: str, count: int) -> torch.Tensor:
    """(count,) labels: "all" → 0, 1, …, 9, 0, … ; a digit → that digit; "none" → the unconditional label."""
    digit = checks.choice("digit", str(digit), DIGIT_CHOICES)
    if digit == ALL_DIGITS:
        return torch.arange(count) % 10
    return torch.full((count,), NO_LABEL if digit == NONE else int(digit), dtype=torch.int64)


def grid_picture(images: torch.Tensor, columns: int, scale: int = 3, gap: int = 2) -> np.ndarray:
    """(N, 1, 28, 28) in [-1, 1] → an (H, W, 3) uint8 grid, ``columns`` wide, each digit ``scale``× larger."""
    pixels = flow_digits.to_uint8(images).numpy()  # (N, 28, 28)
    rows = -(-len(pixels) // columns)
    side = 28 * scale
    canvas = np.full((rows * (side + gap) + gap, columns * (side + gap) + gap), 255, dtype=np.uint8)
    for index, picture in enumerate(pixels):
        row, column = divmod(index, columns)
        big = np.kron(picture, np.ones((scale, scale), dtype=np.uint8))
        canvas[gap + row * (side + gap): gap + row * (side + gap) + side,
               gap + column * (side + gap): gap + column * (side + gap) + side] = big
    return np.repeat(canvas[..., None], 3, axis=2)


def sample_grid(digit: str, steps, guidance, seed, guidance_from=DEFAULT_GUIDANCE_FROM) -> np.ndarray:
    """64 samples of one digit (8 × 8), or 60 of all ten (one column per digit)."""
    steps, guidance, seed, guidance_from = astuple(Sampling(steps, guidance, seed, guidance_from).validated())
    count = 60 if str(digit) == ALL_DIGITS else 64
    images, _ = flow_digits.sample(registry.get(MODEL), labels_for(digit, count), steps, guidance, seed,
                                   guidance_from=guidance_from)
    return grid_picture(images, 10 if str(digit) == ALL_DIGITS else 8)


def snapshot_steps(steps: int, count: int = SNAPSHOTS) -> list[int]:
    """``count`` (or fewer) step indices from 0 (the noise) to ``steps`` (the digit), evenly spread."""
    return sorted(set(np.round(np.linspace(0, steps, min(count, steps + 1))).astype(int).tolist()))


def trajectory(digit: str, steps, guidance, seed, guidance_from=DEFAULT_GUIDANCE_FROM) -> tuple[np.ndarray, str]:
    """One sample being made: x_t at evenly spread steps (top row) and, under each, the digit the
    network predicts from there in one jump (x_t + (1 − t)·v). Returns (picture, caption)."""
    steps, guidance, seed, guidance_from = astuple(Sampling(steps, guidance, seed, guidance_from).validated())
    if str(digit) == ALL_DIGITS:
        raise UserInputError("Pick one digit (or 'none') to watch one sample being made.")
    labels = labels_for(digit, 1)
    keep = snapshot_steps(steps)
    model = registry.get(MODEL)
    final, kept = flow_digits.sample(model, labels, steps, guidance, seed, keep=keep, guidance_from=guidance_from)
    rows = []
    with torch.inference_mode():
        for k in keep:
            x = kept[k]
            t = k / steps
            velocity = flow_digits.guided_velocity(model, x, t, labels,
                                                   flow_digits.step_guidance(t, guidance, guidance_from))
            rows.append((x.clamp(-1, 1), (x + (1 - t) * velocity).clamp(-1, 1)))
    strip = torch.cat([torch.cat([x for x, _ in rows]), torch.cat([guess for _, guess in rows])])
    caption = ("Top: the picture after step " + ", ".join(str(k) for k in keep) + f" of {steps} (t = k/{steps}). "
               "Bottom: the digit the network predicts from there in one straight jump. Noise at the left, "
               "the sample at the right.")
    return grid_picture(strip, len(keep), scale=3), caption


def model_card_summary() -> str:
    """A line of the shipped model's measured quality (its card)."""
    from playground.weights import read_card

    card = read_card(MODEL)
    metrics = card["metrics"]
    return (f"Shipped model: {card['parameters']:,} parameters. On 1,000 samples (20 steps, guidance "
            f"{metrics['guidance']:g} from t = {metrics.get('guidance_from', 0.0):g}) the project's digit classifier reads the asked digit in "
            f"{100 * metrics['asked_digit_agreement']:.1f} % (the DCGAN: {100 * metrics['dcgan_asked_digit_agreement']:.1f} %); "
            f"Fréchet distance to held-out digits in Lite0 features {metrics['fid_lite0_samples_vs_heldout']:.1f} (DCGAN "
            f"{metrics['fid_lite0_dcgan_vs_heldout']:.1f}, real digits {metrics['fid_lite0_train_vs_heldout']:.1f}).")

