"""Gatys et al. (2016): style transfer by optimising the pixels of an image.

Start from the content image (or noise) and change its pixels so that
  - its deep features match the content image's  (content loss: what is where), and
  - the Gram matrices of its shallower features match the style image's  (style loss:
    which textures and colours occur, wherever they are), while
  - neighbouring pixels stay similar (total variation: fewer speckles).
The network (the frozen ImageNet EfficientNet-Lite0) never changes: gradients flow to the
image only. Only the blocks up to the deepest chosen layer run.

``transfer`` is a generator: it yields a ``GatysProgress`` every few iterations, so the UI
streams the image as it converges and stopping is simply not asking for the next one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from PIL import Image

from playground import checks
from playground.device import device_of
from playground.errors import TrainingDiverged, UserInputError
from playground.images import resize_longer
from playground.style import features as feats
from playground.style.colour import preserve_colour
from playground.style.gram import gram
from playground.style.metrics import MARGIN, padded_maps

OPTIMIZERS = ("L-BFGS", "Adam")
STARTS = ("content", "noise")
MIN_SIZE, MAX_SIZE = 64, 768
MAX_WEIGHT = 1e15


@dataclass
class GatysSettings:
    size: int = 384  # longer side of the output, pixels (a picture worth looking at, ~30 s on one core)
    style_layers: tuple = ("stem", 1, 3, 5, 8)  # the verified starting point (DESIGN.md §1)
    content_layers: tuple = (8,)
    content_weight: float = 1.0
    style_weight: float = 10.0  # on the summed squared Gram differences (Grams normalised by C·H·W)
    tv_weight: float = 10.0  # on the mean absolute difference of neighbouring pixels
    optimizer: str = "L-BFGS"
    iterations: int = 150  # loss evaluations (an L-BFGS step may use several; the last chunk may overshoot by 2)
    start: str = "content"  # or "noise"
    keep_colour: bool = False  # luminance-only transfer: keep the content's colours
    adam_lr: float = 0.02  # pixels are in [0, 1]
    report_every: int = 10  # iterations between yielded frames
    seed: int = 0

    def validated(self) -> "GatysSettings":
        """The checked settings (layers parsed, whole numbers as ints), or UserInputError for the first bad one."""
        settings = replace(
            self,
            size=checks.integer("the output size (pixels)", self.size, MIN_SIZE, MAX_SIZE),
            style_layers=tuple(feats.parse_layer(k) for k in self.style_layers),
            content_layers=tuple(feats.parse_layer(k) for k in self.content_layers),
            content_weight=checks.real("the content weight", self.content_weight, 0, MAX_WEIGHT),
            style_weight=checks.real("the style weight", self.style_weight, 0, MAX_WEIGHT),
            tv_weight=checks.real("the TV weight", self.tv_weight, 0, MAX_WEIGHT),
            optimizer=checks.choice("optimizer", self.optimizer, OPTIMIZERS),
            iterations=checks.integer("iterations", self.iterations, 1, 5000),
            start=checks.choice("start", self.start, STARTS),
            keep_colour=bool(self.keep_colour),
            adam_lr=checks.learning_rate(self.adam_lr, maximum=1.0, name="the Adam learning rate"),
            report_every=checks.integer("report every", self.report_every, 1, 5000),
            seed=checks.seed(self.seed),
        )
        if not (settings.style_layers and settings.style_weight > 0) and not (
            settings.content_layers and settings.content_weight > 0
        ):
            raise UserInputError("Nothing to optimise: pick at least one style or content layer with a weight above 0.")
        return settings


@dataclass
class GatysProgress:
    iteration: int
    image: Image.Image
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)  # "total", "content", "style", "tv" per report
    iterations: list[int] = field(default_factory=list)  # the iteration of each history entry
    done: bool = False


class GatysLoss:
    """Weighted content + style + total-variation loss of an image (1, 3, H, W) in [0, 1]."""

    def __init__(self, model, content: torch.Tensor, style: torch.Tensor, settings: GatysSettings):
        self.model = model
        self.style_layers = tuple(k for k in settings.style_layers) if settings.style_weight > 0 else ()
        self.content_layers = tuple(k for k in settings.content_layers) if settings.content_weight > 0 else ()
        # Only relative weights matter; dividing by the largest keeps even 1e12 numerically tame.
        scale = max(settings.content_weight, settings.style_weight, settings.tv_weight)
        self.content_weight = settings.content_weight / scale
        self.style_weight = settings.style_weight / scale
        self.tv_weight = settings.tv_weight / scale
        self.layers = tuple(dict.fromkeys(self.style_layers + self.content_layers))
        content = content.contiguous(memory_format=torch.channels_last)
        style = style.contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            self.content_targets = {k: v.detach() for k, v in self._maps(content, self.content_layers).items()}
            self.style_targets = {k: gram(v).detach() for k, v in self._maps(style, self.style_layers).items()}

    def _maps(self, pixels: torch.Tensor, layers) -> dict:
        if not layers:
            return {}
        # A reflected margin around the image: without it the rows near the top, where the
        # stride-2 "SAME" padding is lopsided, drift into coloured noise, and at small sizes
        # the deep Gram matrices describe the zero-padded border more than the picture.
        return padded_maps(self.model, pixels, layers, MARGIN)

    def __call__(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        # channels_last: faster depthwise convolutions on the CPU (a Lite0 step at 256 px: ~1.5× measured).
        maps = self._maps(image.contiguous(memory_format=torch.channels_last), self.layers)
        zero = image.new_zeros(())
        content = sum((F.mse_loss(maps[k], t) for k, t in self.content_targets.items()), zero)
        style = sum((((gram(maps[k]) - t) ** 2).sum() for k, t in self.style_targets.items()), zero)
        tv = (image[..., 1:, :] - image[..., :-1, :]).abs().mean() + (image[..., :, 1:] - image[..., :, :-1]).abs().mean()
        total = self.content_weight * content + self.style_weight * style + self.tv_weight * tv
        return {"total": total, "content": content, "style": style, "tv": tv}


def prepare_pair(content: Image.Image, style: Image.Image, size: int) -> tuple[Image.Image, Image.Image]:
    """Content resized so its longer side is ``size``; style likewise (any aspect: Grams ignore layout)."""
    return resize_longer(content, size), resize_longer(style, size)


def transfer(content: Image.Image, style: Image.Image, settings: GatysSettings):
    """Yield a ``GatysProgress`` every ``report_every`` iterations; the last one has ``done=True``."""
    settings = settings.validated()
    started = time.perf_counter()
    model = feats.backbone()
    content_image, style_image = prepare_pair(content, style, int(settings.size))
    content_pixels = feats.to_tensor(content_image, device_of(model))  # (1, 3, H, W): the image learns there
    style_pixels = feats.to_tensor(style_image, device_of(model))  # (1, 3, h, w)
    loss_fn = GatysLoss(model, content_pixels, style_pixels, settings)

    generator = torch.Generator().manual_seed(int(settings.seed))
    if settings.start == "noise":
        start = torch.rand(content_pixels.shape, generator=generator).to(content_pixels.device)
    else:
        start = content_pixels.clone()
    image = start.contiguous().requires_grad_(True)  # L-BFGS flattens it: keep the default layout

    if settings.optimizer == "L-BFGS":
        optimizer = torch.optim.LBFGS([image], lr=1.0, max_iter=settings.report_every, history_size=20,
                                      tolerance_grad=0.0, tolerance_change=0.0, line_search_fn="strong_wolfe")
    else:
        optimizer = torch.optim.Adam([image], lr=settings.adam_lr)

    history: dict[str, list[float]] = {key: [] for key in ("total", "content", "style", "tv")}
    marks: list[int] = []
    evaluations = 0
    last: dict[str, torch.Tensor] = {}

    def closure():
        nonlocal evaluations, last
        optimizer.zero_grad(set_to_none=True)
        losses = loss_fn(image)
        if not torch.isfinite(losses["total"]):
            raise TrainingDiverged("the loss became NaN or infinite; try smaller weights or the other optimizer")
        losses["total"].backward()
        evaluations += 1
        last = losses
        return losses["total"]

    def frame(done: bool) -> GatysProgress:
        picture = feats.to_image(image)
        if settings.keep_colour:
            picture = preserve_colour(picture, content_image)
        return GatysProgress(evaluations, picture, time.perf_counter() - started,
                             {k: list(v) for k, v in history.items()}, list(marks), done)

    with torch.no_grad():  # the starting loss: iteration 0 of the curves
        for key, value in loss_fn(image).items():
            history[key].append(float(value))
    marks.append(0)

    while evaluations < settings.iterations:
        before = evaluations
        if settings.optimizer == "L-BFGS":
            optimizer.param_groups[0]["max_iter"] = min(settings.report_every, settings.iterations - evaluations)
            optimizer.param_groups[0]["max_eval"] = optimizer.param_groups[0]["max_iter"] * 5 // 4
            optimizer.step(closure)
        else:
            for _ in range(min(settings.report_every, settings.iterations - evaluations)):
                optimizer.step(closure)
        with torch.no_grad():
            image.clamp_(0, 1)  # keep pixels displayable
        for key in history:
            history[key].append(last[key].item())
        marks.append(evaluations)
        if evaluations == before:  # L-BFGS converged: nothing left to gain
            break
        if evaluations < settings.iterations:
            yield frame(done=False)
    yield frame(done=True)


def run(content: Image.Image, style: Image.Image, settings: GatysSettings) -> GatysProgress:
    """Run to the end and return the final progress (tests, benchmarks, the API)."""
    result = None
    for result in transfer(content, style, settings):
        pass
    return result


def run_until(content: Image.Image, style: Image.Image, settings: GatysSettings, fraction: float) -> GatysProgress:
    """Stop as soon as the total loss is at most ``fraction`` of its first value (benchmark)."""
    result = None
    for result in transfer(content, style, settings):
        if result.history["total"] and result.history["total"][-1] <= fraction * first_loss(result):
            return result
    return result


def first_loss(progress: GatysProgress) -> float:
    return progress.history["total"][0]
