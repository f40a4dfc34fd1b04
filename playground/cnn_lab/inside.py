"""Looking inside the seed CNN: layer shapes, receptive fields, filters and feature maps.

The receptive field is the patch of the 32×32 input that one output position can see.
Walking the layers in order with r (field size) and j (jump: input pixels between two
neighbouring outputs): a layer with kernel k and stride s gives r ← r + (k − 1)·j, j ← j·s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground.device import device_of, to_model
from playground.nets.seed_cnn import SeedCNN


@dataclass
class LayerRow:
    layer: str  # e.g. "conv2 3×3, 32"
    output_shape: str  # "16×16×16" (height × width × channels, the seed's way of writing it)
    receptive_field: str  # "8×8 px" (of the 32×32 input), or "whole image"
    parameters: int


def _hw_c(tensor: torch.Tensor) -> str:
    if tensor.dim() == 4:
        return f"{tensor.shape[2]}×{tensor.shape[3]}×{tensor.shape[1]}"
    return f"{tensor.shape[1]}"


@torch.no_grad()
def layer_table(model: SeedCNN) -> list[LayerRow]:
    """Every layer of the seed CNN with its output shape and receptive field, for one digit."""
    x = model.prepare(torch.zeros(1, 1, 28, 28, device=device_of(model)))
    rows = [LayerRow("input (28×28 digit padded to 32×32)", _hw_c(x), "1×1 px", 0)]
    field, jump = 1, 1
    for index, conv in enumerate((model.conv1, model.conv2, model.conv3), start=1):
        x = F.relu(conv(x))
        field, jump = field + (conv.kernel_size[0] - 1) * jump, jump * conv.stride[0]
        params = sum(p.numel() for p in conv.parameters())
        rows.append(LayerRow(f"conv{index} 3×3, {conv.out_channels} + ReLU", _hw_c(x), f"{field}×{field} px", params))
        x = model.pool(x)
        field, jump = field + (model.pool.kernel_size - 1) * jump, jump * model.pool.stride
        rows.append(LayerRow("max-pool 2×2", _hw_c(x), f"{field}×{field} px", 0))
    x = x.flatten(1)
    rows.append(LayerRow("flatten (+ dropout)", _hw_c(x), "whole image", 0))
    for name, linear in (("linear1 + ReLU (+ dropout)", model.linear1), ("linear2 + log-softmax", model.linear2)):
        x = linear(x)
        rows.append(LayerRow(name, _hw_c(x), "whole image", sum(p.numel() for p in linear.parameters())))
    return rows


def first_layer_filters(model: nn.Module) -> np.ndarray:
    """The first convolution's kernels as (N, kH, kW) floats (input channels averaged)."""
    first = next(module for module in model.modules() if isinstance(module, nn.Conv2d))
    return first.weight.detach().float().cpu().mean(dim=1).numpy()


@torch.no_grad()
def stage_feature_maps(model: nn.Module, digit: np.ndarray) -> list[np.ndarray]:
    """The feature maps of every conv stage for one (28, 28) digit: a list of (C, H, W) arrays."""
    was_training = model.training
    model.eval()
    batch = to_model(model, torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None])
    maps = [m[0].float().cpu().numpy() for m in model.features(batch)]
    model.train(was_training)
    return maps
