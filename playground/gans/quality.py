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
from playground.gans.sampling import NO_TRUNCATION, latent_vectors

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
    nz = generator.config.nz
    z = latent_vectors(seed, count, nz, truncation)
    asked = torch.arange(count) % generator.config.num_classes  # (N,) 0..9 repeating
    was_training = generator.training
    generator.eval()
    images = generator(*to_model(generator, z, asked))
    generator.train(was_training)
    return read_digits(images, asked, classifier)


@torch.inference_mode()
def read_digits(images: torch.Tensor, asked: torch.Tensor, classifier: nn.Module | None = None) -> dict:
    """What the classifier reads in (N, 1, 28, 28) generated digits in [-1, 1] that were asked to be
    the (N,) digits ``asked``: the figures of ``digit_sample_quality`` (any generator's samples)."""
    classifier = classifier if classifier is not None else registry.get("mnist_cnn")
    count = len(images)
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
        "asked_digit_agreement": float((predicted == asked.cpu()).float().mean()),
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


FRECHET_DIMENSIONS = 64


def principal_directions(features: torch.Tensor, count: int) -> torch.Tensor:
    """(N, D) features → (D, count): the directions of largest variance (PCA), as columns."""
    centred = features.double() - features.double().mean(dim=0)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    return vh[:count].T.float()


def nearest_distances(features: torch.Tensor, reference: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row of ``features``: the cosine distance to its nearest ``reference`` row, and that row's index."""
    similarity = torch.nn.functional.normalize(features, dim=1) @ torch.nn.functional.normalize(reference, dim=1).T
    best, index = similarity.max(dim=1)
    return 1 - best, index


def emoji_sample_quality(samples: np.ndarray, train: np.ndarray, held: np.ndarray, seed: int = 0) -> dict:
    """How emoji-like are (N, H, W, 3) uint8 samples, and are they copies? See the dcgan_emoji card's notes."""
    rng = np.random.default_rng(seed)
    count = len(samples)
    real = train[rng.choice(len(train), size=min(count, len(train)), replace=False)]
    noise = rng.integers(0, 256, size=samples.shape, dtype=np.uint8)
    held_f, train_f = backbone_features(held), backbone_features(train)
    sample_f = backbone_features(samples)
    # 141 held-out emoji cannot pin down a 1280-d covariance: compare in the training
    # features' top principal directions instead (one fixed basis for every set).
    basis = principal_directions(train_f, FRECHET_DIMENSIONS)

    def fid(features: torch.Tensor) -> float:
        return round(frechet_distance(features @ basis, held_f @ basis), 2)

    sample_nn, _ = nearest_distances(sample_f, train_f)
    held_nn, _ = nearest_distances(held_f, train_f)
    return {
        "fid_samples_vs_heldout": fid(sample_f),
        "fid_train_vs_heldout": fid(backbone_features(real)),
        "fid_noise_vs_heldout": fid(backbone_features(noise)),
        "fid_dimensions": FRECHET_DIMENSIONS,
        "nn_samples_to_train_median": round(float(sample_nn.median()), 4),
        "nn_heldout_to_train_median": round(float(held_nn.median()), 4),
        "copy_ratio": round(float(sample_nn.median() / held_nn.median()), 3),
        "samples": count,
    }


def pixel_features(images: np.ndarray, side: int = 16) -> torch.Tensor:
    """(N, H, W, 3) uint8 → (N, side·side·3) float32: the pictures box-averaged to side × side, in [0, 1].

    Coarse colour and layout only: what a blurry sample shares with its group even where a
    backbone trained on sharp photos sees nothing it knows."""
    from PIL import Image

    small = np.stack([np.asarray(Image.fromarray(picture).resize((side, side), Image.Resampling.BOX))
                      for picture in images]).astype(np.float32) / 255
    return torch.from_numpy(small.reshape(len(small), -1))


GROUP_SPACES = ("lite0", "pixels")  # the two feature spaces a group reader works in


def group_reader(reference: np.ndarray, reference_groups: np.ndarray, groups: list[int], space: str):
    """A nearest-centroid reader of emoji groups, fitted on (N, H, W, 3) uint8 ``reference``
    pictures with (N,) ``reference_groups``: returns images → (M,) the nearest centroid's group.
    ``space`` "lite0": cosine in the Lite0 backbone's pooled features; "pixels": Euclidean in
    ``pixel_features``."""
    if space not in GROUP_SPACES:
        raise ValueError(f"unknown space {space!r}; choose one of {GROUP_SPACES}")

    def features(images: np.ndarray) -> torch.Tensor:
        if space == "lite0":
            return torch.nn.functional.normalize(backbone_features(images), dim=1)
        return pixel_features(images)

    known = features(reference)
    centroids = torch.stack([known[torch.from_numpy(reference_groups == g)].mean(0) for g in groups])  # (G, D)
    labels = np.array(groups)

    def read(images: np.ndarray) -> np.ndarray:
        found = features(images)
        if space == "lite0":
            return labels[(found @ torch.nn.functional.normalize(centroids, dim=1).T).argmax(1).numpy()]
        return labels[torch.cdist(found, centroids).argmin(1).numpy()]

    return read


def group_agreement(
    samples: np.ndarray, asked: np.ndarray, train: np.ndarray, train_groups: np.ndarray, held: np.ndarray,
    held_groups: np.ndarray, group_count: int,
) -> dict:
    """Does a conditional emoji DCGAN draw the group it was asked for?

    In each space of ``GROUP_SPACES``, a nearest-centroid reader fitted on the training emoji's
    groups reads each sample; its score on the held-out real emoji is the reference (how well
    such a crude reader reads real emoji at all) and chance is the largest group's share.
    samples (N, H, W, 3) uint8 with ``asked`` (N,) groups; train/held likewise with their groups.
    """
    groups = list(range(group_count))
    metrics = {"chance_group_agreement": round(float(np.bincount(held_groups).max() / len(held_groups)), 3)}
    for space in GROUP_SPACES:
        read = group_reader(train, train_groups, groups, space)
        found = read(samples)
        metrics[f"asked_group_agreement_{space}"] = round(float((found == asked).mean()), 3)
        metrics[f"heldout_group_agreement_{space}"] = round(float((read(held) == held_groups).mean()), 3)
        metrics[f"asked_group_agreement_{space}_by_group"] = {
            str(g): round(float((found[asked == g] == g).mean()), 3) for g in groups if (asked == g).any()}
    return metrics


def sample_grid_with_neighbours(samples: np.ndarray, train: np.ndarray, columns: int = 8, gap: int = 4):
    """A PIL picture: rows of samples, then under the first row each sample's nearest training
    emoji (in the backbone's feature space), so a reader can see nothing was copied."""
    from PIL import Image

    _, index = nearest_distances(backbone_features(samples[:columns]), backbone_features(train))
    rows = [samples[start : start + columns] for start in range(0, len(samples), columns)]
    rows.append(train[index.numpy()])
    side = samples.shape[1]
    canvas = np.full((len(rows) * (side + gap) + 3 * gap, columns * (side + gap) + gap, 3), 255, dtype=np.uint8)
    for r, row in enumerate(rows):
        top = gap + r * (side + gap) + (2 * gap if r == len(rows) - 1 else 0)
        for c, picture in enumerate(row):
            left = gap + c * (side + gap)
            canvas[top : top + side, left : left + side] = picture
    return Image.fromarray(canvas)
