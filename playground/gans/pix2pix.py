"""pix2pix compute: drawings in, emoji out, plus the training loop and the held-out measure.

A drawing is an (H, W) ink map in [0, 1] (1 = a line). Three ways to get one:
- ``ink_from_sketch``: the Sketchpad's layers (alpha = ink), cropped to the drawing and
  scaled to 64×64, like the emoji were cropped to their glyph;
- ``ink_from_upload``: any picture, padded to a square with white, scaled to 64×64, then
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

SIZE = 64
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
    """A Sketchpad value → (64, 64) float32 ink in [0, 1]."""
    return fit_to_square(sketch_ink(sketch))


def pad_to_square(image: Image.Image, fill=(255, 255, 255)) -> Image.Image:
    """Pad the shorter side with white so nothing is cropped or squashed."""
    side = max(image.size)
    square = Image.new("RGB", (side, side), fill)
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def ink_from_upload(value) -> tuple[np.ndarray, np.ndarray]:
    """Any picture → ((64, 64) ink of its edges, (64, 64, 3) uint8 of the picture it came from)."""
    picture = pad_to_square(load_image(value, max_side=1024))
    small = np.asarray(picture.resize((SIZE, SIZE), Image.Resampling.LANCZOS))
    ink = edge_map(small)
    if ink.sum() < 5:
        raise UserInputError("No edges found in this picture (is it blank?): try one with clear shapes.")
    return ink, small


def ink_from_line_drawing(value) -> np.ndarray:
    """A picture that already is a drawing (dark lines on light paper) → (64, 64) ink of its lines."""
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


@torch.inference_mode()
def translate(
    ink: np.ndarray, dropout: bool = False, skips: bool = True, seed: int = 0, model_name: str = MODEL
) -> np.ndarray:
    """(64, 64) ink → (64, 64, 3) uint8 picture from the shared pix2pix generator."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.shape != (SIZE, SIZE):
        raise UserInputError(f"expected a {SIZE}×{SIZE} drawing, got {ink.shape}")
    if not np.isfinite(ink).all():
        raise UserInputError("the drawing contains NaN or infinite values")
    model = registry.get(model_name)
    noise = torch.Generator().manual_seed(checks.seed(seed)) if dropout else None
    output = model.generator(to_model(model, drawing_tensor(ink)), skips=skips, noise=noise)  # (1, 3, 64, 64)
    return ((output[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()


def side_by_side(left: np.ndarray, right: np.ndarray, scale: int = 4, gap: int = 8) -> np.ndarray:
    """Two (64, 64, 3) pictures → one (64·s, 2·64·s + gap, 3) picture, input | output."""
    left = left.repeat(scale, axis=0).repeat(scale, axis=1)
    right = right.repeat(scale, axis=0).repeat(scale, axis=1)
    spacer = np.full((left.shape[0], gap, 3), 255, dtype=np.uint8)
    return np.concatenate([left, spacer, right], axis=1)


# ---------------------------------------------------------------- training and measuring


def training_pairs(emoji: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 64, 64, 3) uint8 emoji → drawings (N, 1, 64, 64) and targets (N, 3, 64, 64), both in [-1, 1]."""
    inks = np.stack([edge_map(picture) for picture in emoji])  # (N, 64, 64)
    drawings = torch.from_numpy(inks * 2 - 1).unsqueeze(1).float()
    targets = torch.from_numpy(emoji).permute(0, 3, 1, 2).float() / 127.5 - 1
    return drawings, targets


def _augment(drawings: torch.Tensor, targets: torch.Tensor, generator: torch.Generator):
    """Random mirror and, for half the drawings, thicker lines (sketchpad strokes are 1–3 px)."""
    mirror = (torch.rand(len(drawings), generator=generator) < 0.5).view(-1, 1, 1, 1)
    drawings = torch.where(mirror, drawings.flip(-1), drawings)
    targets = torch.where(mirror, targets.flip(-1), targets)
    thick = (torch.rand(len(drawings), generator=generator) < 0.5).view(-1, 1, 1, 1)
    # Max-pool 3×3 with stride 1 grows every line by a pixel each side: a cheap dilation.
    dilated = F.max_pool2d(drawings, 3, stride=1, padding=1)
    return torch.where(thick, dilated, drawings), targets


def train_pix2pix(
    model: Pix2Pix,
    drawings: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    batch_size: int = 16,
    lr: float = 2e-4,
    seed: int = 0,
    log=print,
) -> None:
    """The pix2pix loop: D on (drawing, real) vs (drawing, G(drawing)); G on GAN loss + λ·L1."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    gen, disc = model.generator, model.discriminator
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(0.5, 0.999))
    model.train()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(drawings), generator=generator)
        totals = np.zeros(3)
        steps = 0
        for start in range(0, len(order) - batch_size + 1, batch_size):
            index = order[start : start + batch_size]
            drawing, real = _augment(drawings[index], targets[index], generator)
            fake = gen(drawing)  # (B, 3, 64, 64)

            logits_real = disc(drawing, real)  # (B, 1, 14, 14)
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
        d, g, l1_mean = totals / max(steps, 1)
        log(f"epoch {epoch}/{epochs}: D {d:.3f} G(GAN) {g:.3f} L1 {l1_mean:.4f} (in [-1,1] units)")
    model.eval()


def blur_baseline(ink: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """The drawing, blurred, as a picture: a do-nothing translator that at least softens lines."""
    blurred = ndimage.gaussian_filter(np.asarray(ink, dtype=np.float32), sigma)
    return ink_picture(np.clip(blurred / max(blurred.max(), 1e-6), 0, 1))


@torch.inference_mode()
def heldout_l1(model: Pix2Pix, inks: np.ndarray, emoji: np.ndarray, skips: bool = True) -> dict[str, float]:
    """Mean absolute error (pixel values in [0, 1]) on held-out pairs for pix2pix and three baselines.

    - identity: the drawing itself (black lines on white) as the answer;
    - blur: the drawing blurred;
    - white: a blank white picture (most of an emoji picture is white paper).
    """
    model.eval()
    drawings = torch.from_numpy(inks.astype(np.float32) * 2 - 1).unsqueeze(1)  # (N, 1, 64, 64)
    outputs = model.generator(to_model(model, drawings), skips=skips)
    predicted = (outputs.clamp(-1, 1).cpu().permute(0, 2, 3, 1).numpy() + 1) / 2  # (N, 64, 64, 3)
    target = emoji.astype(np.float32) / 255
    identity = np.stack([ink_picture(ink) for ink in inks]).astype(np.float32) / 255
    blur = np.stack([blur_baseline(ink) for ink in inks]).astype(np.float32) / 255
    return {
        "l1_pix2pix": float(np.abs(predicted - target).mean()),
        "l1_identity_baseline": float(np.abs(identity - target).mean()),
        "l1_blur_baseline": float(np.abs(blur - target).mean()),
        "l1_white_baseline": float(np.abs(1.0 - target).mean()),
    }
