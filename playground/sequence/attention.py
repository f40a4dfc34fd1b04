"""A first look at attention: a tiny transformer and an LSTM learn to reverse a sequence.

The sequence is ``length`` symbols, then ``length`` blank steps during which the model
writes the symbols back in reverse order. The LSTM must squeeze the whole sequence into
its state and unroll it backwards; a self-attention layer can simply *look* at the input
it needs: the output at step L + i attends to input step L − 1 − i, so its attention map
(output rows × input columns) becomes an anti-diagonal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from playground import checks
from playground.errors import TrainingDiverged
from playground.nets.sequence import RecurrentNet, TinyTransformer
from playground.sequence.tasks import N_SYMBOLS, loss_and_accuracy, reverse_batch

MAX_LENGTH = 24


@dataclass
class AttentionSettings:
    length: int = 6  # symbols to reverse (the sequence is twice as long)
    d_model: int = 32  # transformer width
    heads: int = 1
    layers: int = 1
    lstm_hidden: int = 64
    learning_rate: float = 0.005  # Adam, both models
    batch_size: int = 64
    seed: int = 0

    def validated(self) -> "AttentionSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        return replace(
            self,
            length=checks.integer("the sequence length", self.length, 2, MAX_LENGTH),
            heads=checks.choice("number of heads", self.heads, (1, 2, 4)),
            layers=checks.choice("number of layers", self.layers, (1, 2)),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=1.0),
            seed=checks.seed(self.seed),
        )


@dataclass
class Curves:
    steps: list[int] = field(default_factory=list)
    transformer: list[float] = field(default_factory=list)  # held-out accuracy
    lstm: list[float] = field(default_factory=list)


class ReversalLab:
    def __init__(self, settings: AttentionSettings):
        settings = self.settings = settings.validated()
        self.length = int(settings.length)
        torch.manual_seed(settings.seed)
        n_in, n_out = N_SYMBOLS + 1, N_SYMBOLS
        self.transformer = TinyTransformer(
            n_in, n_out, max_len=2 * self.length, d_model=settings.d_model, n_heads=settings.heads, n_layers=settings.layers
        )
        self.lstm = RecurrentNet("lstm", n_in, n_out, hidden=settings.lstm_hidden)
        self.optimizers = {
            "transformer": torch.optim.Adam(self.transformer.parameters(), lr=settings.learning_rate),
            "lstm": torch.optim.Adam(self.lstm.parameters(), lr=settings.learning_rate),
        }
        self.batches = torch.Generator().manual_seed(settings.seed + 1)
        self.held_out = reverse_batch(self.length, 256, torch.Generator().manual_seed(settings.seed + 2))
        self.curves = Curves()
        self.step = 0

    def advance(self, steps: int) -> dict[str, float]:
        models = {"transformer": self.transformer, "lstm": self.lstm}
        for _ in range(steps):
            batch = reverse_batch(self.length, self.settings.batch_size, self.batches)
            for name, model in models.items():
                model.train()
                loss, _ = loss_and_accuracy(model(batch.inputs), batch, regression=False)
                if not math.isfinite(loss.item()):
                    raise TrainingDiverged(f"the {name}'s loss became {loss.item()}: try a smaller learning rate")
                self.optimizers[name].zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                self.optimizers[name].step()
        self.step += steps
        accuracy = {name: self.accuracy(model) for name, model in models.items()}
        self.curves.steps.append(self.step)
        self.curves.transformer.append(accuracy["transformer"])
        self.curves.lstm.append(accuracy["lstm"])
        return accuracy

    def accuracy(self, model: torch.nn.Module) -> float:
        model.eval()
        with torch.no_grad():
            return loss_and_accuracy(model(self.held_out.inputs), self.held_out, regression=False)[1]

    def output_attention(self, layer: int = -1) -> np.ndarray:
        """Mean attention of the output steps over the input steps: (L, L), rows sum to ≤ 1.

        Row i is output step L + i; column j is input step j. Averaged over the held-out
        batch and the heads of ``layer``.
        """
        self.transformer.eval()
        with torch.no_grad():
            maps = self.transformer.attention_maps(self.held_out.inputs)[layer]  # (B, h, 2L, 2L)
        mean = maps.mean(dim=(0, 1))  # (2L, 2L)
        return mean[self.length :, : self.length].numpy()  # (L, L): outputs × inputs

    def example_attention(self, index: int = 0, layer: int = -1) -> tuple[np.ndarray, list[str], list[str]]:
        """One held-out sequence's full (2L, 2L) map (heads averaged) with its row/column labels."""
        self.transformer.eval()
        inputs = self.held_out.inputs[index : index + 1]  # (1, 2L, S+1)
        with torch.no_grad():
            attention = self.transformer.attention_maps(inputs)[layer][0].mean(dim=0).numpy()  # (2L, 2L)
            predicted = self.transformer(inputs)[0].argmax(dim=-1).tolist()  # (2L,)
        symbols = "ABCDEFGH"
        tokens = inputs[0].argmax(dim=-1).tolist()
        columns = [symbols[t] if t < N_SYMBOLS else "·" for t in tokens]
        rows = [columns[t] if t < self.length else f"→{symbols[predicted[t]]}" for t in range(2 * self.length)]
        return attention, rows, columns


def anti_diagonal_score(output_attention: np.ndarray) -> tuple[float, float]:
    """(share of output rows whose strongest input is the mirrored step, mean weight on it)."""
    length = output_attention.shape[0]
    mirror = np.arange(length)[::-1]  # output i should read input L − 1 − i
    hits = float((output_attention.argmax(axis=1) == mirror).mean())
    mass = float(output_attention[np.arange(length), mirror].mean())
    return hits, mass
