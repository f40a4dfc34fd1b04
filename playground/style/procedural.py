"""Procedural art made by code: styles the project can ship without any licence question.

Each generator takes a seed and a size and returns an RGB PIL image; the same seed gives
the same picture. The AdaIN recipe trains on other seeds than the ones the tab offers.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def palette(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` harmonious colours (uint8, (count, 3)): hues spread around a random base hue."""
    base = rng.random()
    spread = rng.uniform(0.08, 0.5)
    colours = []
    for index in range(count):
        hue = (base + spread * index / max(count - 1, 1) + rng.normal(0, 0.02)) % 1.0
        saturation = rng.uniform(0.45, 0.95)
        value = rng.uniform(0.35, 1.0)
        colours.append(colorsys.hsv_to_rgb(hue, saturation, value))
    return (np.array(colours) * 255).astype(np.uint8)


def smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """(size, size) smooth random field in [-1, 1]: a coarse grid of noise, bicubically upsampled."""
    coarse = (rng.random((cells, cells)) * 255).astype(np.uint8)
    field = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32)
    return field / 127.5 - 1.0


def stripes(seed: int = 0, size: int = 256) -> Image.Image:
    """Bands of colour at a random angle, bent by a smooth noise field (like marbled paper)."""
    rng = np.random.default_rng(seed)
    colours = palette(rng, int(rng.integers(3, 6)))
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    angle = rng.uniform(0, np.pi)
    frequency = rng.uniform(4, 14)
    warp = rng.uniform(0.02, 0.15) * smooth_noise(rng, size, 5)
    phase = (np.cos(angle) * xs + np.sin(angle) * ys + warp) * frequency  # (size, size)
    band = np.floor(phase).astype(np.int64) % len(colours)
    return Image.fromarray(colours[band])


def mosaic(seed: int = 0, size: int = 256) -> Image.Image:
    """Voronoi tiles in a palette, separated by dark grout (like a Roman floor)."""
    rng = np.random.default_rng(seed)
    tiles = int(rng.integers(40, 160))
    colours = palette(rng, int(rng.integers(3, 7)))
    centres = rng.random((tiles, 2)) * size  # (T, 2)
    tile_colour = colours[rng.integers(0, len(colours), tiles)]  # (T, 3)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    points = np.stack([ys.ravel(), xs.ravel()], axis=1)  # (P, 2)
    distance = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1)  # (P, T)
    nearest_two = np.partition(distance, 1, axis=1)[:, :2]
    owner = distance.argmin(axis=1)
    # A pixel is grout when its two nearest centres are almost equally near.
    edge = (np.sqrt(nearest_two[:, 1]) - np.sqrt(nearest_two[:, 0])) < size / 140
    pixels = tile_colour[owner].astype(np.float32)
    pixels *= rng.uniform(0.85, 1.15, (tiles, 1))[owner]  # each tile a slightly different shade
    pixels[edge] = colours.min(axis=0) * 0.3
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8).reshape(size, size, 3))


def brush_strokes(seed: int = 0, size: int = 256) -> Image.Image:
    """Thick short strokes that follow a smooth flow field (like an impressionist painting)."""
    rng = np.random.default_rng(seed)
    colours = palette(rng, int(rng.integers(3, 6)))
    flow = smooth_noise(rng, size, 4) * np.pi * rng.uniform(0.5, 1.5)  # stroke direction per pixel
    canvas = Image.new("RGB", (size, size), tuple(int(c) for c in colours[0]))
    draw = ImageDraw.Draw(canvas)
    length = size * rng.uniform(0.04, 0.1)
    width = max(2, int(size * rng.uniform(0.012, 0.03)))
    for _ in range(int(size * size / (length * width) * 1.6)):
        x, y = rng.random(2) * size
        angle = flow[int(y) % size, int(x) % size]
        dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
        colour = colours[rng.integers(0, len(colours))].astype(np.int64) + rng.integers(-25, 26, 3)
        draw.line([(x - dx, y - dy), (x + dx, y + dy)], fill=tuple(int(c) for c in np.clip(colour, 0, 255)), width=width)
    return canvas.filter(ImageFilter.SMOOTH)


def dots(seed: int = 0, size: int = 256) -> Image.Image:
    """Pointillism: overlapping round dots of a palette on a pale ground."""
    rng = np.random.default_rng(seed)
    colours = palette(rng, int(rng.integers(3, 6)))
    canvas = Image.new("RGB", (size, size), (240, 236, 225))
    draw = ImageDraw.Draw(canvas)
    radius = size * rng.uniform(0.008, 0.025)
    for _ in range(int(size * size / (radius * radius) * 0.5)):
        x, y = rng.random(2) * size
        r = radius * rng.uniform(0.6, 1.4)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(c) for c in colours[rng.integers(0, len(colours))]))
    return canvas


GENERATORS = {"stripes": stripes, "mosaic": mosaic, "brush_strokes": brush_strokes, "dots": dots}


def generate(kind: str, seed: int = 0, size: int = 256) -> Image.Image:
    if kind not in GENERATORS:
        raise KeyError(f"unknown procedural style {kind!r}; known: {sorted(GENERATORS)}")
    return GENERATORS[kind](seed=seed, size=size)
