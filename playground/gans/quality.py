"""Measuring generators: are the digits readable, are the emoji emoji-like?

- ``digit_sample_quality``: the issue's acceptance measure. Draw samples (the same
  number of each digit from the class-conditional generator), ask the project's MNIST
  classifier what it sees: the share read with confidence ≥ 0.9, and the share of each
  digit among the classifier's answers (all 10 must appear, none below 5 %).
- ``mmd``: the kernel maximum mean discrepancy between two sets of pictures (0 = same
  distribution), to compare emoji samples with held-out emoji.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground import registry
from playground.device import to_model
from playground.gans.sampling import NO_TRUNCATION, digit_labels, latent_vectors

CONFIDENCE = 0.9


@torch.inference_mode()
def digit_sample_quality(
    generator: nn.Module,
    classifier: nn.Module | None = None,
    count: int = 1000,
    seed: int = 0,
    truncation: float = NO_TRUNCATION,
) -> dict:
    """Classify ``count`` generated digits; see the module docstring. ``classifier`` defaults to
    ``registry.get("mnist_cnn")`` ((B, 1, 28, 28) in [0, 1] → (B, 10) log-probabilities)."""
    classifier = classifier if classifier is not None else registry.get("mnist_cnn")
    nz = generator.config.nz
    z = latent_vectors(seed, count, nz, truncation)
    asked = digit_labels(count, "all")  # (N,) 0..9 repeating
    was_training = generator.training
    generator.eval()
    images = generator(*to_model(generator, z, asked))
    generator.train(was_training)
    pixels = to_model(classifier, (images.clamp(-1, 1) + 1) / 2)  # (N, 1, 28, 28) in [0, 1], white digit on black
    probabilities = classifier(pixels).exp()  # (N, 10)
    confidence, predicted = probabilities.max(dim=1)
    predicted, confidence = predicted.cpu(), confidence.cpu()
    shares = np.bincount(predicted.numpy(), minlength=10) / count
    return {
        "samples": count,
        "confident_share": float((confidence >= CONFIDENCE).float().mean()),
        "digits_present": int((shares > 0).sum()),
        "min_digit_share": float(shares.min()),
        "digit_shares": [round(float(s), 4) for s in shares],
        "asked_digit_agreement": float((predicted == asked).float().mean()),
    }


def mmd(first: np.ndarray, second: np.ndarray, size: int = 16) -> float:
    """Squared RBF-kernel MMD between two sets of (N, H, W, 3) uint8 pictures, compared at size×size.

    The kernel width is the median pairwise distance of the pooled sets (a common default).
    """
    def features(images: np.ndarray) -> torch.Tensor:
        tensor = torch.from_numpy(images).float().permute(0, 3, 1, 2) / 255  # (N, 3, H, W)
        return torch.nn.functional.adaptive_avg_pool2d(tensor, size).flatten(1)  # (N, 3·size²)

    x, y = features(first), features(second)
    pooled = torch.cat([x, y])
    distances = torch.cdist(pooled, pooled) ** 2
    bandwidth = distances[distances > 0].median()
    kernel = torch.exp(-distances / bandwidth)
    n = len(x)
    k_xx, k_yy, k_xy = kernel[:n, :n], kernel[n:, n:], kernel[:n, n:]
    return float(k_xx.mean() + k_yy.mean() - 2 * k_xy.mean())


BACKBONE = "efficientnet_lite0_imagenet"


@torch.inference_mode()
def backbone_features(images: np.ndarray, batch: int = 32) -> torch.Tensor:
    """(N, H, W, 3) uint8 pictures → (N, 1280) pooled features of the shared Lite0 backbone.

    The whole picture is resized to the backbone's input size (no crop: an emoji fills its
    square), then normalised the way the backbone was trained.
    """
    model = registry.get(BACKBONE)
    meta = registry.meta(BACKBONE)
    mean = torch.tensor(meta["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(meta["std"]).view(1, 3, 1, 1)
    side = meta["input_size"]
    features = []
    for start in range(0, len(images), batch):
        pixels = torch.from_numpy(np.ascontiguousarray(images[start : start + batch])).permute(0, 3, 1, 2).float() / 255
        pixels = torch.nn.functional.interpolate(pixels, size=(side, side), mode="bilinear", antialias=True,
                                                 align_corners=False)
        features.append(model.pooled_features(to_model(model, (pixels - mean) / std)).float().cpu())
    return torch.cat(features)


def feature_distance(first: torch.Tensor, second: torch.Tensor) -> float:
    """Mean (1 − cosine similarity) between paired feature rows: 0 = looks the same to the backbone."""
    return float((1 - torch.nn.functional.cosine_similarity(first, second, dim=1)).mean())


def frechet_distance(first: torch.Tensor, second: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature rows (FID's formula,
    here in the Lite0 feature space): |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)."""
    from scipy import linalg

    a, b = first.double().numpy(), second.double().numpy()
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        root = root.real  # tiny imaginary parts from round-off
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))
