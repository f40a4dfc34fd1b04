"""The playground's multilayer perceptron: features → hidden layers → one logit per class.

Each hidden layer is ``Linear`` then its own activation (by name, from
``playground.activations``). Weights start from an init scheme of ``playground.init_schemes``
(gain chosen for the layer's activation), biases at zero, drawn from one seeded generator
in layer order, so a seed gives the same network every time (the exported script relies
on this order too).
"""

from __future__ import annotations

import torch
from torch import nn

from playground.activations import Activation
from playground.init_schemes import gain_for, initialise_


class MLP(nn.Module):
    def __init__(self, inputs: int, hidden: tuple[int, ...], activations: tuple[str, ...], outputs: int,
                 leaky_slope: float = 0.01):
        super().__init__()
        widths = (inputs, *hidden)
        self.hidden_layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.activations = nn.ModuleList(Activation(name, leaky_slope) for name in activations)
        self.output = nn.Linear(widths[-1], outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, inputs) → (B, outputs) logits
        for layer, activation in zip(self.hidden_layers, self.activations):
            x = activation(layer(x))
        return self.output(x)

    def forward_with_hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits and every hidden layer's output ((B, width) each), for the neuron maps."""
        hidden = []
        for layer, activation in zip(self.hidden_layers, self.activations):
            x = activation(layer(x))
            hidden.append(x)
        return self.output(x), hidden

    def weights(self) -> list[torch.Tensor]:
        """The weight matrices (what L1/L2 regularisation penalises; biases are left free)."""
        return [layer.weight for layer in (*self.hidden_layers, self.output)]


def layer_gains(activations: tuple[str, ...], leaky_slope: float) -> list[float]:
    """The init gain of each Linear layer: the activation that follows it; 1 for the output."""
    return [gain_for(name, leaky_slope) for name in activations] + [1.0]


def build_mlp(inputs: int, hidden: tuple[int, ...], activations: tuple[str, ...], outputs: int,
              init: str, seed: int, leaky_slope: float = 0.01) -> MLP:
    """A freshly initialised MLP (the same weights for the same arguments)."""
    model = MLP(inputs, hidden, activations, outputs, leaky_slope)
    generator = torch.Generator().manual_seed(int(seed))
    layers = (*model.hidden_layers, model.output)
    for layer, gain in zip(layers, layer_gains(activations, leaky_slope)):
        initialise_(layer.weight, init, gain, generator)
        nn.init.zeros_(layer.bias)
    return model
