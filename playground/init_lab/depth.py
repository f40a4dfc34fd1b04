"""The depth view: one batch through a deep MLP, every layer measured.

The net is ``depth`` hidden layers of ``width`` units, each Linear → (BatchNorm1d) →
activation, then a Linear head to 10 classes and cross-entropy. One forward pass gives
every layer's activation distribution; one backward pass gives every layer's weight
gradient norm. Biases start at zero, so the weights alone decide what flows.

With batch norm the Linear layers have no bias (BN's shift replaces it) and BN sits
before the activation, as the seed notes say; BN runs in train mode (batch statistics).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from playground import checks, data, init_schemes
from playground.activations import activation as activation_fn
from playground.init_lab.settings import known_activation, known_scheme, scheme_gain

MAX_DEPTH = 50
MAX_WIDTH = 512
MAX_BATCH = 1024
MIN_WIDTH = 2
MIN_BATCH = 2  # batch norm needs at least two samples to have a batch std
INPUTS = {"gaussian": "Gaussian noise N(0, 1)", "mnist": "MNIST digits (standardised pixels)"}
HIST_BINS = 60
HIST_SAMPLES = 128  # histograms use the first 128 examples of the batch (32k values at width 256: plenty)
ZERO_FLOOR = ("relu", "step")  # activations whose flat half outputs exact zeros

# Activations with a bounded output: the range the histograms use and what "saturated" means.
BOUNDED = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "step": (0.0, 1.0)}


@dataclass
class DepthResult:
    activation: str
    scheme: str
    depth: int
    width: int
    batch: int
    batch_norm: bool
    gain: float
    means: np.ndarray  # (depth,) mean of each layer's activations
    stds: np.ndarray  # (depth,) std of each layer's activations
    pre_means: np.ndarray  # (depth,) mean of the activation's input (after BN when on)
    pre_stds: np.ndarray  # (depth,)
    saturated: np.ndarray  # (depth,) share of outputs within 1 % of a bound (tanh/sigmoid/step), else 0
    zeros: np.ndarray  # (depth,) share of outputs exactly 0 (dead ReLUs, collapsed signals)
    unit_spread: np.ndarray  # (depth,) std across a layer's units, averaged over the batch (0: identical neurons)
    grad_norms: np.ndarray  # (depth,) ‖∂loss/∂W‖ of each hidden layer (Frobenius)
    histograms: np.ndarray  # (depth, HIST_BINS) share of a layer's outputs per bin
    bin_edges: np.ndarray  # (HIST_BINS + 1,)
    loss: float
    finite_layers: int  # layers whose activations are all finite (float32 overflow stops the rest)
    zeros_left_out: bool  # histograms leave out exact zeros (ReLU's flat half would dwarf the rest)


def input_batch(input_kind: str, batch: int, width: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels): (B, width) Gaussian noise with random labels, or (B, 784) real digits."""
    if input_kind == "gaussian":
        inputs = torch.randn(batch, width, generator=generator)  # (B, width)
        labels = torch.randint(0, 10, (batch,), generator=generator)  # (B,)
        return inputs, labels
    images, labels = data.mnist_tensors("train", "standard")  # (4000, 1, 28, 28), (4000,)
    index = torch.randperm(len(labels), generator=generator)[:batch]
    return images[index].reshape(len(index), -1), labels[index]  # (B, 784), (B,)


