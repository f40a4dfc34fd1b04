"""``adain_decoder``: the decoder that makes AdaIN style transfer a single forward pass.

Encoder: the frozen ImageNet EfficientNet-Lite0; the decoder reads its maps at blocks 4, 2
and 0 (1/8, 1/4, 1/2 size), and with ``block8=true`` also block 8 (1/16). Each step takes a
batch of random content crops and random style crops, re-normalises each content map to the
style's statistics (AdaIN), decodes, re-encodes and minimises

    content loss  ‖E₄(D(t)) − t₄‖² (+ ‖E₈(D(t)) − t₈‖²)  (the decoded image has the target deep features)
  + style loss    Σ_layers ‖μ, σ of E(D(t)) − μ, σ of E(style)‖²   (stem, blocks 1, 3, 4)
  + gram_weight · Gram loss  Σ ‖G(E(D(t))) − G(E(style))‖²   (stem, blocks 1, 3, 5, 8: Gatys' layers;
                             with ``gram_relative=true`` over the content crop's own distance to the style)
  + grid_weight · grid loss  the share of fine detail that repeats on the 8-px upsampling grid (``grid_loss``)
  + reconstruction  |D(E(c)) − c|₁ + Σ_{decoder's layers} ‖E(D(E(c))) − E(c)‖²   (pixels and features:
                    α = 0 gives back the content photo, sharp and without a grid)

where a third of each batch has α = 0 (t = E(c): reconstruction) and the rest α = 1.
``init`` starts from an earlier run's weights (e.g. a three-level run, fine-tuned with the
block-8 branch and the Gram term). One decoder for both ends compromises: the Gram term's
style costs α = 0 reconstruction. Two ways out, both fine-tuned from a three-level decoder:

- ``alpha_input=true``: the decoder takes α (FiLM, zero-started) and trains on α drawn in
  [0, 1] (``reconstruction_share`` of them 0, ``full_share`` 1, the rest uniform), with the
  content loss to the α-blended target, α·(style + Gram) and (1 − α)·reconstruction
  (``conditioned_losses``).
- ``pair_with=<reconstruction decoder>``: this run trains a painting decoder on α = 1 only
  (``reconstruction_share=0``) and ships it beside the fixed reconstruction decoder as an
  ``AdaINDecoderPair``, whose output is (1 − α)·reconstruct + α·paint.

The card says which kind the shipped decoder is (its ``arguments``).

Data: the bundled photos and textures (scikit-image, scikit-learn, matplotlib) and
procedural art, with heavy augmentation (random resized crops of 10–100 % of the side,
flips, quarter turns, colour jitter, grayscale). Held out, never trained on: the content
photos chelsea/cat (one photo), coffee and astronaut; the style immunohistochemistry and
procedural art with seeds below 10,000 (the tab's bundled styles use seeds 0–99).
Metrics are measured on those held-out pairs, with Gatys run on the same pairs beside it:
reconstruction PSNR at α = 0, the Gram style distance ratio, the content distance and a
periodic-artefact score (``playground.style.metrics``).
"""

from __future__ import annotations

import math
import time

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

from safetensors.torch import load_file, save_file

from playground import data, registry, weights
from playground.nets.adain_decoder import AdaINDecoder, AdaINDecoderPair
from playground.recipes import RecipeArgs, RecipeOutput, recipe
from playground.style import adain as A
from playground.style import features as feats
from playground.style import procedural
from playground.style import gatys
from playground.style.gram import gram
from playground.style.metrics import content_distance, grid_artefact_db, style_ratio
from playground.training_loop import seed_everything

EVAL_CONTENT = ("chelsea", "coffee", "astronaut")
EVAL_STYLES = ("immunohistochemistry",)
HELD_OUT_PHOTOS = set(EVAL_CONTENT) | set(EVAL_STYLES) | {"cat"}  # skimage cat() is chelsea()
TRAIN_PROCEDURAL_SEED = 10_000  # training art uses seeds ≥ this; the tab and evaluation use lower ones
STYLE_LAYERS = ("stem", 1, 3, 4)
# The Gram term reads the layers Gatys' style loss reads (blocks 5 and 8 lie deeper than the
# block-4 map AdaIN renormalises): it teaches the decoder to paint the style's textures there too.
GRAM_LAYERS = ("stem", 1, 3, 5, 8)
CONTENT_DEPTH = 4  # the content loss reads the decoder's maps from block 4 down (blocks 4, and 8 if it has it)


