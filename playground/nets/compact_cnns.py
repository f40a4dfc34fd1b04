"""Three compact CNN families, sized for 28×28 digits, to measure against the seed's CNN.

- ``SqueezeNextDigits`` — built to the SqueezeNext block design (Gholami et al., 2018):
  a two-stage 1×1 squeeze (C → C/2 → C/4), separable 3×1 then 1×3 convolutions (→ C/2),
  a 1×1 expansion (→ C) and a bypass added to the output; every convolution is followed
  by batch norm and ReLU. Down-sampling blocks put the stride in their first 1×1 conv and
  project the bypass with a strided 1×1 conv, as in the paper.
- ``SqueezeNetDigits`` — SqueezeNet's Fire modules (1×1 squeeze, then 1×1 and 3×3 expand
  branches concatenated) and its convolutional classifier (1×1 conv to 10 maps, global average).
- ``MobileNetDigits`` — MobileNet v1's depthwise-separable blocks (3×3 depthwise conv, 1×1
  pointwise conv, batch norm and ReLU after each).

All take (B, 1, 28, 28) floats in [0, 1] like ``playground.data`` MNIST, normalise inside,
and return log-probabilities (B, 10), so they drop in wherever the seed CNN is used.
Each has ``features(x)``: the output of every stage, for the lab's look-inside panels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from playground.data import MNIST_MEAN, MNIST_STD


def conv_bn_relu(cin: int, cout: int, kernel, stride=1, padding=0, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class DigitNet(nn.Module):
    """Common front (normalisation) and back (stages → log-probabilities) of the compact nets."""

    stages: nn.ModuleList
    head: nn.Module

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (x - MNIST_MEAN) / MNIST_STD
        maps = []
        for stage in self.stages:
            x = stage(x)
            maps.append(x)
        return maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.log_softmax(self.head(self.features(x)[-1]), dim=1)  # (B, 10)


# ------------------------------------------------------------------ SqueezeNext


class SqueezeNextBlock(nn.Module):
    """C_in → 1×1 (C/2) → 1×1 (C/4) → 3×1 (C/2) → 1×3 (C/2) → 1×1 (C) ⊕ bypass, then ReLU."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        half, quarter = cout // 2, cout // 4
        self.squeeze1 = conv_bn_relu(cin, half, 1, stride=stride)  # first squeeze (takes the stride)
        self.squeeze2 = conv_bn_relu(half, quarter, 1)  # second squeeze
        self.conv3x1 = conv_bn_relu(quarter, half, (3, 1), padding=(1, 0))  # separable pair:
        self.conv1x3 = conv_bn_relu(half, half, (1, 3), padding=(0, 1))  # 3×1 then 1×3
        self.expand = nn.Sequential(nn.Conv2d(half, cout, 1, bias=False), nn.BatchNorm2d(cout))
        if stride == 1 and cin == cout:
            self.bypass = nn.Identity()
        else:  # project the bypass to the new shape
            self.bypass = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv1x3(self.conv3x1(self.squeeze2(self.squeeze1(x))))
        return F.relu(self.expand(y) + self.bypass(x))


class SqueezeNextDigits(DigitNet):
    """Stem, three stages of SqueezeNext blocks (32, 64, 128 channels), 1×1 conv, average, linear."""

    def __init__(self, width: int = 32, blocks=(2, 2, 2), classes: int = 10):
        super().__init__()
        channels = [width, width * 2, width * 4]
        stem = nn.Sequential(conv_bn_relu(1, width, 3, padding=1), nn.MaxPool2d(2))  # (B, 32, 14, 14)
        stages = [stem]
        cin = width
        for index, (cout, count) in enumerate(zip(channels, blocks)):
            stride = 1 if index == 0 else 2  # 14×14 → 7×7 → 4×4
            layers = [SqueezeNextBlock(cin, cout, stride)]
            layers += [SqueezeNextBlock(cout, cout) for _ in range(count - 1)]
            stages.append(nn.Sequential(*layers))
            cin = cout
        self.stages = nn.ModuleList(stages)
        # the paper's last 1×1 conv before pooling, then the classifier
        self.head = nn.Sequential(
            conv_bn_relu(cin, cin, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)
        )


# ------------------------------------------------------------------ SqueezeNet


class Fire(nn.Module):
    """1×1 squeeze to ``s`` channels, then 1×1 and 3×3 expands (``e`` each), concatenated → 2e."""

    def __init__(self, cin: int, squeeze: int, expand: int):
        super().__init__()
        self.squeeze = nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU(inplace=True))
        self.expand1x1 = nn.Sequential(nn.Conv2d(squeeze, expand, 1), nn.ReLU(inplace=True))
        self.expand3x3 = nn.Sequential(nn.Conv2d(squeeze, expand, 3, padding=1), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.squeeze(x)
        return torch.cat([self.expand1x1(s), self.expand3x3(s)], dim=1)


class SqueezeNetDigits(DigitNet):
    """Stem, Fire modules with max-pooling between them, a 1×1 conv classifier and global average."""

    def __init__(self, classes: int = 10, dropout: float = 0.25):
        super().__init__()
        self.stages = nn.ModuleList([
            nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)),  # (B, 32, 14, 14)
            nn.Sequential(Fire(32, 16, 32), Fire(64, 16, 32), nn.MaxPool2d(2)),  # (B, 64, 7, 7)
            nn.Sequential(Fire(64, 32, 64), Fire(128, 32, 64), nn.MaxPool2d(2, ceil_mode=True)),  # (B, 128, 4, 4)
            nn.Sequential(Fire(128, 48, 96)),  # (B, 192, 4, 4)
        ])
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Conv2d(192, classes, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()  # (B, 10)
        )
        # SqueezeNet's own init: He-uniform for the ReLU convs, a small normal for the classifier
        # conv (without it this batch-norm-free net idles at chance level for the first epochs).
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
        nn.init.normal_(self.head[1].weight, std=0.01)


# ------------------------------------------------------------------ MobileNet


def depthwise_separable(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        conv_bn_relu(cin, cin, 3, stride=stride, padding=1, groups=cin),  # depthwise 3×3
        conv_bn_relu(cin, cout, 1),  # pointwise 1×1
    )


class MobileNetDigits(DigitNet):
    """Stem, depthwise-separable blocks (64, 128, 256 channels), global average, linear."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.stages = nn.ModuleList([
            conv_bn_relu(1, 32, 3, padding=1),  # (B, 32, 28, 28)
            nn.Sequential(depthwise_separable(32, 64, 2), depthwise_separable(64, 64, 1)),  # (B, 64, 14, 14)
            nn.Sequential(depthwise_separable(64, 128, 2), depthwise_separable(128, 128, 1)),  # (B, 128, 7, 7)
            nn.Sequential(depthwise_separable(128, 256, 2), depthwise_separable(256, 256, 1)),  # (B, 256, 4, 4)
        ])
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, classes))