def run_depth(
    activation: str = "tanh",
    scheme: str = "xavier_normal",
    depth: int = 20,
    width: int = 256,
    batch: int = 512,
    input_kind: str = "gaussian",
    batch_norm: bool = False,
    seed: int = 0,
) -> DepthResult:
    known_activation(activation)
    known_scheme(scheme)
    checks.choice("input", input_kind, sorted(INPUTS))
    depth = checks.integer("depth", depth, 1, MAX_DEPTH)
    width = checks.integer("width", width, MIN_WIDTH, MAX_WIDTH)
    batch = checks.integer("batch size", batch, MIN_BATCH, MAX_BATCH)
    seed = checks.seed(seed)
    generator = torch.Generator().manual_seed(seed)
    inputs, labels = input_batch(input_kind, batch, width, generator)
    gain = scheme_gain(scheme, activation)
    act = activation_fn(activation)

    # Plain weight tensors and functional ops, not nn.Linear: its constructor draws a default
    # init we would throw away (~2 ms per layer). Biases are 0 (or absent with BN), so omitted.
    weights = []
    fan_in = inputs.shape[1]
    for _ in range(depth):
        weight = init_schemes.initialise_(torch.empty(width, fan_in), scheme, gain, generator)  # (width, fan_in)
        weights.append(weight.requires_grad_())
        fan_in = width
    head = init_schemes.initialise_(torch.empty(10, width), scheme, scheme_gain(scheme, "linear"), generator)

    # Forward; each layer is measured as it goes (no big (depth, B, width) stack: it costs time).
    stats = _LayerStats(depth, activation)
    hidden = inputs
    for index, weight in enumerate(weights):
        pre = F.linear(hidden, weight)  # (B, width)
        if batch_norm:
            # a fresh BatchNorm1d in train mode: batch mean/var, γ = 1, β = 0 (no running stats needed)
            pre = F.batch_norm(pre, None, None, training=True, eps=1e-5)
        hidden = act(pre)  # (B, width)
        stats.measure(index, pre.detach(), hidden.detach())
    loss = F.cross_entropy(F.linear(hidden, head), labels)
    loss.backward()

    with torch.no_grad():
        # float64: a gradient whose entries are ~1e20 would overflow a float32 norm
        grad_norms = np.array([float(weight.grad.double().norm()) for weight in weights])
        finite_layers = int(np.cumprod(np.isfinite(stats.stds)).sum())
        edges = _bin_edges(activation, stats, finite_layers)
        histograms = np.zeros((depth, HIST_BINS))
        zeros_left_out = activation in ZERO_FLOOR
        for index in range(finite_layers):
            values = stats.outputs[index][:HIST_SAMPLES].reshape(-1)  # (≤128 · width,)
            counts = torch.histc(values, HIST_BINS, edges[0], edges[-1])  # values outside the axis are dropped
            if zeros_left_out and stats.zeros[index] < 1.0:
                counts[0] -= int((values == 0).sum())  # exact zeros all fall in the first bin (low = 0)
            histograms[index] = (counts / counts.sum().clamp_min(1)).numpy()

    return DepthResult(
        activation=activation, scheme=scheme, depth=depth, width=width, batch=batch, batch_norm=batch_norm, gain=gain,
        means=stats.means, stds=stats.stds, pre_means=stats.pre_means, pre_stds=stats.pre_stds,
        saturated=stats.saturated, zeros=stats.zeros, unit_spread=stats.unit_spread, grad_norms=grad_norms,
        histograms=histograms, zeros_left_out=zeros_left_out,
        bin_edges=np.asarray(edges), loss=float(loss.detach()), finite_layers=finite_layers,
    )


class _LayerStats:
    """Per-layer numbers, filled in during the forward pass."""

    SPREAD_SAMPLES = 64  # unit spread is averaged over the first 64 examples (cheap, and plenty)

    def __init__(self, depth: int, activation: str):
        self.activation = activation
        self.outputs: list[torch.Tensor] = []
        for name in ("means", "stds", "pre_means", "pre_stds", "saturated", "zeros", "unit_spread"):
            setattr(self, name, np.zeros(depth))

    @torch.no_grad()
    def measure(self, index: int, pre: torch.Tensor, out: torch.Tensor) -> None:
        # pre, out: (B, width). A non-finite std marks float32 overflow (of the values or their squares).
        self.means[index], self.stds[index] = _mean_std(out)
        self.pre_means[index], self.pre_stds[index] = _mean_std(pre)
        if self.activation in BOUNDED:
            low, high = BOUNDED[self.activation]
            centre, reach = (low + high) / 2, 0.49 * (high - low)  # within 1 % of the range from a bound
            self.saturated[index] = float(((out - centre).abs() >= reach).sum()) / out.numel()
        self.zeros[index] = float((out == 0).sum()) / out.numel()
        self.unit_spread[index] = float(out[: self.SPREAD_SAMPLES].std(dim=1).mean())
        self.outputs.append(out)