def reconstruction_weights(path: str) -> dict[str, torch.Tensor]:
    """A decoder's weights from ``path``: a plain decoder's file, or the reconstruction half of an
    AdaINDecoderPair's file (so a pair's painting decoder can be re-trained from the shipped pair)."""
    state = load_file(path)
    prefix = "reconstruct."
    if any(key.startswith(prefix) for key in state):
        return {key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}
    return state


def loss_layers(decoder, with_gram: bool) -> tuple:
    """Every encoder layer one training step reads, shallowest first."""
    layers = set(STYLE_LAYERS) | set(decoder.encoder_layers) | (set(GRAM_LAYERS) if with_gram else set())
    return tuple(sorted(layers, key=feats.depth))


def training_photos(max_side: int = 384) -> list[Image.Image]:
    """Every bundled photo not held out (plus both views of scikit-image's stereo motorcycle)."""
    from skimage import data as skimage_data

    left, right, _ = skimage_data.stereo_motorcycle()
    pictures = [data.photo(name) for name in data.photo_names() if name not in HELD_OUT_PHOTOS]
    pictures += [Image.fromarray(view) for view in (left, right)]
    for picture in pictures:
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return [picture.convert("RGB") for picture in pictures]


def training_art(count_per_kind: int, size: int = 256) -> list[Image.Image]:
    return [
        procedural.generate(kind, seed=TRAIN_PROCEDURAL_SEED + index, size=size)
        for kind in sorted(procedural.GENERATORS)
        for index in range(count_per_kind)
    ]


class CropSampler:
    """Random augmented square crops of a pool of pictures, as (B, 3, S, S) tensors in [0, 1]."""

    def __init__(self, pictures: list[Image.Image], size: int, rng: np.random.Generator, colour_jitter: float):
        self.pictures = pictures
        self.size = size
        self.rng = rng
        self.jitter = T.ColorJitter(brightness=colour_jitter, contrast=colour_jitter, saturation=colour_jitter)

    def crop(self) -> Image.Image:
        picture = self.pictures[self.rng.integers(len(self.pictures))]
        short = min(picture.size)
        side = int(short * self.rng.uniform(0.1, 1.0) ** 0.5)  # 10–100 % of the area of the short side's square
        side = max(side, 24)
        left = int(self.rng.integers(0, picture.width - side + 1))
        top = int(self.rng.integers(0, picture.height - side + 1))
        crop = picture.crop((left, top, left + side, top + side)).resize((self.size, self.size), Image.Resampling.BILINEAR)
        if self.rng.random() < 0.5:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        turns = int(self.rng.integers(4))
        if turns:
            crop = crop.rotate(90 * turns)
        torch.manual_seed(int(self.rng.integers(2**31)))  # ColorJitter draws from torch's generator
        crop = self.jitter(crop)
        if self.rng.random() < 0.1:
            crop = crop.convert("L").convert("RGB")
        return crop

    def batch(self, count: int) -> torch.Tensor:
        arrays = [np.asarray(self.crop(), dtype=np.float32) / 255.0 for _ in range(count)]
        return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()  # (B, 3, S, S)


def gram_distances(decoded_maps: dict, style_maps: dict) -> torch.Tensor:
    """Gatys' style distance per sample: Σ over GRAM_LAYERS of ‖G(decoded) − G(style)‖²_F, over the
    number of layers (the same Gram matrices and mean as ``playground.style.gram``). → (B,)"""
    total = 0.0
    for key in GRAM_LAYERS:
        total = total + (gram(decoded_maps[key]) - gram(style_maps[key])).pow(2).sum(dim=(1, 2))
    return total / len(GRAM_LAYERS)


def gram_loss(decoded_maps: dict, style_maps: dict, content_maps: dict | None = None) -> torch.Tensor:
    """``gram_distances`` averaged over the samples; with ``content_maps``, each sample's distance
    is taken relative to its content crop's own distance to the style: the ratio the card measures
    (``metrics.style_ratio``), so a style close to every photo in Gram terms (a pale slide) counts
    as much as a loud one. (A floor at a tenth of the batch's mean keeps a crop that already looks
    like its style from dominating.)"""
    distances = gram_distances(decoded_maps, style_maps)  # (B,)
    if content_maps is None:
        return distances.mean()
    with torch.no_grad():
        baseline = gram_distances(content_maps, style_maps)  # (B,)
        baseline = baseline.clamp(min=0.1 * float(baseline.mean()))
    return (distances / baseline).mean()


