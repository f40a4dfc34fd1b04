"""Networks with memory, in the order the seed notes tell their story.

Every model reads a batch of sequences ``x`` of shape (B, T, D) and returns one output
vector per time step, shape (B, T, O); a task decides which steps it scores.

- ``TDNN`` (1989): no feedback at all; step t sees a fixed window of the last ``window``
  inputs, stacked as features, through a small MLP. It cannot see further back, ever.
- ``RecurrentNet`` with ``cell="elman"`` (1990): the hidden state is fed back through a
  tanh; ``"lstm"`` (1997) keeps a cell state behind gates; ``"gru"`` is the lighter
  variant with an update gate and no separate cell.
- ``TinyTransformer``: one or two self-attention layers over the whole sequence (not
  causal), which return their attention maps so the tab can draw them.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

CELLS = ("elman", "lstm", "gru")
MODEL_KINDS = ("TDNN", "Elman RNN", "LSTM", "GRU")


class TDNN(nn.Module):
    """Time-delay network: an MLP over the last ``window`` inputs (zero-padded at the start)."""

    def __init__(self, n_in: int, n_out: int, window: int = 5, hidden: int = 32):
        super().__init__()
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window = window
        self.mlp = nn.Sequential(nn.Linear(n_in * window, hidden), nn.Tanh(), nn.Linear(hidden, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, steps, features = x.shape
        padded = F.pad(x, (0, 0, self.window - 1, 0))  # (B, T + w - 1, D)
        # windows[:, t] holds x[t-w+1 .. t]: the only past this network ever sees
        windows = padded.unfold(1, self.window, 1)  # (B, T, D, w)
        windows = windows.transpose(2, 3).reshape(batch, steps, self.window * features)  # (B, T, w·D)
        return self.mlp(windows)  # (B, T, O)


class RecurrentNet(nn.Module):
    """Elman (tanh) RNN, LSTM or GRU with a linear read-out at every step."""

    def __init__(self, cell: str, n_in: int, n_out: int, hidden: int = 32, gate_bias: float = 1.0):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; choose one of {list(CELLS)}")
        self.cell = cell
        layer = {"elman": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        kwargs = {"nonlinearity": "tanh"} if cell == "elman" else {}
        self.rnn = layer(n_in, hidden, batch_first=True, **kwargs)
        self.head = nn.Linear(hidden, n_out)
        set_gate_bias(self.rnn, gate_bias)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        return self.rnn(x)[0]  # (B, T, H)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.hidden_states(x))  # (B, T, O)


def set_gate_bias(rnn: nn.RNNBase, value: float) -> None:
    """Bias the gates towards remembering: the LSTM forget gate, the GRU update gate.

    PyTorch stores the gate biases in blocks: LSTM (input, forget, cell, output), GRU
    (reset, update, new). A positive bias starts the gate near 1, so the state is carried
    forward by default (Gers et al. 2000 for the LSTM). Elman cells have no gate: no-op.
    """
    if isinstance(rnn, nn.LSTM):
        block = 1  # forget gate
    elif isinstance(rnn, nn.GRU):
        block = 1  # update gate z: h_t = (1 - z)·n + z·h_{t-1}
    else:
        return
    hidden = rnn.hidden_size
    with torch.no_grad():
        for name, bias in rnn.named_parameters():
            if name.startswith("bias_"):
                bias[block * hidden : (block + 1) * hidden] = value / 2  # ih + hh biases add up to value


class SelfAttentionLayer(nn.Module):
    """Pre-norm transformer layer (multi-head self-attention + MLP) that keeps its attention map."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} must be divisible by n_heads {n_heads}")
        self.n_heads = n_heads
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, steps, d_model = x.shape
        head_dim = d_model // self.n_heads
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)  # each (B, T, d)
        q, k, v = (t.view(batch, steps, self.n_heads, head_dim).transpose(1, 2) for t in (q, k, v))  # (B, h, T, dh)
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)  # (B, h, T, T): query row, key column
        attention = scores.softmax(dim=-1)
        mixed = (attention @ v).transpose(1, 2).reshape(batch, steps, d_model)  # (B, T, d)
        x = x + self.out(mixed)
        x = x + self.mlp(self.norm2(x))
        return x, attention


class TinyTransformer(nn.Module):
    """Token + learned position embeddings, ``n_layers`` self-attention layers, a linear head.

    ``forward`` returns logits (B, T, O); ``attention_maps`` returns the maps of every layer,
    a list of (B, heads, T, T) tensors whose rows sum to 1.
    """

    def __init__(self, n_in: int, n_out: int, max_len: int, d_model: int = 32, n_heads: int = 2, n_layers: int = 1):
        super().__init__()
        self.max_len = max_len
        self.embed = nn.Linear(n_in, d_model)  # inputs are one-hot (or real) vectors, not indices
        self.position = nn.Parameter(torch.randn(max_len, d_model) * 0.5)
        self.layers = nn.ModuleList(SelfAttentionLayer(d_model, n_heads) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_out)

    def _run(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        steps = x.shape[1]
        if steps > self.max_len:
            raise ValueError(f"sequence of {steps} steps is longer than max_len {self.max_len}")
        h = self.embed(x) + self.position[:steps]  # (B, T, d)
        maps = []
        for layer in self.layers:
            h, attention = layer(h)
            maps.append(attention)
        return self.head(self.norm(h)), maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(x)[0]

    def attention_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self._run(x)[1]


def build_model(kind: str, n_in: int, n_out: int, hidden: int = 32, window: int = 5, gate_bias: float = 1.0) -> nn.Module:
    """One of ``MODEL_KINDS`` by its display name."""
    if kind == "TDNN":
        return TDNN(n_in, n_out, window=window, hidden=hidden)
    cell = {"Elman RNN": "elman", "LSTM": "lstm", "GRU": "gru"}.get(kind)
    if cell is None:
        raise ValueError(f"unknown model {kind!r}; choose one of {list(MODEL_KINDS)}")
    return RecurrentNet(cell, n_in, n_out, hidden=hidden, gate_bias=gate_bias)
