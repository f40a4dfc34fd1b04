"""The ImageNet backbone's preprocessing: image ↔ tensor, from the registry meta (resize, crop, normalise)."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from playground import registry
from playground.lazy import lazy_module

TF = lazy_module("torchvision.transforms.functional")

BACKBONE = "efficientnet_lite0_imagenet"


def backbone_input(image: Image.Image, model_name: str = BACKBONE, crop: bool = True) -> torch.Tensor:
    """(1, 3, S, S) normalised tensor on the CPU (move it to the model): resize the short side, centre crop."""
    meta = registry.meta(model_name)
    if crop:
        image = TF.center_crop(TF.resize(image, meta["resize"], antialias=True), meta["input_size"])
    tensor = TF.normalize(TF.to_tensor(image), meta["mean"], meta["std"])
    return tensor.unsqueeze(0)


def tensor_to_image(tensor: torch.Tensor, model_name: str = BACKBONE) -> Image.Image:
    """Inverse of ``backbone_input`` (without the crop) for a (1, 3, H, W) or (3, H, W) tensor."""
    meta = registry.meta(model_name)
    tensor = tensor.detach().float().cpu().reshape(-1, *tensor.shape[-2:])
    mean = torch.tensor(meta["mean"]).view(3, 1, 1)
    std = torch.tensor(meta["std"]).view(3, 1, 1)
    array = (tensor * std + mean).clamp(0, 1).permute(1, 2, 0).numpy()
    return Image.fromarray((array * 255 + 0.5).astype(np.uint8))