def _mean_std(values: torch.Tensor) -> tuple[float, float]:
    """Mean and (unbiased) std in two BLAS-friendly passes; torch.var_mean is ~15× slower here."""
    flat = values.reshape(-1)
    mean = flat.sum() / flat.numel()
    centred = flat - mean  # centring first keeps the std exact when it is tiny next to the mean
    variance = torch.dot(centred, centred) / max(flat.numel() - 1, 1)
    return float(mean), float(variance.sqrt())


def _bin_edges(activation: str, stats: _LayerStats, finite_layers: int) -> list[float]:
    """One shared value axis for every layer, so shrinking and growing are visible."""
    if activation in BOUNDED:
        low, high = BOUNDED[activation]
    elif finite_layers == 0:
        low, high = -1.0, 1.0
    else:
        # mean ± 4 std of the widest layer covers nearly all of every layer's values
        reach = float((np.abs(stats.means[:finite_layers]) + 4 * stats.stds[:finite_layers]).max())
        reach = reach if reach > 0 else 1.0
        has_negative = any(float(out.min()) < 0 for out in stats.outputs[:finite_layers])
        low, high = (-reach if has_negative else 0.0), reach
    return np.linspace(low, high, HIST_BINS + 1).tolist()


STABLE_RATIO = 3.0  # last/first std within a factor 3 either way counts as "stable"


def describe(result: DepthResult) -> str:
    """A verdict in words, read off the measured numbers (what a teacher would say)."""
    finite = result.finite_layers
    symmetric = finite > 0 and float(np.nanmax(result.unit_spread[:finite])) < 1e-6
    symmetry = (
        "**Symmetry never broken**: every neuron of a layer computes exactly the same value (spread across "
        "units = 0), so every neuron also gets the same gradient and they stay clones forever. Random init "
        "exists to break this symmetry."
    )
    if finite < result.depth:
        exploded = (f"**Exploded**: the activations (or their squares) overflowed float32 at layer {finite + 1}; "
                    "the weights are far too large for this depth.")
        return exploded + (" " + symmetry if symmetric else "")
    if symmetric:
        return symmetry
    first, last = float(result.stds[0]), float(result.stds[-1])
    grad_note = f"layer-1 gradient norm {float(result.grad_norms[0]):.2e}, layer-{result.depth} {float(result.grad_norms[-1]):.2e}"
    if float(result.saturated[-1]) > 0.5:
        return (f"**Saturated**: {100 * float(result.saturated[-1]):.0f} % of the last layer's outputs sit at the "
                f"activation's bounds, where its slope is ≈ 0 ({grad_note}).")
    if last < 1e-3 * first:
        return (f"**Collapsed**: the std fell from {first:.3g} (layer 1) to {last:.3g} (layer {result.depth}); deeper "
                f"layers see almost nothing but zeros and their gradients vanish ({grad_note}).")
    if last < first / STABLE_RATIO:
        return f"**Shrinking**: the std fell from {first:.3g} (layer 1) to {last:.3g} (layer {result.depth}) ({grad_note})."
    if last > first * STABLE_RATIO:
        return f"**Growing**: the std rose from {first:.3g} (layer 1) to {last:.3g} (layer {result.depth}) ({grad_note})."
    return (f"**Stable**: the std goes from {first:.3g} (layer 1) to {last:.3g} (layer {result.depth}); the signal "
            f"keeps its scale through the whole depth ({grad_note}).")
