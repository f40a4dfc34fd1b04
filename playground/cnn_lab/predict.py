"""Reading a drawn or uploaded digit with a digit classifier."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.device import to_model
from playground.images import digit_from_upload, mnist_style, sketch_ink


def sketch_to_digit(sketch) -> np.ndarray:
    """A ``gr.Sketchpad`` value → (28, 28) float32 in [0, 1], centred and scaled like MNIST."""
    return mnist_style(sketch_ink(sketch))


# The upload reader moved to playground.images (the GAN tab's CycleGAN reads digits the same way).
upload_to_digit = digit_from_upload


@torch.no_grad()
def digit_probabilities(model: nn.Module, digit: np.ndarray) -> np.ndarray:
    """(28, 28) digit in [0, 1] → (10,) probabilities (the model is used in eval mode)."""
    was_training = model.training
    model.eval()
    batch = to_model(model, torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None])  # (1, 1, 28, 28)
    probabilities = model(batch).exp()[0].cpu().numpy()  # (10,)
    model.train(was_training)
    return probabilities


def as_label_dict(probabilities: np.ndarray) -> dict[str, float]:
    """{"0": p0, …, "9": p9} for a gr.Label."""
    return {str(digit): float(p) for digit, p in enumerate(probabilities)}
