"""Small MNIST nets that come with or without batch normalisation (the init & BN lab).

Batch-norm guidelines from the seed notes, followed literally:
- the BN layers are created in ``__init__``;
- a Linear/Conv layer followed by BN has ``bias=False`` (BN's learnt shift β does its job);
- BatchNorm1d after a Linear, BatchNorm2d after a Conv2d;
- order: layer → batch norm → activation.
"""

from __future__ import annotations

from torch import nn

from playground.activations import make_module

IMAGE_SIDE = 28
CLASSES = 10


class MnistMLP(nn.Module):
    """784 → [width] × hidden_layers → 10; each hidden layer Linear → (BatchNorm1d) → activation."""

    def __init__(self, hidden_layers: int = 3, width: int = 128, activation: str = "relu", batch_norm: bool = False):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]  # (B, 1, 28, 28) -> (B, 784)
        fan_in = IMAGE_SIDE * IMAGE_SIDE
        for _ in range(hidden_layers):
            layers.append(nn.Linear(fan_in, width, bias=not batch_norm))  # (B, width)
            if batch_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(make_module(activation))
            fan_in = width
        layers.append(nn.Linear(fan_in, CLASSES))  # (B, 10) logits
        self.layers = nn.Sequential(*layers)

    def forward(self, images):
        return self.layers(images)


class MnistCNN(nn.Module):
    """Two conv blocks (Conv2d → (BatchNorm2d) → activation → 2×2 max-pool), then a Linear head."""

    def __init__(self, activation: str = "relu", batch_norm: bool = False, channels: tuple[int, int] = (16, 32)):
        super().__init__()
        first, second = channels

        def block(in_channels: int, out_channels: int) -> list[nn.Module]:
            layers: list[nn.Module] = [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=not batch_norm)]
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_channels))
            return layers + [make_module(activation), nn.MaxPool2d(2)]

        self.features = nn.Sequential(
            *block(1, first),  # (B, 16, 14, 14)
            *block(first, second),  # (B, 32, 7, 7)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(second * 7 * 7, CLASSES))  # (B, 10)

    def forward(self, images):
        return self.head(self.features(images))
