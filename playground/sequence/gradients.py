"""The vanishing gradient, measured: ‖∂h_T/∂x_t‖ against the distance T − t, by autograd.

One backward pass gives the whole Jacobian: the sequence is copied H times (one copy per
hidden unit), copy i back-propagates only unit i of h_T, so x.grad[i] is row i of
∂h_T/∂x_t for every t at once. The Frobenius norm over units and input features is the
"how much does the input t steps back still move the last state" number of the notes.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from playground import checks
from playground.errors import UserInputError
from playground.nets.sequence import set_gate_bias

GRADIENT_CELLS = {"Elman RNN (tanh)": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
INITS = ("PyTorch default", "Orthogonal", "Xavier normal")
INPUT_SIZE = 8
MAX_STEPS = 500
MAX_HIDDEN = 256


def build_cell(cell: str, hidden: int, init: str, weight_scale: float, gate_bias: float, seed: int) -> nn.RNNBase:
    """A one-layer recurrent cell with the chosen init, its recurrent weights multiplied by ``weight_scale``."""
    if cell not in GRADIENT_CELLS:
        raise UserInputError(f"unknown cell {cell!r}; choose one of {list(GRADIENT_CELLS)}")
    if init not in INITS:
        raise UserInputError(f"unknown init {init!r}; choose one of {list(INITS)}")
    torch.manual_seed(int(seed))
    rnn = GRADIENT_CELLS[cell](INPUT_SIZE, hidden, batch_first=True).double()  # float64: explosions stay finite longer
    with torch.no_grad():
        for name, weight in rnn.named_parameters():
            if not name.startswith("weight_"):
                continue
            # weight_hh is (gates·H, H): initialise each gate's square block on its own
            for block in weight.split(hidden, dim=0):
                if init == "Orthogonal":
                    nn.init.orthogonal_(block)
                elif init == "Xavier normal":
                    nn.init.xavier_normal_(block)
            if name.startswith("weight_hh"):
                weight.mul_(weight_scale)
    set_gate_bias(rnn, gate_bias)
    return rnn


def gradient_vs_distance(
    cell: str = "Elman RNN (tanh)",
    steps: int = 100,
    hidden: int = 32,
    init: str = "PyTorch default",
    weight_scale: float = 1.0,
    gate_bias: float = 2.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """{"distance": 0..T-1, "norm": ‖∂h_T/∂x_{T-d}‖} for a random Gaussian input sequence."""
    steps = checks.integer("sequence length", steps, 2, MAX_STEPS)
    hidden = checks.integer("hidden size", hidden, 1, MAX_HIDDEN)
    weight_scale = checks.real("recurrent weight scale", weight_scale, 0, 10)
    gate_bias = checks.number("gate bias", gate_bias)
    seed = checks.seed(seed)
    rnn = build_cell(cell, hidden, init, weight_scale, gate_bias, seed)
    rnn.requires_grad_(False)  # only ∂/∂x is wanted: skip the weight gradients (≈ a third of the backward)
    sequence = torch.randn(1, steps, INPUT_SIZE, generator=torch.Generator().manual_seed(int(seed) + 1), dtype=torch.float64)
    x = sequence.repeat(hidden, 1, 1).requires_grad_(True)  # (H, T, D): one copy per hidden unit
    last_state = rnn(x)[0][:, -1, :]  # (H, H): row i is h_T of copy i
    last_state.diagonal().sum().backward()  # copy i carries ∂h_T[i]/∂x
    per_step = x.grad.pow(2).sum(dim=(0, 2)).sqrt()  # (T,): Frobenius norm of ∂h_T/∂x_t
    norm = per_step.flip(0).numpy()  # index d = distance T − t
    return {"distance": np.arange(steps), "norm": norm}


def decay_ratio(result: dict[str, np.ndarray], near: int = 1, far: int = 20) -> float:
    """How many times smaller the gradient is at distance ``far`` than at ``near``."""
    norm = result["norm"]
    return float(norm[near] / max(norm[far], 1e-300))
