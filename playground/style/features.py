"""The frozen ImageNet backbone as a feature extractor for style transfer.

Layer keys follow ``EfficientNetLite0.forward_features(keep=True)``: ``"stem"`` then the
block indices 0..15. Only the blocks up to the deepest requested layer are run — a
Gatys step through block 8 costs about a third of a step through all 16 blocks.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from playground import registry
from playground.device import to_model
from playground.errors import UserInputError

BACKBONE = "efficientnet_lite0_imagenet"
LayerKey = str | int

# Output channels and stride of each layer (for labels in the UI).
LAYER_SHAPES: dict[LayerKey, tuple[int, int]] = {
    "stem": (32, 2),
    0: (16, 2), 1: (24, 4), 2: (24, 4), 3: (40, 8), 4: (40, 8),
    5: (80, 16), 6: (80, 16), 7: (80, 16), 8: (112, 16), 9: (112, 16), 10: (112, 16),
    11: (192, 32), 12: (192, 32), 13: (192, 32), 14: (192, 32), 15: (320, 32),
}
ALL_LAYERS: tuple[LayerKey, ...] = tuple(LAYER_SHAPES)


def layer_label(key: LayerKey) -> str:
    channels, stride = LAYER_SHAPES[key]
    name = "stem" if key == "stem" else f"block {key}"
    return f"{name} ({channels} ch, 1/{stride})"


def parse_layer(value) -> LayerKey:
    """'stem', 3, '3' or a UI label 'block 3 (40 ch, 1/8)' → the layer key."""
    if isinstance(value, (int, np.integer)):
        key: LayerKey = int(value)
    else:
        text = str(value).strip().split(" (")[0].replace("block", "").strip()
        key = "stem" if text == "stem" else int(text) if text.isdigit() else None
    if key not in LAYER_SHAPES:
        raise UserInputError(f"unknown layer {str(value)[:40]!r}; choose among: {', '.join(map(str, LAYER_SHAPES))}.")
    return key


def depth(key: LayerKey) -> int:
    """Index of the last block that must run to produce ``key`` (-1 for the stem)."""
    return -1 if key == "stem" else int(key)


def backbone() -> torch.nn.Module:
    """The shared, frozen EfficientNet-Lite0 (never trained here: gradients flow to the image only)."""
    return registry.get(BACKBONE)


def normalisation(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    meta = registry.meta(BACKBONE)
    mean = torch.tensor(meta["mean"], device=device).view(1, 3, 1, 1)
    std = torch.tensor(meta["std"], device=device).view(1, 3, 1, 1)
    return mean, std


def extract(model: torch.nn.Module, pixels: torch.Tensor, layers) -> dict[LayerKey, torch.Tensor]:
    """Feature maps of ``pixels`` (B, 3, H, W) in [0, 1] at ``layers``, running no deeper than needed."""
    pixels = to_model(model, pixels)
    mean, std = normalisation(pixels.device)
    x = (pixels - mean) / std
    keys = list(layers)
    deepest = max(depth(k) for k in keys)
    if deepest < 0:
        return {"stem": model.stem(x)}
    if keys == [deepest]:  # one block's map (AdaIN's encoder): no need to keep the others
        return {deepest: model.forward_features(x, upto=deepest)}
    maps = model.forward_features(x, upto=deepest, keep=True)
    return {k: maps[k] for k in keys}


def to_tensor(image: Image.Image, device: torch.device | None = None) -> torch.Tensor:
    """PIL RGB → (1, 3, H, W) float in [0, 1], on ``device`` (the model's) or else the CPU."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).to(device or "cpu")


def to_image(pixels: torch.Tensor) -> Image.Image:
    """(1, 3, H, W) or (3, H, W) in [0, 1] → PIL RGB."""
    array = pixels.detach().float().cpu().reshape(3, *pixels.shape[-2:]).clamp(0, 1)
    return Image.fromarray((array.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8))
