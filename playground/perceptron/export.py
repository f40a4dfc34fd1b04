"""Take a run home: a standalone PyTorch script for it, and its weights as safetensors.

The script needs only torch. It holds the exact points the playground used (so the data
is the same, not a look-alike), builds the same network with the same init draws (same
seeded generator, same layer order, the same numbers for each scheme), and trains it with
the same optimizer, batches, loss and regularisation, then prints its accuracies.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import numpy as np
from safetensors.torch import save_file

from playground.init_schemes import scheme
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.model import layer_gains
from playground.perceptron.trainer import Trainer

DEFAULT_EPOCHS = 200

# Each activation as one line of plain torch (the same formulas as playground.activations).
ACTIVATION_CODE = {
    "step": "lambda x: (x > 0).to(x.dtype) + 0 * x  # Heaviside step (its gradient is 0)",
    "linear": "lambda x: x",
    "sigmoid": "torch.sigmoid",
    "tanh": "torch.tanh",
    "relu": "F.relu",
    "leaky_relu": "lambda x: F.leaky_relu(x, {slope!r})",
    "elu": "F.elu",
    "gelu": "F.gelu",
    "silu": "F.silu  # also called Swish",
    "softplus": "F.softplus",
    "mish": "lambda x: x * torch.tanh(F.softplus(x))",
}
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1*x2": "x1 * x2",
    "sin(x1)": "torch.sin(x1)",
    "sin(x2)": "torch.sin(x2)",
}
OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)",
    "momentum": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9)",
    "adam": "torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)",
    "lbfgs": ("torch.optim.LBFGS(model.parameters(), lr=LEARNING_RATE, max_iter=20, history_size=10, "
              "line_search_fn=\"strong_wolfe\")"),
}


def _init_calls(config: PlaygroundConfig) -> list[str]:
    """One ``init_weight(...)`` argument tuple per Linear layer, with the numbers worked out."""
    chosen = scheme(config.init)
    widths = (len(config.features), *config.hidden, config.classes)
    calls = []
    for (fan_in, fan_out), gain in zip(zip(widths[:-1], widths[1:]), layer_gains(config.hidden_activations(), config.leaky_slope)):
        std = chosen.std(fan_in, fan_out, gain)
        if chosen.family == "uniform":
            calls.append(f'("uniform", {std * math.sqrt(3.0)!r}),  # bound, std {std:.4g}')
        elif chosen.family == "normal":
            calls.append(f'("normal", {std!r}),  # std')
        elif chosen.family == "constant":
            calls.append(f'("constant", {chosen.constant!r}),')
        else:
            calls.append(f'("orthogonal", {gain!r}),  # gain')
    return calls


def _points_literal(points: np.ndarray, labels: np.ndarray) -> str:
    rows = [f"({float(x1)!r}, {float(x2)!r}, {int(c)})" for (x1, x2), c in zip(points, labels)]
    lines = [", ".join(rows[i:i + 4]) for i in range(0, len(rows), 4)]
    return "[\n    " + ",\n    ".join(lines) + ",\n]" if rows else "[]"


def pytorch_script(trainer: Trainer, epochs: int | None = None) -> str:
    """The standalone script (a string) for ``trainer``'s config and data."""
    config = trainer.config
    epochs = epochs or trainer.epoch or DEFAULT_EPOCHS
    activations = config.hidden_activations()
    used = sorted(set(activations))
    activation_lines = "\n".join(
        f"    {name!r}: {ACTIVATION_CODE[name].format(slope=config.leaky_slope)}," for name in used
    )
    feature_lines = "\n".join(f"        {FEATURE_CODE[name]},  # {name}" for name in config.features)
    init_lines = "\n".join(f"    {call}" for call in _init_calls(config))
    if config.loss == "cross_entropy":
        loss_code = "F.cross_entropy(logits, targets)"
    else:
        loss_code = "F.mse_loss(logits.softmax(dim=1), F.one_hot(targets, CLASSES).float())"
    if config.regularisation == "l1" and config.regularisation_rate > 0:
        penalty = "REGULARISATION_RATE * sum(w.abs().sum() for w in model.weights())"
    elif config.regularisation == "l2" and config.regularisation_rate > 0:
        penalty = "REGULARISATION_RATE * sum((w * w).sum() for w in model.weights())"
    else:
        penalty = "0.0  # no regularisation"
    link = "&".join(f"{key}={value}" for key, value in config.to_query().items())
    return f'''"""A small MLP, exported from the Deep Learning Playground ("Perceptron & activations" tab).

Settings: {link or "(the defaults)"}
Run it with `python this_file.py` (needs only PyTorch). It builds the same network with the
same initial weights, trains it on the same points, and prints the accuracies.
"""

import torch
import torch.nn.functional as F
from torch import nn

SEED = {config.seed}
EPOCHS = {epochs}
CLASSES = {config.classes}
HIDDEN = {tuple(config.hidden)!r}  # neurons per hidden layer
ACTIVATIONS = {tuple(activations)!r}  # one per hidden layer
LEARNING_RATE = {config.learning_rate!r}
BATCH_SIZE = {config.batch_size}
REGULARISATION_RATE = {config.regularisation_rate!r}

# The points the playground used: (x1, x2, class) on the plane [-6, 6]².
TRAIN_POINTS = {_points_literal(trainer.data.train_points, trainer.data.train_labels)}
TEST_POINTS = {_points_literal(trainer.data.test_points, trainer.data.test_labels)}

ACTIVATION_FUNCTIONS = {{
{activation_lines}
}}

# Weight init per Linear layer (hidden layers, then output), scheme "{config.init}": biases start at 0.
INIT = [
{init_lines}
]


def features(points):  # (n, 2) -> (n, {len(config.features)})
    x1, x2 = points[:, 0], points[:, 1]
    return torch.stack([
{feature_lines}
    ], dim=1)


def as_tensors(rows):
    data = torch.tensor([row[:2] for row in rows], dtype=torch.float32).reshape(-1, 2)
    return features(data), torch.tensor([row[2] for row in rows], dtype=torch.int64)


class MLP(nn.Module):
    def __init__(self, inputs):
        super().__init__()
        widths = (inputs, *HIDDEN)
        self.hidden_layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.output = nn.Linear(widths[-1], CLASSES)
        self.functions = [ACTIVATION_FUNCTIONS[name] for name in ACTIVATIONS]

    def forward(self, x):  # (B, inputs) -> (B, CLASSES) logits
        for layer, function in zip(self.hidden_layers, self.functions):
            x = function(layer(x))
        return self.output(x)

    def weights(self):
        return [layer.weight for layer in (*self.hidden_layers, self.output)]


def init_weight(weight, kind, number, generator):
    with torch.no_grad():
        if kind == "uniform":
            weight.uniform_(-number, number, generator=generator)
        elif kind == "normal":
            weight.normal_(0.0, number, generator=generator)
        elif kind == "constant":
            weight.fill_(number)
        else:  # orthogonal, scaled by the gain
            flat = torch.empty(weight.shape)
            nn.init.orthogonal_(flat, gain=number, generator=generator)
            weight.copy_(flat)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item() if len(y) else float("nan")


def main():
    train_x, train_y = as_tensors(TRAIN_POINTS)
    test_x, test_y = as_tensors(TEST_POINTS)
    model = MLP(train_x.shape[1])
    generator = torch.Generator().manual_seed(SEED)
    for layer, (kind, number) in zip((*model.hidden_layers, model.output), INIT):
        init_weight(layer.weight, kind, number, generator)
        nn.init.zeros_(layer.bias)
    optimizer = {OPTIMIZER_CODE[config.optimizer]}
    shuffle = torch.Generator().manual_seed(SEED)
    batch_size = min(BATCH_SIZE, len(train_x))
    for epoch in range(1, EPOCHS + 1):
        order = torch.randperm(len(train_x), generator=shuffle)
        for start in range(0, len(train_x), batch_size):
            index = order[start:start + batch_size]
            inputs, targets = train_x[index], train_y[index]  # (B, features), (B,)

            def closure():
                optimizer.zero_grad()
                logits = model(inputs)
                loss = {loss_code} + {penalty}
                loss.backward()
                return loss

            optimizer.step(closure)
        if epoch % max(1, EPOCHS // 10) == 0 or epoch == EPOCHS:
            print(f"epoch {{epoch}}: train accuracy {{accuracy(model, train_x, train_y):.4f}}")
    print(f"train accuracy: {{accuracy(model, train_x, train_y):.4f}}")
    print(f"test accuracy: {{accuracy(model, test_x, test_y):.4f}}")
    return model


if __name__ == "__main__":
    main()
'''


def weights_file(trainer: Trainer, directory: str | None = None) -> str:
    """Save the trained weights as safetensors (the settings ride along as metadata); returns the path."""
    folder = Path(directory or tempfile.mkdtemp(prefix="mlp-weights-"))
    path = folder / f"mlp_playground_epoch{trainer.epoch}.safetensors"
    tensors = {key: value.detach().contiguous().clone() for key, value in trainer.model.state_dict().items()}
    metadata = {
        "config": json.dumps(trainer.config.as_dict()),
        "epoch": str(trainer.epoch),
        "test_accuracy": f"{trainer.accuracy('test'):.4f}",
        "note": "state_dict of the MLP in the PyTorch script the playground exports",
    }
    save_file(tensors, str(path), metadata=metadata)
    return str(path)
