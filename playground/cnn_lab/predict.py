"""Reading a drawn or uploaded digit with a digit classifier."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground.device import to_model
from playground.errors import UserInputError

from playground.images import image_to_ink, load_image, mnist_style, sketch_ink


def sketch_to_digit(sketch) -> np.ndarray:
    """A ``gr.Sketchpad`` value → (28, 28) float32 in [0, 1], centred and scaled like MNIST."""
    return mnist_style(sketch_ink(sketch))


# A digit on paper leaves the picture's edges plain. Photos (a cat, a coffee cup) put "ink"
# along 20–70 % of their edges; MNIST digits at most 4.5 %.
MAX_EDGE_INK = 0.1


def edge_ink_share(ink: np.ndarray, ink_level: float = 0.35) -> float:
    """Share of the pixels in a thin frame along the picture's edges that look like ink."""
    margin = max(1, int(0.03 * min(ink.shape)))
    frame = np.concatenate([ink[:margin].ravel(), ink[-margin:].ravel(),
                            ink[:, :margin].ravel(), ink[:, -margin:].ravel()])
    return float((frame > ink_level).mean())


def upload_to_digit(image) -> np.ndarray:
    """An uploaded picture (path, PIL or array) → (28, 28) float32 in [0, 1] like MNIST.

    Raises UserInputError for a blank picture or one that is not a digit on a plain background.
    """
    ink = image_to_ink(load_image(image, max_side=512))
    if edge_ink_share(ink) > MAX_EDGE_INK:
        raise UserInputError(
            "This does not look like a single digit on plain paper: the picture has detail right up to its "
            "edges. Upload a digit written on a plain background, with a margin around it."
        )
    return mnist_style(ink)


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
