"""Test accuracy, the confusion matrix and the most-confused digits of a classifier."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.device import to_model


@torch.no_grad()
def predict_log_probs(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """(N, 1, 28, 28) → (N, 10) log-probabilities, in eval mode (the mode is restored after)."""
    was_training = model.training
    model.eval()
    outputs = [model(to_model(model, images[start : start + batch_size])).cpu()
               for start in range(0, len(images), batch_size)]
    model.train(was_training)
    return torch.cat(outputs)


@dataclass
class Evaluation:
    accuracy: float  # fraction correct
    loss: float  # mean negative log-likelihood
    confusion: np.ndarray  # (10, 10) counts, rows = true digit, columns = predicted digit
    predicted: np.ndarray  # (N,) predicted digit
    confidence: np.ndarray  # (N,) probability of the predicted digit

    def most_confused_pairs(self, top: int = 5) -> list[tuple[int, int, int]]:
        """[(true, predicted, count)] of the most frequent mistakes, largest first."""
        off_diagonal = self.confusion.copy()
        np.fill_diagonal(off_diagonal, 0)
        order = np.argsort(off_diagonal, axis=None)[::-1][:top]
        pairs = [(int(i // 10), int(i % 10), int(off_diagonal.flat[i])) for i in order]
        return [pair for pair in pairs if pair[2] > 0]

    def worst_mistakes(self, labels: np.ndarray, top: int = 12) -> np.ndarray:
        """Indices of the wrong predictions the model was most sure of."""
        wrong = np.flatnonzero(self.predicted != labels)
        return wrong[np.argsort(-self.confidence[wrong])][:top]


def evaluate_classifier(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> Evaluation:
    log_probs = predict_log_probs(model, images)  # (N, 10)
    loss = float(nn.functional.nll_loss(log_probs, labels))
    confidence, predicted = log_probs.exp().max(dim=1)
    truth = labels.numpy()
    predicted = predicted.numpy()
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    return Evaluation(
        accuracy=float((predicted == truth).mean()),
        loss=loss,
        confusion=confusion,
        predicted=predicted,
        confidence=confidence.numpy(),
    )
