"""The decoder that turns AdaIN-renormalised EfficientNet-Lite0 features back into an image.

Inputs: the encoder's feature maps at three depths, each already renormalised by AdaIN —
block 4 (B, 40, H/8, W/8), block 2 (B, 24, H/4, W/4) and block 0 (B, 16, H/2, W/2) — and
output (B, 3, H, W) pixels in [0, 1] (unclamped while training). The deep map carries the
style's textures; the two shallower maps carry the fine layout the deep map has lost at 1/8
size, which is what lets α = 0 give the photo back sharply.

With ``block8=True`` it also reads block 8 (B, 112, H/16, W/16), renormalised the same way:
the deeper map carries the style's larger motifs (cells, strokes, tiles) that block 4's
statistics do not hold. Its branch is added to the block-4 path through a convolution that
starts at zero, so a three-level decoder's weights load unchanged and fine-tune from there. Each upsampling is nearest
neighbour followed by 3×3 convolutions with reflection padding: no checkerboards (every
output pixel sees the same kernel taps), no dark borders from zero padding.

With ``alpha_input=True`` the decoder also takes the style strength α (B,) and modulates the
output of its deep, middle and shallow stages channel by channel (FiLM: x·(1 + γ(α)) + β(α),
γ and β linear in α). Their weights start at zero, so such a decoder starts as the one it is
fine-tuned from; training then lets α = 0 keep reconstructing the photo while α = 1 paints
the style harder than one decoder for both could.
"""

from __future__ import annotations

import torch
from torch import nn

# Encoder layers the decoder reads, deepest first, with their channels (EfficientNet-Lite0).
ENCODER_LAYERS = (4, 2, 0)
DEEP_LAYERS = (4, 2, 0, 8)  # with the block-8 branch (forward()'s argument order: block 8 last)
ENCODER_CHANNELS = {8: 112, 4: 40, 2: 24, 0: 16}


def _conv(in_channels: int, out_channels: int, activate: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.ReflectionPad2d(1), nn.Conv2d(in_channels, out_channels, 3)]
    if activate:
        layers.append(nn.ReLU(inplace=True))
    return layers


class AdaINDecoder(nn.Module):
    def __init__(self, width: int = 96, input_scale: float = 0.125, block8: bool = False, alpha_input: bool = False):
        super().__init__()
        self.encoder_layers = DEEP_LAYERS if block8 else ENCODER_LAYERS  # the maps forward() takes, in its order
        # Lite0 features have a std of a few units; scaling them towards 1 keeps the first
        # layers' Adam updates in proportion (a constant, not a weight: not in the state dict).
        self.input_scale = input_scale
        w = width
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.deep = nn.Sequential(*_conv(ENCODER_CHANNELS[4], w), *_conv(w, w))  # (B, w, H/8, W/8)
        self.middle = nn.Sequential(*_conv(w + ENCODER_CHANNELS[2], w * 2 // 3), *_conv(w * 2 // 3, w * 2 // 3))  # (B, 2w/3, H/4, W/4)
        self.shallow = nn.Sequential(*_conv(w * 2 // 3 + ENCODER_CHANNELS[0], w // 2), *_conv(w // 2, w // 3))  # (B, w/3, H/2, W/2)
        self.out = nn.Sequential(*_conv(w // 3, w // 3), *_conv(w // 3, 3, activate=False))  # (B, 3, H, W)
        if block8:
            self.deeper = nn.Sequential(*_conv(ENCODER_CHANNELS[8], w), *_conv(w, w))  # (B, w, H/16, W/16)
            self.deeper_merge = nn.Sequential(*_conv(w, w, activate=False))  # upsampled, added to the block-4 path
            nn.init.zeros_(self.deeper_merge[1].weight)
            nn.init.zeros_(self.deeper_merge[1].bias)
        self.alpha_input = alpha_input
        if alpha_input:  # α (B, 1) → (γ, β) per channel of each stage's output; zero: no change at first
            self.film = nn.ModuleList(nn.Linear(1, 2 * channels) for channels in (w, w * 2 // 3, w // 3))
            for layer in self.film:
                nn.init.zeros_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, block4: torch.Tensor, block2: torch.Tensor, block0: torch.Tensor,
                block8: torch.Tensor | None = None, alpha: torch.Tensor | None = None) -> torch.Tensor:
        """The renormalised maps (``block8`` only for a decoder built with ``block8=True``) and,
        for a decoder built with ``alpha_input=True``, the style strength ``alpha`` (B,)."""
        s = self.input_scale
        x = self.deep(block4 * s)
        if block8 is not None:  # block 8 is 1/16 size: upsample, crop to block 4's size (odd sizes round up)
            extra = self.deeper_merge(self.up(self.deeper(block8 * s)))
            x = x + extra[:, :, : x.shape[2], : x.shape[3]]
        x = self.modulate(x, alpha, 0)
        x = self.modulate(self.middle(torch.cat([self.up(x), block2 * s], dim=1)), alpha, 1)
        x = self.modulate(self.shallow(torch.cat([self.up(x), block0 * s], dim=1)), alpha, 2)
        return self.out(self.up(x))

    def modulate(self, x: torch.Tensor, alpha: torch.Tensor | None, stage: int) -> torch.Tensor:
        """FiLM by α of one stage's output x (B, C, h, w); unchanged for a decoder without α."""
        if not self.alpha_input:
            return x
        if alpha is None:
            raise ValueError("this decoder takes the style strength alpha (B,) as its last argument")
        gamma, beta = self.film[stage](alpha.reshape(-1, 1).to(x.dtype)).chunk(2, dim=1)  # (B, C) each
        return x * (1 + gamma[:, :, None, None]) + beta[:, :, None, None]


class AdaINDecoderPair(nn.Module):
    """Two decoders of the same renormalised maps, one for each end of the style strength α:

    ``reconstruct`` (three levels, trained with a strong reconstruction term) gives the photo
    back at α = 0; ``paint`` (trained on α = 1 only, with Gatys' Gram loss and block 8) paints
    the style hard. Between the two ends the output is (1 − α)·reconstruct + α·paint, both
    decoding the same α-blended maps: it moves smoothly from one to the other, α = 0 is the
    reconstruction decoder exactly and α = 1 the painting decoder exactly.

    Neither decoder has to compromise with the other; the price is a second decode for
    0 < α < 1 and twice the weights (2 × ~1 MB).
    """

    def __init__(self, reconstruct: AdaINDecoder, paint: AdaINDecoder):
        super().__init__()
        self.reconstruct = reconstruct
        self.paint = paint
        self.encoder_layers = paint.encoder_layers if len(paint.encoder_layers) >= len(reconstruct.encoder_layers) else reconstruct.encoder_layers

    def forward(self, block4: torch.Tensor, block2: torch.Tensor, block0: torch.Tensor,
                block8: torch.Tensor | None = None, alpha: float = 1.0) -> torch.Tensor:
        """The renormalised maps, as for AdaINDecoder, and α ∈ [0, 1] (a number): → (B, 3, H, W).
        Each end runs one decoder only."""
        def run(decoder: AdaINDecoder) -> torch.Tensor:
            deeper = (block8,) if 8 in decoder.encoder_layers else ()
            return decoder(block4, block2, block0, *deeper)

        if alpha <= 0:
            return run(self.reconstruct)
        if alpha >= 1:
            return run(self.paint)
        return (1 - alpha) * run(self.reconstruct) + alpha * run(self.paint)
