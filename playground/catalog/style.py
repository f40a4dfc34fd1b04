"""Style transfer models: the AdaIN decoder trained by ``python -m playground.train adain_decoder``."""

from __future__ import annotations

from playground import registry
from playground.nets.adain_decoder import AdaINDecoder

registry.register(
    "adain_decoder",
    builder=AdaINDecoder,
    weights="adain_decoder",
    meta={
        "task": "style-decoder",
        "encoder": "efficientnet_lite0_imagenet",
        "encoder_layer": 4,
        "provenance": "trained by playground/recipes/style.py on bundled photos, textures and procedural art",
    },
)
