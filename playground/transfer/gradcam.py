"""Looking inside: feature maps of an early and a late block, and Grad-CAM.

Grad-CAM (Selvaraju et al., 2017): take the last convolutional map A (1280 × 7 × 7,
after the 1 × 1 head convolution), the gradient of the chosen class score with respect
to it, average that gradient over space to get one weight per channel, and sum the
channels with those weights (keeping the positive part). Where the map is high, the
network found evidence for the class. Here the head after A is pooling + a linear layer,
so Grad-CAM equals the original class activation map (CAM).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from playground import registry
from playground.device import to_model
from playground.images import load_image
from playground.transfer import features
from playground.backbone_preprocessing import BACKBONE, backbone_input

EARLY_BLOCK = 1  # (24, 56, 56): edges, colours, simple textures
LATE_BLOCK = 15  # (320, 7, 7): parts and objects


@dataclass
class GradCam:
    heat: np.ndarray  # (224, 224) in [0, 1], over the centre crop the network saw
    crop: Image.Image  # that 224 × 224 crop
    box: tuple[float, float, float, float]  # the crop in original-image pixels: (left, top, right, bottom)
    label: str  # the class the map explains
    probability: float

    def peak_in_original(self) -> tuple[float, float]:
        """(x, y) of the hottest point, in the original image's pixels."""
        row, col = np.unravel_index(np.argmax(self.heat), self.heat.shape)
        left, top, right, bottom = self.box
        return left + (col + 0.5) * (right - left) / self.heat.shape[1], top + (row + 0.5) * (bottom - top) / self.heat.shape[0]


def crop_box(width: int, height: int) -> tuple[float, float, float, float]:
    """Where the backbone's resize-to-256 + centre-crop-224 lands in the original image."""
    meta = registry.meta(BACKBONE)
    scale = meta["resize"] / min(width, height)
    side = meta["input_size"] / scale  # the crop's side in original pixels
    left, top = (width - side) / 2, (height - side) / 2
    return left, top, left + side, top + side


def _final_map(image_tensor: torch.Tensor, trained=None) -> torch.Tensor:
    """The (1, 1280, 7, 7) map after the head convolution, from the shared model or the fine-tuned tail."""
    with torch.no_grad():
        if trained is not None and trained.model.unfrozen_blocks:
            cut_output = features.frozen_output(image_tensor, trained.cut)  # on the shared model's device
            return trained.model.head_map(to_model(trained.model, cut_output))
        backbone = registry.get(BACKBONE)
        last_block = backbone.forward_features(to_model(backbone, image_tensor))  # (1, 320, 7, 7)
        return backbone.head_map(last_block)


