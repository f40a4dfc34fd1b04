"""pix2pix compute: drawings in, emoji out, plus the training loop and the held-out measure.

A drawing is an (H, W) ink map in [0, 1] (1 = a line). Three ways to get one:
- ``ink_from_sketch``: the Sketchpad's layers (alpha = ink), cropped to the drawing and
  scaled to 128×128, like the emoji were cropped to their glyph;
- ``ink_from_upload``: any picture, padded to a square with white, scaled to 128×128, then
  edge-detected (``emoji_data.edge_map``);
- the recipe's training pairs: edges of rendered emoji.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from playground import checks, registry
from playground.device import to_model
from playground.errors import TrainingDiverged, UserInputError
from playground.gans.emoji_data import edge_map
from playground.images import load_image, sketch_ink
from playground.lazy import lazy_module
from playground.nets.pix2pix import Pix2Pix

ndimage = lazy_module("scipy.ndimage")

SIZE = 128  # the generator's picture size (the shipped model's config.image_size)
MODEL = "pix2pix_emoji"
L1_WEIGHT = 100.0  # pix2pix's λ: the L1 term keeps the picture close to the target, the GAN term sharpens it


# ---------------------------------------------------------------- drawings


def fit_to_square(ink: np.ndarray, size: int = SIZE, margin: float = 0.06) -> np.ndarray:
    """Crop (H, W) ink to its bounding box, centre it in a square with a margin, resize to size×size."""
    rows = np.flatnonzero(ink.max(axis=1) > 0.05)
    cols = np.flatnonzero(ink.max(axis=0) > 0.05)
    if rows.size == 0:
        raise UserInputError("The sketch is empty: draw something first.")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    side = int(round(max(crop.shape) * (1 + 2 * margin))) + 1
    square = np.zeros((side, side), dtype=np.float32)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top : top + crop.shape[0], left : left + crop.shape[1]] = crop
    small = Image.fromarray((square * 255).astype(np.uint8)).resize((size, size), Image.Resampling.BOX)
    small = np.asarray(small, dtype=np.float32) / 255.0
    # Thin strokes fade when shrunk: stretch so the darkest stroke is full ink again.
    return np.clip(small / max(small.max(), 1e-6) * 1.6, 0, 1)


def ink_from_sketch(sketch) -> np.ndarray:
    """A Sketchpad value → (SIZE, SIZE) float32 ink in [0, 1]."""
    return fit_to_square(sketch_ink(sketch))


def pad_to_square(image: Image.Image, fill=(255, 255, 255)) -> Image.Image:
    """Pad the shorter side with white so nothing is cropped or squashed."""
    side = max(image.size)
    square = Image.new("RGB", (side, side), fill)
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def ink_from_upload(value) -> tuple[np.ndarray, np.ndarray]:
    """Any picture → ((SIZE, SIZE) ink of its edges, (SIZE, SIZE, 3) uint8 of the picture it came from)."""
    picture = pad_to_square(load_image(value, max_side=1024))
    small = np.asarray(picture.resize((SIZE, SIZE), Image.Resampling.LANCZOS))
    ink = edge_map(small)
    if ink.sum() < 5:
        raise UserInputError("No edges found in this picture (is it blank?): try one with clear shapes.")
    return ink, small


def ink_from_line_drawing(value) -> np.ndarray:
    """A picture that already is a drawing (dark lines on light paper) → (SIZE, SIZE) ink of its lines."""
    picture = pad_to_square(load_image(value, max_side=1024))
    grey = np.asarray(picture.convert("L"), dtype=np.float32) / 255.0
    ink = np.clip((0.75 - grey) / 0.5, 0, 1)  # paper (> 0.75) → 0, dark lines (< 0.25) → 1
    if ink.max() < 0.2:
        raise UserInputError("No lines found: the picture looks blank (lines should be darker than the paper).")
    return fit_to_square(ink)


def drawing_tensor(ink: np.ndarray) -> torch.Tensor:
    """(H, W) ink in [0, 1] → (1, 1, H, W) network input in [-1, 1] (lines at +1)."""
    return torch.from_numpy(np.asarray(ink, dtype=np.float32) * 2 - 1)[None, None]


def ink_picture(ink: np.ndarray) -> np.ndarray:
    """(H, W) ink → (H, W, 3) uint8 black lines on white, the way a person sees a drawing."""
    grey = (255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


# ---------------------------------------------------------------- translation


def checked_ink(ink) -> np.ndarray:
    """A (SIZE, SIZE) drawing the generators can take, as float32 ink in [0, 1]; anything else is refused."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.shape != (SIZE, SIZE):
        raise UserInputError(f"expected a {SIZE}×{SIZE} drawing, got {ink.shape}")
    if not np.isfinite(ink).all():
        raise UserInputError("the drawing contains NaN or infinite values")
    return np.clip(ink, 0, 1)


