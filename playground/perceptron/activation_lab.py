"""Activation functions side by side: f(x), f′(x) from autograd, and what f′ means for depth.

f′ is never written by hand: ``derivative`` asks autograd for d f(x) / dx at every x.
``facts`` reads off the largest slope, where f saturates (|f′| < 0.01: almost no
gradient passes) or is dead (f′ = 0 exactly: none passes), and ``max f′ ** depth``, the
most a gradient can keep after passing through ``depth`` such layers (with weights ≈ 1):
sigmoid's 0.25 ** 10 ≈ 1e-6 is the vanishing-gradient problem in one number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground import checks
from playground.activations import ACTIVATIONS, DISPLAY_NAMES, activation
from playground.errors import UserInputError
from playground.figures import new_figure

SATURATED_BELOW = 0.01  # |f′| under this: the unit passes almost no gradient
FACTS_RANGE = (-10.0, 10.0)
FACTS_SAMPLES = 4001  # includes x = 0 exactly
DEPTH = 10


def derivative(name: str, x: np.ndarray, leaky_slope: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), f′(x)) with f′ from autograd."""
    inputs = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    values = activation(name, leaky_slope)(inputs)
    (slopes,) = torch.autograd.grad(values.sum(), inputs)  # each f(x_i) depends on x_i only
    return values.detach().numpy(), slopes.numpy()


@dataclass
class Facts:
    name: str
    max_slope: float
    max_slope_at: float
    saturated: str  # where 0 < |f′| < 0.01 (or "never")
    dead: str  # where f′ = 0 exactly (or "never")
    after_depth: float  # max_slope ** DEPTH


def facts(name: str, leaky_slope: float = 0.01) -> Facts:
    x = np.linspace(*FACTS_RANGE, FACTS_SAMPLES)
    _, slope = derivative(name, x, leaky_slope)
    size = np.abs(slope)
    best = int(np.argmax(size))
    return Facts(
        name=name,
        max_slope=float(size[best]),
        max_slope_at=float(x[best]),
        saturated=_where(x, (size > 0) & (size < SATURATED_BELOW)),
        dead=_where(x, size == 0),
        after_depth=float(size[best]) ** DEPTH,
    )


def _where(x: np.ndarray, mask: np.ndarray) -> str:
    """Describe the runs of ``mask`` over ``x`` as inequalities ("x < −4.6, x > 4.6")."""
    if not mask.any():
        return "never (in −10…10)"
    if mask.all():
        return "everywhere"
    edges = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    parts = []
    for run in np.split(np.arange(len(x)), edges):
        if not mask[run[0]]:
            continue
        low, high = x[run[0]], x[run[-1]]
        if run[0] == 0:
            parts.append(f"x < {high:.1f}" if run[-1] < len(x) - 1 else "everywhere")
        elif run[-1] == len(x) - 1:
            parts.append(f"x > {low:.1f}")
        else:
            parts.append(f"x = {low:.1f}" if low == high else f"{low:.1f} < x < {high:.1f}")
    return ", ".join(parts)


def facts_table(names: list[str], leaky_slope: float = 0.01) -> list[list]:
    """Rows for a table: name, max f′ (at x), saturates, dead, max f′ ** DEPTH."""
    rows = []
    for name in names:
        found = facts(name, leaky_slope)
        rows.append([
            DISPLAY_NAMES[name],
            f"{found.max_slope:.4g} (x = {found.max_slope_at:.2f})",
            found.saturated,
            found.dead,
            f"{found.after_depth:.3g}",
        ])
    return rows


def check_names(names: list[str] | None) -> list[str]:
    if not names:
        raise UserInputError("tick at least one activation to plot")
    return [checks.choice("activation", name, ACTIVATIONS) for name in names]


def figure(names: list[str], leaky_slope: float = 0.01, x_limit: float = 5.0):
    """A matplotlib figure: f(x) on the left, f′(x) on the right, saturated zones shaded."""
    names = check_names(names)
    x_limit = checks.real("the x range", x_limit, 0.5, 20)
    leaky_slope = checks.real("LeakyReLU slope", leaky_slope, 0, 1)
    x = np.linspace(-x_limit, x_limit, 801)
    fig = new_figure(11, 4.2)  # the figure's own: no pyplot state shared between handler threads
    left, right = fig.subplots(1, 2)
    for name in names:
        values, slopes = derivative(name, x, leaky_slope)
        (line,) = left.plot(x, values, label=DISPLAY_NAMES[name], linewidth=2)
        right.plot(x, slopes, color=line.get_color(), linewidth=2)
        flat = np.abs(slopes) < SATURATED_BELOW
        right.fill_between(x, 0, 1, where=flat, color=line.get_color(), alpha=0.08,
                           transform=right.get_xaxis_transform())
    right.axhline(0.25, color="grey", linestyle=":", linewidth=1)
    right.text(-x_limit, 0.26, "0.25 = sigmoid's largest slope", color="grey", fontsize=8)
    left.set_title("f(x)")
    right.set_title("f′(x) from autograd (shaded: |f′| < 0.01, the unit passes almost no gradient)", fontsize=9)
    for axis in (left, right):
        axis.axhline(0, color="black", linewidth=0.5)
        axis.axvline(0, color="black", linewidth=0.5)
        axis.set_xlabel("x")
        axis.grid(alpha=0.3)
    left.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