def grad_cam(image, trained=None, class_index: int | None = None) -> GradCam:
    """Grad-CAM for ``trained`` (a head.TrainedClassifier) or, when None, the ImageNet classifier.

    ``class_index`` None explains the predicted class.
    """
    picture = load_image(image)
    image_tensor = backbone_input(picture)  # (1, 3, 224, 224)
    model = trained.model if trained is not None else registry.get(BACKBONE)
    activation = to_model(model, _final_map(image_tensor, trained)).detach().requires_grad_(True)  # (1, 1280, 7, 7)
    if trained is not None:
        trained.model.eval()  # dropout off (the shared model is always in eval mode)
    logits = model.classify_map(activation)  # (1, C)
    labels = trained.class_names if trained is not None else registry.meta(BACKBONE)["labels"]()
    probabilities = logits.detach().softmax(dim=1)[0]
    index = int(probabilities.argmax()) if class_index is None else int(class_index)
    (gradient,) = torch.autograd.grad(logits[0, index], activation)
    weights = gradient.mean(dim=(2, 3), keepdim=True)  # (1, 1280, 1, 1): one weight per channel
    cam = F.relu((weights * activation).sum(dim=1, keepdim=True))  # (1, 1, 7, 7)
    cam = F.interpolate(cam, size=image_tensor.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    cam = cam.detach()
    cam = cam / cam.max() if float(cam.max()) > 0 else cam
    crop = Image.fromarray(
        np.asarray(picture.resize(_resized_size(picture)).crop(_crop_in_resized(picture)), dtype=np.uint8)
    )
    return GradCam(cam.detach().cpu().numpy(), crop, crop_box(*picture.size), labels[index], float(probabilities[index]))


def _resized_size(picture: Image.Image) -> tuple[int, int]:
    scale = registry.meta(BACKBONE)["resize"] / min(picture.size)
    return max(1, round(picture.width * scale)), max(1, round(picture.height * scale))


def _crop_in_resized(picture: Image.Image) -> tuple[int, int, int, int]:
    width, height = _resized_size(picture)
    side = registry.meta(BACKBONE)["input_size"]
    left, top = int(round((width - side) / 2)), int(round((height - side) / 2))
    return left, top, left + side, top + side


def described(cam: GradCam, size: tuple[int, int]) -> tuple[str, str, str]:
    """The overlay in words, for its text alternative: (what it shows, the class's probability, where in the
    (width, height) picture the evidence is strongest: "top left", "centre", "bottom centre"…)."""
    x, y = cam.peak_in_original()
    width, height = size
    row = "top" if y < height / 3 else "bottom" if y > 2 * height / 3 else "middle"
    column = "left" if x < width / 3 else "right" if x > 2 * width / 3 else "centre"
    where = "centre" if (row, column) == ("middle", "centre") else f"{row} {column}"
    return (f"Grad-CAM: where the evidence for “{cam.label}” is", f"predicted with {100 * cam.probability:.0f} %",
            f"strongest in the {where} of the picture")


def heat_colours(heat: np.ndarray) -> np.ndarray:
    """(H, W) in [0, 1] → (H, W, 3) uint8, dark blue → red → yellow."""
    red = np.clip(heat * 2, 0, 1)
    green = np.clip(heat * 2 - 1, 0, 1)
    blue = np.clip(0.5 - heat, 0, 0.5)
    return (np.stack([red, green, blue], axis=-1) * 255).astype(np.uint8)


def overlay(cam: GradCam, strength: float = 0.5) -> Image.Image:
    """The crop with the heat map blended over it."""
    base = np.asarray(cam.crop, dtype=np.float32)
    low, high = cam.heat.min(), cam.heat.max()
    heat = heat_colours((cam.heat - low) / max(high - low, 1e-6)).astype(np.float32)
    return Image.fromarray((base * (1 - strength) + heat * strength).astype(np.uint8))


def feature_mosaic(maps: torch.Tensor, count: int = 16, tile: int = 56) -> Image.Image:
    """The ``count`` most active channels of a (1, C, H, W) map as a grid of grey tiles."""
    maps = maps[0].detach().float().cpu()  # (C, H, W)
    strongest = maps.mean(dim=(1, 2)).argsort(descending=True)[:count]
    tiles = F.interpolate(maps[strongest].unsqueeze(1), size=(tile, tile), mode="nearest")[:, 0]  # (count, t, t)
    low = tiles.amin(dim=(1, 2), keepdim=True)
    high = tiles.amax(dim=(1, 2), keepdim=True)
    tiles = ((tiles - low) / (high - low).clamp_min(1e-6)).numpy()
    columns = 4
    rows = int(np.ceil(len(tiles) / columns))
    grid = np.ones((rows * (tile + 2), columns * (tile + 2)), dtype=np.float32)
    for i, picture in enumerate(tiles):
        r, c = divmod(i, columns)
        grid[r * (tile + 2) : r * (tile + 2) + tile, c * (tile + 2) : c * (tile + 2) + tile] = picture
    return Image.fromarray((grid * 255).astype(np.uint8))


def feature_maps(image) -> tuple[Image.Image, Image.Image, str]:
    """Mosaics of the early and late block's strongest channels, and a caption with their shapes."""
    picture = load_image(image)
    with torch.no_grad():
        model = registry.get(BACKBONE)
        maps = model.forward_features(to_model(model, backbone_input(picture)), upto=LATE_BLOCK, keep=True)
    early, late = maps[EARLY_BLOCK], maps[LATE_BLOCK]
    caption = (
        f"Block {EARLY_BLOCK}: {early.shape[1]} channels of {early.shape[2]}×{early.shape[3]} (16 strongest shown) — "
        f"block {LATE_BLOCK}: {late.shape[1]} channels of {late.shape[2]}×{late.shape[3]}."
    )
    return feature_mosaic(early), feature_mosaic(late), caption
