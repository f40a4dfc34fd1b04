"""Colour preservation: keep the content's colours, take only the style's light and shade.

Luminance-only transfer (Gatys et al., "Preserving colour in neural artistic style
transfer", 2016): in YCbCr, take the stylised image's luminance Y and the content
image's chroma Cb, Cr.
"""

from __future__ import annotations

from PIL import Image


def preserve_colour(stylised: Image.Image, content: Image.Image) -> Image.Image:
    """The stylised luminance with the content's chroma (content is resized to match)."""
    if content.size != stylised.size:
        content = content.resize(stylised.size, Image.Resampling.BICUBIC)
    luminance, _, _ = stylised.convert("YCbCr").split()
    _, blue, red = content.convert("YCbCr").split()
    return Image.merge("YCbCr", (luminance, blue, red)).convert("RGB")
