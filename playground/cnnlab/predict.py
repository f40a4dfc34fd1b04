"""Reading a drawn or uploaded digit with a digit classifier."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.images import image_to_ink, load_image, mnist_style, sketch_ink


def sketch_to_digit(sketch) -> np.ndarray:
    """A ``gr.Sketchpad`` value → (28, 28) float32 in [0, 1], centred and scaled like MNIST."""
    return mnist_style(sketch_ink(sketch))


def upload_to_digit(image) -> np.ndarray:
    """An uploaded picture (path, PIL or array) → (28, 28) float32 in [0, 1] like MNIST."""
    return mnist_style(image_to_ink(load_image(image, max_side=512)))


@torch.no_grad()
def digit_probabilities(model: nn.Module, digit: np.ndarray) -> np.ndarray:
    """(28, 28) digit in [0, 1] → (10,) probabilities (the model is used in eval mode)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    batch = torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None].to(device)  # (1, 1, 28, 28)
    probabilities = model(batch).exp()[0].cpu().numpy()  # (10,)
    model.train(was_training)
    return probabilities


def as_label_dict(probabilities: np.ndarray) -> dict[str, float]:
    """{"0": p0, …, "9": p9} for a gr.Label."""
    return {str(digit): float(p) for digit, p in enumerate(probabilities)}