def grid_loss(decoded: torch.Tensor, weight: torch.Tensor | None = None, period: int = 8) -> torch.Tensor:
    """How much of the decoded images' fine detail (B, 3, S, S) repeats on the decoder's 8-px
    upsampling grid: the brightness minus its local mean, cut into 8×8 tiles; the energy of the
    average tile over the energy of the detail (per sample, weighted by ``weight`` (B,) where
    given, averaged). A photo's detail averages out (~1/number of tiles); a checkerboard does not.

    (``metrics.grid_artefact_db`` measures the same grid as spectral peaks, but at 128 px crops
    those peaks barely rise above the noise; the average tile already shows them.)"""
    grey = (decoded * decoded.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(dim=1, keepdim=True)  # (B, 1, S, S)
    local_mean = F.avg_pool2d(F.pad(grey, (period // 2,) * 4, mode="reflect"), period + 1, stride=1)
    detail = (grey - local_mean)[:, 0]  # (B, S, S)
    batch, height, width = detail.shape
    height, width = height - height % period, width - width % period
    tiles = detail[:, :height, :width].reshape(batch, height // period, period, width // period, period)
    average_tile = tiles.mean(dim=(1, 3))  # (B, 8, 8)
    share = average_tile.pow(2).mean(dim=(1, 2)) / detail.pow(2).mean(dim=(1, 2)).clamp(min=1e-8)  # (B,)
    return (share if weight is None else weight * share).mean()


def adain_losses(encoder, decoder, content: torch.Tensor, style: torch.Tensor, alpha: torch.Tensor,
                 with_gram: bool = False, with_grid: bool = False, gram_relative: bool = False) -> dict[str, torch.Tensor]:
    """The training losses for one batch of content and style crops (B, 3, S, S).

    ``alpha`` (B,) holds 0 or 1 per sample: α = 1 samples learn to paint AdaIN features
    (content + style losses), α = 0 samples learn to give back the content photo itself
    (pixel and feature reconstruction) — one decoder pass serves both. ``with_gram`` adds
    the Gram style term on GRAM_LAYERS (it runs the encoder 4 blocks deeper).
    """
    layers = loss_layers(decoder, with_gram)
    with torch.no_grad():
        content_features = A.encode(encoder, content, decoder.encoder_layers)  # {(8: (B, 112, S/16, S/16),) 4: (B, 40, S/8, S/8), 2: …, 0: …}
        style_maps = feats.extract(encoder, style, layers)
        style_stats = {key: A.mean_std(value) for key, value in style_maps.items()}
        target = A.renormalise(content_features, style_stats, alpha)
    decoded = A.decode(decoder, target)  # (B, 3, S, S)
    decoded_maps = feats.extract(encoder, decoded, layers)
    content_loss = sum(F.mse_loss(decoded_maps[key], target[key]) for key in decoder.encoder_layers if key >= CONTENT_DEPTH)
    styled = alpha > 0.5
    style_loss = decoded.new_zeros(())
    gram_term = decoded.new_zeros(())
    grid_term = decoded.new_zeros(())
    reconstruction = decoded.new_zeros(())
    if styled.any():
        for key in STYLE_LAYERS:
            mean, std = A.mean_std(decoded_maps[key][styled])
            style_loss = style_loss + F.mse_loss(mean, style_stats[key][0][styled]) + F.mse_loss(std, style_stats[key][1][styled])
        if with_gram:
            content_maps = None
            if gram_relative:
                with torch.no_grad():
                    content_maps = feats.extract(encoder, content[styled], GRAM_LAYERS)
            gram_term = gram_loss({k: decoded_maps[k][styled] for k in GRAM_LAYERS}, {k: style_maps[k][styled] for k in GRAM_LAYERS},
                                  content_maps)
        if with_grid:
            grid_term = grid_loss(decoded[styled])
    if (~styled).any():
        reconstruction = F.l1_loss(decoded[~styled], content[~styled])
        perceptual = sum(F.mse_loss(decoded_maps[key][~styled], content_features[key][~styled]) for key in decoder.encoder_layers)
    else:
        perceptual = decoded.new_zeros(())
    return {"content": content_loss, "style": style_loss, "gram": gram_term, "grid": grid_term,
            "reconstruction": reconstruction, "perceptual": perceptual}


def sample_alphas(rng: np.random.Generator, count: int, reconstruction_share: float, full_share: float) -> torch.Tensor:
    """Style strengths for a decoder that takes α: ``reconstruction_share`` of them 0, ``full_share``
    of them 1 (the two ends a visitor sees most), the rest uniform in (0, 1). → (count,)"""
    draw = rng.random(count)
    alpha = rng.random(count)
    alpha[draw < reconstruction_share] = 0.0
    alpha[draw >= 1 - full_share] = 1.0
    return torch.from_numpy(alpha.astype(np.float32))


def conditioned_losses(encoder, decoder, content: torch.Tensor, style: torch.Tensor, alpha: torch.Tensor,
                       with_gram: bool = False, with_grid: bool = False) -> dict[str, torch.Tensor]:
    """The losses of a decoder that takes α (``alpha_input``), for α (B,) anywhere in [0, 1].

    content loss to the α-blended target (every sample), the style and Gram losses weighted by
    α per sample, the pixel and feature reconstruction weighted by 1 − α: so α = 0 is pure
    reconstruction and α = 1 pure stylisation, and the strengths between are asked to blend.
    """
    layers = loss_layers(decoder, with_gram)
    with torch.no_grad():
        content_features = A.encode(encoder, content, decoder.encoder_layers)
        style_maps = feats.extract(encoder, style, layers)
        style_stats = {key: A.mean_std(value) for key, value in style_maps.items()}
        target = A.renormalise(content_features, style_stats, alpha)
    decoded = A.decode(decoder, target, alpha)  # (B, 3, S, S)
    decoded_maps = feats.extract(encoder, decoded, layers)

    def per_sample(difference: torch.Tensor) -> torch.Tensor:  # (B, …) → (B,) mean of squares
        return difference.pow(2).flatten(1).mean(dim=1)

    content_loss = sum(per_sample(decoded_maps[k] - target[k]) for k in decoder.encoder_layers if k >= CONTENT_DEPTH).mean()
    style_loss = 0.0
    for key in STYLE_LAYERS:
        mean, std = A.mean_std(decoded_maps[key])
        style_loss = style_loss + per_sample(mean - style_stats[key][0]) + per_sample(std - style_stats[key][1])
    style_loss = (alpha * style_loss).mean()
    gram_term = decoded.new_zeros(())
    if with_gram:
        per_layer = [(gram(decoded_maps[k]) - gram(style_maps[k])).pow(2).sum(dim=(1, 2)) for k in GRAM_LAYERS]
        gram_term = (alpha * sum(per_layer) / len(GRAM_LAYERS)).mean()
    grid_term = grid_loss(decoded, weight=alpha) if with_grid else decoded.new_zeros(())
    keep = 1 - alpha
    reconstruction = (keep * (decoded - content).abs().flatten(1).mean(dim=1)).mean()
    perceptual = (keep * sum(per_sample(decoded_maps[k] - content_features[k]) for k in decoder.encoder_layers)).mean()
    return {"content": content_loss, "style": style_loss, "gram": gram_term, "grid": grid_term,
            "reconstruction": reconstruction, "perceptual": perceptual}


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    mse = float(F.mse_loss(a.clamp(0, 1), b.clamp(0, 1)))
    return 10 * math.log10(1.0 / max(mse, 1e-10))


def evaluation_styles(size: int) -> list[tuple[str, Image.Image]]:
    return [(name, data.photo(name)) for name in EVAL_STYLES] + [
        (f"{kind} (seed 1000)", procedural.generate(kind, seed=1000, size=size)) for kind in sorted(procedural.GENERATORS)
    ]


def artefact_at(encoder, decoder, photo: Image.Image, style_image: Image.Image, side: int) -> float:
    """The grid artefact score of one α = 1 result with content and style at ``side`` px (the
    tab stylises at 512 px, where a grid stands out more than at the 256 px of the other metrics)."""
    content = feats.to_tensor(A.resize_longer(photo, side), torch.device("cpu"))
    style = feats.to_tensor(A.resize_longer(style_image, side), torch.device("cpu"))
    return grid_artefact_db(feats.to_image(A.stylise_tensors(encoder, decoder, content, [style], [1.0], alpha=1.0)))


def evaluate(encoder, decoder, size: int = 256, with_gatys: bool = True) -> tuple[dict[str, float], Image.Image]:
    """Held-out metrics (AdaIN, and Gatys on the same pairs) and a grid of held-out results.

    Reconstruction PSNR at α = 0 at ``size`` and at 512 px (the tab's default); at α = 1 the
    style distance ratio, the content distance and the periodic-artefact score (also at 512 px).
    """
    decoder.eval()
    styles = evaluation_styles(size)
    scores: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        scores.setdefault(key, []).append(value)

    gatys_settings = gatys.GatysSettings(size=size)
    with torch.no_grad():
        for name in EVAL_CONTENT:
            photo = data.photo(name)
            for side in (size, 512):
                content = feats.to_tensor(A.resize_longer(photo, side), torch.device("cpu"))
                reconstructed = A.stylise_tensors(encoder, decoder, content, [content], [1.0], alpha=0.0)
                add(f"reconstruction_psnr_db_alpha0_{side}px", psnr(reconstructed, content))
            content_image = A.resize_longer(photo, size)
            add("content_artefact_db", grid_artefact_db(content_image))
            for _, style_image in styles:
                style = feats.to_tensor(A.resize_longer(style_image, size), torch.device("cpu"))
                out = feats.to_image(A.stylise_tensors(encoder, decoder, feats.to_tensor(content_image, torch.device("cpu")),
                                                       [style], [1.0], alpha=1.0))
                add("adain_style_ratio", style_ratio(out, photo, style_image, size))
                add("adain_content_distance", content_distance(out, photo, size))
                add("adain_artefact_db", grid_artefact_db(out))
                add("adain_artefact_db_512px", artefact_at(encoder, decoder, photo, style_image, 512))
                if with_gatys:
                    with torch.enable_grad():
                        *_, last = gatys.transfer(photo, style_image, gatys_settings)
                    add("gatys_style_ratio", style_ratio(last.image, photo, style_image, size))
                    add("gatys_content_distance", content_distance(last.image, photo, size))
                    add("gatys_artefact_db", grid_artefact_db(last.image))
    decoder.train()
    metrics = {f"heldout_{key}": round(float(np.mean(values)), 4) for key, values in scores.items()}
    metrics["heldout_adain_style_ratio_worst"] = round(float(np.max(scores["adain_style_ratio"])), 4)
    metrics["heldout_adain_artefact_db_512px_worst"] = round(float(np.max(scores["adain_artefact_db_512px"])), 4)
    return metrics, heldout_grid(encoder, decoder, styles[:3], size)


def heldout_grid(encoder, decoder, styles: list[tuple[str, Image.Image]], size: int, cell: int = 160) -> Image.Image:
    """Rows: held-out contents; columns: the content, its α = 0 reconstruction, then one
    stylised result per held-out style (the top row shows the styles themselves)."""
    columns = 2 + len(styles)
    sheet = Image.new("RGB", (columns * cell, (len(EVAL_CONTENT) + 1) * cell), "white")

    def paste(image: Image.Image, row: int, column: int) -> None:
        thumb = image.convert("RGB").copy()
        thumb.thumbnail((cell, cell), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (column * cell + (cell - thumb.width) // 2, row * cell + (cell - thumb.height) // 2))

    for column, (_, style_image) in enumerate(styles, start=2):
        paste(style_image, 0, column)
    with torch.no_grad():
        for row, name in enumerate(EVAL_CONTENT, start=1):
            content_image = A.resize_longer(data.photo(name), size)
            content = feats.to_tensor(content_image, torch.device("cpu"))
            paste(content_image, row, 0)
            paste(feats.to_image(A.stylise_tensors(encoder, decoder, content, [content], [1.0], alpha=0.0)), row, 1)
            for column, (_, style_image) in enumerate(styles, start=2):
                style = feats.to_tensor(A.resize_longer(style_image, size), torch.device("cpu"))
                paste(feats.to_image(A.stylise_tensors(encoder, decoder, content, [style], [1.0], alpha=1.0)), row, column)
    return sheet


@recipe("adain_decoder")
def train_adain_decoder(args: RecipeArgs) -> RecipeOutput:
    """AdaIN decoder for EfficientNet-Lite0 block-4 features (bundled photos, textures, procedural art)."""
    settings = {
        "steps": int(args.extra.get("steps", 30 if args.quick else 6000)),
        "batch": int(args.extra.get("batch", 6)),
        "reconstruction_share": float(args.extra.get("reconstruction_share", 1 / 3)),  # samples with α = 0
        "crop": int(args.extra.get("crop", 128)),
        "lr": float(args.extra.get("lr", 3e-3)),
        "content_weight": float(args.extra.get("content_weight", 1.0)),
        "style_weight": float(args.extra.get("style_weight", 2.0)),
        "reconstruction_weight": float(args.extra.get("reconstruction_weight", 50.0)),
        "perceptual_weight": float(args.extra.get("perceptual_weight", 0.5)),
        "width": int(args.extra.get("width", 96)),
        "art_per_kind": int(args.extra.get("art_per_kind", 12)),
        "colour_jitter": 0.3,
        "input_scale": float(args.extra.get("input_scale", 0.125)),
        "gram_weight": float(args.extra.get("gram_weight", 0.0)),  # Gatys' Gram loss on stem, blocks 1, 3, 5, 8
        "grid_weight": float(args.extra.get("grid_weight", 0.0)),  # penalty on detail repeating on the 8-px grid
        "gram_relative": bool(args.extra.get("gram_relative", False)),  # Gram loss as a ratio to the content's (gram_loss)
        "block8": bool(args.extra.get("block8", False)),  # also read (and renormalise) block 8
        "init": str(args.extra.get("init", "")),  # a decoder .safetensors to fine-tune ("" = from scratch)
        "alpha_input": bool(args.extra.get("alpha_input", False)),  # the decoder takes α (FiLM), trained on α ∈ [0, 1]
        "full_share": float(args.extra.get("full_share", 0.35)),  # with alpha_input: samples with α = 1
        # A reconstruction decoder (.safetensors) to pair with: this run trains the painting decoder
        # of an AdaINDecoderPair (α = 1 only: use reconstruction_share=0) and ships both.
        "pair_with": str(args.extra.get("pair_with", "")),
        "checkpoint": str(args.extra.get("checkpoint", "")),  # save the weights here every 250 steps ("" = never)
    }
    seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    # channels_last: ~10–25 % faster steps on this CPU (measured); the weights are layout-free.
    encoder = registry.get(feats.BACKBONE).cpu().to(memory_format=torch.channels_last)
    decoder = AdaINDecoder(settings["width"], input_scale=settings["input_scale"], block8=settings["block8"],
                           alpha_input=settings["alpha_input"])
    if settings["init"]:  # fine-tune: start from an earlier run's weights, recorded by their hash
        missing, unexpected = decoder.load_state_dict(reconstruction_weights(settings["init"]), strict=False)
        if unexpected or any(not key.startswith(("deeper", "film")) for key in missing):  # only new zero-started branches
            raise ValueError(f"{settings['init']} does not fit this decoder: missing {missing}, unexpected {unexpected}")
        settings["init_sha256"] = weights.sha256_of(Path(settings["init"]))
    decoder = decoder.cpu().train().to(memory_format=torch.channels_last)
    photos = training_photos()
    art = training_art(settings["art_per_kind"])
    contents = CropSampler(photos, settings["crop"], rng, settings["colour_jitter"])
    styles = CropSampler(photos + art + art, settings["crop"], rng, settings["colour_jitter"])  # art twice: more painterly styles
    optimizer = torch.optim.Adam(decoder.parameters(), lr=settings["lr"])
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=settings["lr"], total_steps=settings["steps"], pct_start=0.1)
    started = time.perf_counter()
    cpu_started = time.process_time()  # CPU time: what the run costs on an idle core
    running: dict[str, float] = {}
    for step in range(1, settings["steps"] + 1):
        content = contents.batch(settings["batch"]).contiguous(memory_format=torch.channels_last)
        style = styles.batch(settings["batch"]).contiguous(memory_format=torch.channels_last)
        if settings["alpha_input"]:
            alpha = sample_alphas(rng, settings["batch"], settings["reconstruction_share"], settings["full_share"])
            losses = conditioned_losses(encoder, decoder, content, style, alpha, with_gram=settings["gram_weight"] > 0,
                                        with_grid=settings["grid_weight"] > 0)
        else:
            alpha = torch.from_numpy((rng.random(settings["batch"]) >= settings["reconstruction_share"]).astype(np.float32))
            losses = adain_losses(encoder, decoder, content, style, alpha, with_gram=settings["gram_weight"] > 0,
                                  with_grid=settings["grid_weight"] > 0, gram_relative=settings["gram_relative"])
        total = (settings["content_weight"] * losses["content"] + settings["style_weight"] * losses["style"]
                 + settings["gram_weight"] * losses["gram"] + settings["grid_weight"] * losses["grid"]
                 + settings["reconstruction_weight"] * losses["reconstruction"]
                 + settings["perceptual_weight"] * losses["perceptual"])
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        optimizer.step()
        schedule.step()
        for key, value in losses.items():
            running[key] = 0.95 * running.get(key, float(value)) + 0.05 * float(value)
        if settings["checkpoint"] and step % 250 == 0:  # a long run can be looked at (and measured) midway
            save_file({k: v.contiguous() for k, v in decoder.state_dict().items()}, settings["checkpoint"])
        if step % 50 == 0 or step == 1:
            parts = " ".join(f"{k}={v:.4f}" for k, v in running.items())
            print(f"step {step}/{settings['steps']} {parts} ({time.perf_counter() - started:.0f} s, "
                  f"{time.process_time() - cpu_started:.0f} s CPU)", flush=True)
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - cpu_started
    encoder = encoder.to(memory_format=torch.contiguous_format)
    decoder = decoder.to(memory_format=torch.contiguous_format)
    if settings["pair_with"]:  # the shipped network: the fixed reconstruction decoder and this painting one
        reconstruct = AdaINDecoder(settings["width"], input_scale=settings["input_scale"])
        reconstruct.load_state_dict(reconstruction_weights(settings["pair_with"]))
        settings["pair_with_sha256"] = weights.sha256_of(Path(settings["pair_with"]))
        decoder = AdaINDecoderPair(reconstruct, decoder)
    metrics, grid = evaluate(encoder, decoder, with_gatys=not args.quick)
    print(metrics, flush=True)
    return RecipeOutput(
        state_dict=decoder.state_dict(),
        dataset=(
            f"{len(photos)} bundled photos/textures (scikit-image, scikit-learn, matplotlib; held out: "
            f"{sorted(HELD_OUT_PHOTOS)}) + {len(art)} procedural artworks (seeds ≥ {TRAIN_PROCEDURAL_SEED}); "
            f"random {settings['crop']} px crops with flips, quarter turns, colour jitter, 10 % grayscale"
        ),
        data_licence="scikit-image sample data (public domain / CC0 / BSD, see skimage.data), scikit-learn sample images, matplotlib sample data; procedural art generated by this project",
        arguments=settings,
        epochs=1,
        metrics={**metrics, "train_seconds": round(train_seconds, 1), "train_cpu_seconds": round(train_cpu_seconds, 1), "final_train_losses": {k: round(v, 5) for k, v in running.items()}},
        notes=(
            "Evaluated at 256 px (reconstruction also at 512 px) on held-out content (chelsea, coffee, astronaut) × "
            "held-out styles (immunohistochemistry, procedural art seed 1000), Gatys with its default settings on the "
            "same pairs and size. Style ratio = playground.style.metrics.style_ratio: Gram distance (stem, blocks 1, 3, "
            "5, 8; 24 px reflect margin) of the output to the style ÷ that of the content to the style; below 1 means "
            "closer to the style. Content distance = metrics.content_distance: relative squared distance of block-8 "
            "features to the content's. Artefact score = metrics.grid_artefact_db: spectral peaks on the 8-px "
            "upsampling grid, ≈ 0 dB for a photo (the contents' own score is beside it); also at 512 px, the tab's size, "
            "mean and worst. Grid: "
            "adain_decoder_heldout.jpg (content, α = 0 reconstruction, three held-out styles at α = 1)."
        ),
        heldout_grid=grid,
    )