@torch.inference_mode()
def translate(
    ink: np.ndarray, dropout: bool = False, skips: bool = True, seed: int = 0, model_name: str = MODEL
) -> np.ndarray:
    """(SIZE, SIZE) ink → (SIZE, SIZE, 3) uint8 picture from the shared pix2pix generator."""
    ink = checked_ink(ink)
    model = registry.get(model_name)
    noise = torch.Generator().manual_seed(checks.seed(seed)) if dropout else None
    output = model.generator(to_model(model, drawing_tensor(ink)), skips=skips, noise=noise, mirror=True)  # (1, 3, S, S)
    return ((output[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()


def side_by_side(left: np.ndarray, right: np.ndarray, scale: int = 2, gap: int = 8) -> np.ndarray:
    """Two (S, S, 3) pictures → one (S·scale, 2·S·scale + gap, 3) picture, input | output."""
    left = left.repeat(scale, axis=0).repeat(scale, axis=1)
    right = right.repeat(scale, axis=0).repeat(scale, axis=1)
    spacer = np.full((left.shape[0], gap, 3), 255, dtype=np.uint8)
    return np.concatenate([left, spacer, right], axis=1)


def split_side_by_side(picture: np.ndarray, gap: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``side_by_side``'s picture → its two panels (input, output), each at the size shown."""
    width = (picture.shape[1] - gap) // 2
    return picture[:, :width], picture[:, width + gap:]


# ---------------------------------------------------------------- training and measuring


def training_pairs(emoji: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, S, S, 3) uint8 emoji → drawings (N, 1, S, S) and targets (N, 3, S, S), both in [-1, 1]."""
    inks = np.stack([edge_map(picture) for picture in emoji])  # (N, S, S)
    drawings = torch.from_numpy(inks * 2 - 1).unsqueeze(1).float()
    targets = torch.from_numpy(emoji).permute(0, 3, 1, 2).float() / 127.5 - 1
    return drawings, targets


def _jitter(drawings: torch.Tensor, targets: torch.Tensor, generator: torch.Generator):
    """The same small zoom-out and shift for a drawing and its target (sketches are never
    framed quite like the renders): scale 0.85–1, shift up to ±5 % of the side, white paper
    and no ink brought in at the borders."""
    count = len(drawings)
    scale = 1 + 0.15 * torch.rand(count, generator=generator)  # sampling grid ≥ 1 → the picture shrinks
    shift = 0.1 * (torch.rand(count, 2, generator=generator) - 0.5)
    theta = torch.zeros(count, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(targets.shape), align_corners=False)
    # Sample (value + 1) with zero padding, then shift back: outside the picture becomes −1
    # for the drawing (no ink) and +1 for the target (white paper).
    drawings = F.grid_sample(drawings + 1, grid, align_corners=False) - 1
    targets = 1 - F.grid_sample(1 - targets, grid, align_corners=False)
    return drawings, targets


def augment_pairs(drawings: torch.Tensor, targets: torch.Tensor, generator: torch.Generator):
    """What turns rendered edge maps into something like a person's sketch:

    - a random mirror and a small zoom/shift (the same for drawing and target);
    - strokes 1, 3 or 5 px wide (Canny's lines are 1 px, a sketchpad pen 2–6 px at this size);
    - for a third of the drawings, some 16×16 patches of ink wiped out, so a drawing that
      leaves lines out (a person's) still gets coloured in.
    """
    count = len(drawings)
    mirror = (torch.rand(count, generator=generator) < 0.5).view(-1, 1, 1, 1)
    drawings = torch.where(mirror, drawings.flip(-1), drawings)
    targets = torch.where(mirror, targets.flip(-1), targets)
    drawings, targets = _jitter(drawings, targets, generator)
    drawings = (drawings > 0).float() * 2 - 1  # interpolation blurred the ink: back to lines at ±1
    # Max-pool 3×3 with stride 1 grows every line by a pixel each side: a cheap dilation.
    once = F.max_pool2d(drawings, 3, stride=1, padding=1)
    twice = F.max_pool2d(once, 3, stride=1, padding=1)
    width = torch.rand(count, generator=generator).view(-1, 1, 1, 1)
    drawings = torch.where(width < 0.25, drawings, torch.where(width < 0.75, once, twice))
    side = drawings.shape[-1]
    cells = torch.rand(count, 1, side // 16, side // 16, generator=generator) < 0.15
    wipe = cells & (torch.rand(count, generator=generator) < 1 / 3).view(-1, 1, 1, 1)
    wipe = F.interpolate(wipe.float(), size=(side, side), mode="nearest").bool()
    drawings = torch.where(wipe, torch.full_like(drawings, -1.0), drawings)
    return drawings, targets


def train_pix2pix(
    model: Pix2Pix,
    drawings: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    batch_size: int = 8,
    lr: float = 2e-4,
    seed: int = 0,
    log=print,
) -> None:
    """The pix2pix loop: D on (drawing, real) vs (drawing, G(drawing)); G on GAN loss + λ·L1.

    The learning rate holds for the first half of the epochs and then falls linearly to
    zero, as in the paper: the late, small steps settle the details.
    """
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    gen, disc = model.generator, model.discriminator
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(0.5, 0.999))
    hold = epochs // 2

    def decay(epoch: int) -> float:
        return 1.0 if epoch < hold else max(0.0, 1 - (epoch - hold) / (epochs - hold + 1))

    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, decay) for opt in (opt_g, opt_d)]
    model.train()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(drawings), generator=generator)
        totals = np.zeros(3)
        steps = 0
        for start in range(0, len(order) - batch_size + 1, batch_size):
            index = order[start : start + batch_size]
            drawing, real = augment_pairs(drawings[index], targets[index], generator)
            fake = gen(drawing)  # (B, 3, S, S)

            logits_real = disc(drawing, real)  # (B, 1, P, P)
            logits_fake = disc(drawing, fake.detach())
            d_loss = 0.5 * (
                F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))
                + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
            )
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()

            logits = disc(drawing, fake)
            gan_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            l1 = (fake - real).abs().mean()
            g_loss = gan_loss + L1_WEIGHT * l1
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            if not torch.isfinite(g_loss + d_loss):
                raise TrainingDiverged("pix2pix losses became non-finite")
            totals += [d_loss.item(), gan_loss.item(), l1.item()]
            steps += 1
        for schedule in schedules:
            schedule.step()
        d, g, l1_mean = totals / max(steps, 1)
        log(f"epoch {epoch}/{epochs}: D {d:.3f} G(GAN) {g:.3f} L1 {l1_mean:.4f} (in [-1,1] units)")
    model.eval()


def blur_baseline(ink: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """The drawing, blurred, as a picture: a do-nothing translator that at least softens lines."""
    blurred = ndimage.gaussian_filter(np.asarray(ink, dtype=np.float32), sigma)
    return ink_picture(np.clip(blurred / max(blurred.max(), 1e-6), 0, 1))


def _ink_signature(inks: np.ndarray) -> torch.Tensor:
    """(N, S, S) inks → (N, 32·32) blurred, shrunk ink: drawings alike in it are alike in shape."""
    tensor = torch.from_numpy(np.asarray(inks, dtype=np.float32))[:, None]
    return F.adaptive_avg_pool2d(tensor, 32).flatten(1)


def nearest_training_emoji(inks: np.ndarray, train_inks: np.ndarray, train_emoji: np.ndarray) -> np.ndarray:
    """For each drawing, the training emoji whose drawing is closest to it: the answer of a
    translator that only remembers (a lookup table, not a generator)."""
    distances = torch.cdist(_ink_signature(inks), _ink_signature(train_inks))  # (N, M)
    return train_emoji[distances.argmin(dim=1).numpy()]


@torch.inference_mode()
def generate_all(model: Pix2Pix, inks: np.ndarray, skips: bool = True, mirror: bool = True,
                 batch: int = 32) -> np.ndarray:
    """(N, S, S) inks → (N, S, S, 3) uint8 pictures from ``model`` (batched, eval mode); ``mirror``
    averages each answer with its mirror image's, as the app does (``translate``)."""
    model.eval()
    pictures = []
    for start in range(0, len(inks), batch):
        drawings = torch.from_numpy(inks[start : start + batch].astype(np.float32) * 2 - 1).unsqueeze(1)
        outputs = model.generator(to_model(model, drawings), skips=skips, mirror=mirror)  # (b, 3, S, S)
        pictures.append(((outputs.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(pictures)


def baseline_answers(inks: np.ndarray, train_inks: np.ndarray | None = None,
                     train_emoji: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The simple translators' (N, S, S, 3) uint8 answers for held-out drawings: the drawing
    itself, the drawing blurred, white paper and, given the training pairs, the nearest
    training emoji."""
    answers = {
        "identity_baseline": np.stack([ink_picture(ink) for ink in inks]),
        "blur_baseline": np.stack([blur_baseline(ink) for ink in inks]),
        "white_baseline": np.full((*inks.shape, 3), 255, dtype=np.uint8),
    }
    if train_inks is not None:
        answers["nearest_training_baseline"] = nearest_training_emoji(inks, train_inks, train_emoji)
    return answers


def heldout_answers(model: Pix2Pix, inks: np.ndarray, train_inks: np.ndarray | None = None,
                    train_emoji: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every translator's answers for held-out drawings: pix2pix as the app runs it (mirror
    ensemble), in one pass, without its skips, and the ``baseline_answers``."""
    return {
        "pix2pix": generate_all(model, inks),
        "pix2pix_one_pass": generate_all(model, inks, mirror=False),
        "pix2pix_without_skips": generate_all(model, inks, skips=False),
        **baseline_answers(inks, train_inks, train_emoji),
    }


def heldout_scores(answers: dict[str, np.ndarray], emoji: np.ndarray, features: bool = True) -> dict[str, float]:
    """For each translator: mean absolute error (pixels in [0, 1]), PSNR (dB, per picture then
    averaged) and, with ``features``, the distance in the Lite0 backbone's feature space
    (1 − cosine similarity, averaged): does it *look like* the right emoji?"""
    from playground.gans.quality import backbone_features, feature_distance  # the backbone is heavy

    target = emoji.astype(np.float32) / 255
    target_features = backbone_features(emoji) if features else None
    scores = {}
    for name, pictures in answers.items():
        error = pictures.astype(np.float32) / 255 - target  # (N, S, S, 3)
        mse = np.maximum((error**2).mean(axis=(1, 2, 3)), 1e-10)
        scores[f"l1_{name}"] = float(np.abs(error).mean())
        scores[f"psnr_{name}"] = float((10 * np.log10(1 / mse)).mean())
        if features:
            scores[f"feature_{name}"] = feature_distance(backbone_features(pictures), target_features)
    return scores


def heldout_l1(model: Pix2Pix, inks: np.ndarray, emoji: np.ndarray, skips: bool = True) -> dict[str, float]:
    """Mean absolute error (pixel values in [0, 1]) on held-out pairs for pix2pix and three
    baselines (the drawing itself, the drawing blurred, white paper) — the quick check the
    tests run without the backbone."""
    answers = {"pix2pix": generate_all(model, inks, skips=skips), **baseline_answers(inks)}
    return {key: value for key, value in heldout_scores(answers, emoji, features=False).items()
            if key.startswith("l1_")}


def heldout_grid(inks: np.ndarray, answers: dict[str, np.ndarray], emoji: np.ndarray,
                 columns: tuple[str, ...] = ("pix2pix", "nearest_training_baseline", "blur_baseline")):
    """A PIL picture, one held-out emoji per row: drawing | each translator's answer | the real emoji."""
    from PIL import Image

    rows = []
    gap = np.full((emoji.shape[1], 4, 3), 255, dtype=np.uint8)
    for index in range(len(inks)):
        panels = [ink_picture(inks[index])] + [answers[name][index] for name in columns if name in answers]
        panels.append(emoji[index])
        row = np.concatenate([piece for panel in panels for piece in (panel, gap)][:-1], axis=1)
        rows.append(np.concatenate([row, np.full((4, row.shape[1], 3), 255, dtype=np.uint8)]))
    return Image.fromarray(np.concatenate(rows)[:-4])
