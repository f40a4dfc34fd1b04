"""The shared training loop (the seed notes' loop) and its helpers."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from playground.errors import TrainingDiverged, UserInputError
from playground.training_loop import BestCheckpoint, fit, make_optimizer, seed_everything, tensor_batches


def _toy_problem(seed: int = 0):
    generator = seed_everything(seed)
    inputs = torch.randn(256, 2, generator=generator)
    targets = (inputs[:, 0] * inputs[:, 1] > 0).long()  # XOR-like quadrants
    return inputs, targets


def _mlp():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))


def test_best_checkpoint_saves_exactly_when_validation_loss_decreases():
    model = nn.Linear(2, 1)
    checkpoint = BestCheckpoint()
    scripted = [0.9, 0.7, 0.7, 0.8, 0.5, float("nan"), 0.6, 0.49]
    saved = []
    for epoch, loss in enumerate(scripted, start=1):
        with torch.no_grad():
            model.weight.fill_(epoch)  # so we can tell which epoch's weights were kept
        saved.append(checkpoint.update(loss, model, epoch))
    assert saved == [True, True, False, False, True, False, False, True]
    assert checkpoint.best_loss == 0.49 and checkpoint.epoch == 8
    assert torch.all(checkpoint.state_dict["weight"] == 8)


def test_checkpoint_is_a_copy_not_a_view():
    model = nn.Linear(2, 1)
    checkpoint = BestCheckpoint()
    checkpoint.update(1.0, model)
    with torch.no_grad():
        model.weight.add_(5)
    assert not torch.equal(checkpoint.state_dict["weight"], model.weight)


@pytest.mark.parametrize(
    "optimizer_name, lr, batch_size",
    # L-BFGS is a full-batch method: its line search needs the same loss at every call.
    [("SGD", 0.5, 64), ("Momentum", 0.1, 64), ("Adam", 0.02, 64), ("L-BFGS", 1.0, 256)],
)
def test_fit_lowers_the_loss_with_every_optimizer(optimizer_name, lr, batch_size):
    inputs, targets = _toy_problem()
    model = _mlp()
    loss_fn = nn.CrossEntropyLoss()
    initial = loss_fn(model(inputs), targets).item()
    optimizer = make_optimizer(optimizer_name, model.parameters(), lr)
    batches = tensor_batches(inputs, targets, batch_size=batch_size, shuffle=True, seed=0)
    reports = [p for p in fit(model, loss_fn, optimizer, batches, batches, epochs=15) if p.epoch_end]
    assert len(reports) == 15
    assert reports[-1].history["valid_loss"][-1] < 0.6 * initial
    # The messages follow the seed notes whenever the checkpoint was saved.
    assert reports[0].improved and "Validation loss decreased" in reports[0].message


def test_one_lbfgs_step_with_a_closure_lowers_the_loss():
    inputs, targets = _toy_problem(1)
    model = _mlp()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = make_optimizer("L-BFGS", model.parameters(), 1.0)
    before = loss_fn(model(inputs), targets).item()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        return loss

    optimizer.step(closure)
    assert loss_fn(model(inputs), targets).item() < before


def test_divergence_stops_training_and_keeps_the_best_checkpoint():
    generator = seed_everything(0)
    inputs = torch.randn(256, 2, generator=generator) * 10
    targets = inputs @ torch.tensor([[2.0], [-1.0]])  # linear regression
    model = nn.Linear(2, 1)
    checkpoint = BestCheckpoint()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    batches = tensor_batches(inputs, targets, batch_size=64, shuffle=False)
    progress = fit(model, nn.MSELoss(), optimizer, batches, batches, epochs=50, checkpoint=checkpoint)
    next(p for p in progress if p.epoch_end)  # one good epoch: a checkpoint exists
    kept = {k: v.clone() for k, v in checkpoint.state_dict.items()}
    for group in optimizer.param_groups:
        group["lr"] = 1.0  # far beyond 2 / (largest curvature): every step overshoots more
    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        for _ in progress:
            pass
    assert all(torch.equal(kept[k], checkpoint.state_dict[k]) for k in kept)
    assert math.isfinite(checkpoint.best_loss)


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -1.0, 0.0, 1e6])
def test_absurd_learning_rates_are_refused(lr):
    with pytest.raises(UserInputError):
        make_optimizer("Adam", _mlp().parameters(), lr)


def test_unknown_optimizer_names_the_choices():
    with pytest.raises(UserInputError, match="SGD, Momentum, Adam or L-BFGS"):
        make_optimizer("rmsprop", _mlp().parameters(), 0.1)
