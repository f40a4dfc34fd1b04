"""CycleGAN (Zhu et al. 2017): two generators and two PatchGAN discriminators, for unpaired translation.

Domain A and domain B are two piles of pictures with no pairs between them (handwritten
digits and typeset digits; later, sketches and emoji). ``g_ab`` turns an A into a B and
``g_ba`` a B into an A; ``d_a`` and ``d_b`` each judge, patch by patch, whether a picture is a
real member of its domain. The training loop (``playground.gans.cyclegan``) adds the cycle:
A → B → A must give the A back, which is what keeps "the same digit" without any pairs.

The generator is the paper's ResNet generator, sized by ``CycleGANConfig``: a 7×7
convolution, ``downsamples`` stride-2 convolutions (each halves the size and doubles the
channels), ``blocks`` residual blocks at the smallest size, as many upsampling steps back,
and a 7×7 convolution to the output channels with Tanh. Instance norm everywhere inside
(each picture normalised on its own: the style of one picture does not leak into another
through batch statistics), reflection padding at the borders. Upsampling is nearest-neighbour
resizing followed by a 3×3 convolution rather than a transpose convolution: same job, no
checkerboard pattern (Odena et al. 2016, "Deconvolution and checkerboard artifacts").

Two sizes the same classes are meant for (the config says which):

- digits (``DIGITS_CONFIG``), 28×28, 1 ↔ 1 channel, width 16, *no* downsampling, 3 residual
  blocks at 28×28: each output pixel sees only 25×25 input pixels. Measured on held-out digits,
  the paper's layout (2 downsamples, blocks at 7×7, every pixel seeing the whole digit) turned
  open 4s into 9s and 6s into 0s (class agreement 75–78 %): a generator that sees the whole
  digit can redraw it as another one and still pass the cycle, while one with a small view can
  only restyle strokes where they are;
- sketch ↔ emoji (``SKETCH_EMOJI_CONFIG``), 128 px, 1 ↔ 3 channels, width 16,
  2 downsamples, 6 blocks at 32×32, 3 discriminator layers (patches of 70×70 pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from playground.nets.dcgan import weights_init


@dataclass(frozen=True)
class CycleGANConfig:
    channels_a: int = 1  # domain A's channels (handwritten digits: 1; a sketch: 1)
    channels_b: int = 1  # domain B's channels (typeset digits: 1; an emoji: 3)
    image_size: int = 28  # must divide by 2**downsamples
    width: int = 16  # channels after the generator's first convolution; doubled by each downsample
    downsamples: int = 0  # stride-2 steps down (and as many up); the residual blocks work at size / 2**downsamples
    # (the paper: 2; digits: 0, see the module docstring)
    blocks: int = 3  # residual blocks at the smallest size (the paper: 6 at 128 px, 9 at 256 px)
    disc_width: int = 16  # channels of the discriminator's first convolution
    disc_layers: int = 2  # its stride-2 convolutions: 2 at 28 px (patches see ~34 px), 3 at 64–128 px (~70 px)

    def __post_init__(self) -> None:
        if self.image_size % 2**self.downsamples:
            raise ValueError(f"image_size {self.image_size} must divide by 2**downsamples = {2**self.downsamples}")


DIGITS_CONFIG = CycleGANConfig()
SKETCH_EMOJI_CONFIG = CycleGANConfig(channels_a=1, channels_b=3, image_size=128, width=16, downsamples=2, blocks=6,
                                     disc_width=16, disc_layers=3)


class ResidualBlock(nn.Module):
    """x + (reflect-pad, 3×3 conv, IN, ReLU, reflect-pad, 3×3 conv, IN)(x): shape kept."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """(B, c_in, S, S) in [-1, 1] → (B, c_out, S, S) in [-1, 1]. Shapes below for c = 1, S = 28, width w
    and 2 downsamples (with none, as ``DIGITS_CONFIG``, every map stays 28×28 with w channels)."""

    def __init__(self, c_in: int, c_out: int, config: CycleGANConfig) -> None:
        super().__init__()
        w = config.width
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3), nn.Conv2d(c_in, w, 7), nn.InstanceNorm2d(w), nn.ReLU(True),  # (B, w, 28, 28)
        ]
        for level in range(config.downsamples):  # (B, 2w, 14, 14), then (B, 4w, 7, 7)
            c = w * 2**level
            layers += [nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.InstanceNorm2d(2 * c), nn.ReLU(True)]
        deepest = w * 2**config.downsamples
        layers += [ResidualBlock(deepest) for _ in range(config.blocks)]  # (B, 4w, 7, 7) each
        for level in reversed(range(config.downsamples)):  # (B, 2w, 14, 14), then (B, w, 28, 28)
            c = w * 2**level
            layers += [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1), nn.Conv2d(2 * c, c, 3),
                       nn.InstanceNorm2d(c), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(w, c_out, 7), nn.Tanh()]  # (B, c_out, 28, 28)
        self.net = nn.Sequential(*layers)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.net(image)


class PatchDiscriminator(nn.Module):
    """(B, c, S, S) → (B, 1, P, P) real-or-fake scores per patch (no sigmoid: the loss is least squares).

    Digit config (S = 28, 2 layers): 28 → 14 → 7 → 6 → 5, a 5×5 grid of scores, each seeing 34×34
    pixels (so, at this size, nearly the whole digit). LeakyReLU throughout, no norm on the first layer.
    """

    def __init__(self, channels: int, config: CycleGANConfig) -> None:
        super().__init__()
        w = config.disc_width
        layers: list[nn.Module] = [nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(0.2, True)]  # (B, w, 14, 14)
        c = w
        for _ in range(config.disc_layers - 1):  # (B, 2w, 7, 7)
            layers += [nn.Conv2d(c, 2 * c, 4, 2, 1), nn.InstanceNorm2d(2 * c), nn.LeakyReLU(0.2, True)]
            c *= 2
        layers += [nn.Conv2d(c, 2 * c, 4, 1, 1), nn.InstanceNorm2d(2 * c), nn.LeakyReLU(0.2, True),  # (B, 4w, 6, 6)
                   nn.Conv2d(2 * c, 1, 4, 1, 1)]  # (B, 1, 5, 5)
        self.net = nn.Sequential(*layers)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.net(image)


class CycleGAN(nn.Module):
    """Both generators and both discriminators in one module (one weight file).

    ``g_ab``: A → B, ``g_ba``: B → A; ``d_a`` judges A pictures, ``d_b`` B pictures. With
    ``discriminators=False`` only the generators are built: all the app runs, and a smaller weight file.
    """

    def __init__(self, config: CycleGANConfig = DIGITS_CONFIG, discriminators: bool = True) -> None:
        super().__init__()
        self.config = config
        self.g_ab = ResnetGenerator(config.channels_a, config.channels_b, config)
        self.g_ba = ResnetGenerator(config.channels_b, config.channels_a, config)
        if discriminators:
            self.d_a = PatchDiscriminator(config.channels_a, config)
            self.d_b = PatchDiscriminator(config.channels_b, config)
        self.apply(weights_init)  # conv weights N(0, 0.02), as in the paper's code

    def generators(self) -> list[nn.Module]:
        return [self.g_ab, self.g_ba]

    def discriminators(self) -> list[nn.Module]:
        return [self.d_a, self.d_b]

    def forward(self, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A → (G_ab(A), G_ba(G_ab(A))): the translation and its way back."""
        fake_b = self.g_ab(a)
        return fake_b, self.g_ba(fake_b)
