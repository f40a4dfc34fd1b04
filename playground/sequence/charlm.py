"""A character-level language model: an LSTM or GRU learns to continue a small text.

The text ships with Python (``import this`` — the Zen of Python) or is pasted by the
visitor. The net reads one character per step and predicts the next; sampling feeds its
own choice back in. The temperature divides the logits before the softmax: below 1 the
model picks its favourite characters (safe, repetitive), above 1 it gambles (creative,
then gibberish).
"""

from __future__ import annotations

import codecs
import math
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from playground import checks
from playground.errors import TrainingDiverged, UserInputError
from playground.nets.sequence import RecurrentNet

MIN_TEXT = 40  # characters
MAX_TEXT = 200_000
MAX_SAMPLE = 2000
WINDOW = 64


def zen_of_python() -> str:
    """The Zen of Python from the standard library's ``this`` module, without printing it."""
    import importlib.util

    # `import this` prints the text; its source holds it ROT13-encoded in `s`: read that instead
    spec = importlib.util.find_spec("this")
    source = spec.loader.get_source("this") if spec and spec.loader else None
    if source is None:
        raise UserInputError("the `this` module's source is not available in this Python")
    encoded = source.split('s = """', 1)[1].split('"""', 1)[0]
    return codecs.decode(encoded, "rot13")


@dataclass
class CharSettings:
    cell: str = "lstm"  # "lstm" | "gru"
    hidden: int = 128
    learning_rate: float = 0.005
    batch_size: int = 32
    seed: int = 0

    def validated(self) -> "CharSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        return replace(
            self,
            cell=checks.choice("cell", self.cell, ("lstm", "gru")),
            hidden=checks.integer("hidden size", self.hidden, 8, 512),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=1.0),
            seed=checks.seed(self.seed),
        )


def check_text(text: str | None) -> str:
    return checks.training_text(text, MIN_TEXT, MAX_TEXT, 'paste some text (or pick the Zen of Python) to train on.')


class CharModel:
    """The vocabulary, the encoded text and a recurrent net over one-hot characters."""

    def __init__(self, text: str, settings: CharSettings):
        settings = settings.validated()
        self.text = check_text(text)
        self.settings = settings
        self.vocabulary = sorted(set(self.text))
        self.index = {char: i for i, char in enumerate(self.vocabulary)}
        self.encoded = torch.tensor([self.index[c] for c in self.text], dtype=torch.long)  # (N,)
        torch.manual_seed(settings.seed)
        size = len(self.vocabulary)
        self.net = RecurrentNet(settings.cell, size, size, hidden=int(settings.hidden))
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=settings.learning_rate)
        self.generator = torch.Generator().manual_seed(settings.seed + 1)
        self.steps = 0
        self.losses: list[float] = []

    def _one_hot(self, indices: torch.Tensor) -> torch.Tensor:
        return F.one_hot(indices, len(self.vocabulary)).float()

    def train(self, steps: int) -> float:
        """``steps`` Adam steps on random windows; returns the mean loss in bits per character."""
        window = min(WINDOW, len(self.encoded) - 1)
        self.net.train()
        losses = []
        for _ in range(steps):
            starts = torch.randint(0, len(self.encoded) - window, (self.settings.batch_size,), generator=self.generator)
            slices = torch.stack([self.encoded[s : s + window + 1] for s in starts.tolist()])  # (B, W+1)
            logits = self.net(self._one_hot(slices[:, :-1]))  # (B, W, V)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), slices[:, 1:].reshape(-1))
            if not math.isfinite(loss.item()):
                raise TrainingDiverged(f"the loss became {loss.item()}: try a smaller learning rate")
            self.optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
            self.optimizer.step()
            losses.append(loss.item() / math.log(2))
        self.steps += steps
        self.losses.append(float(np.mean(losses)))
        return self.losses[-1]

    def sample(self, prompt: str = "", length: int = 300, temperature: float = 0.8, seed: int = 0) -> str:
        """Continue ``prompt`` (characters the model never saw are dropped) for ``length`` characters."""
        temperature = checks.real("temperature", temperature, 0.05, 5)
        length = checks.integer("sample length", length, 1, MAX_SAMPLE)
        seed = checks.seed(seed)
        prompt = checks.text("the prompt", prompt, MAX_TEXT)
        known = [self.index[c] for c in (prompt or "") if c in self.index] or [self.index[self.text[0]]]
        generator = torch.Generator().manual_seed(int(seed))
        self.net.eval()
        out = []
        with torch.no_grad():
            output, state = self.net.rnn(self._one_hot(torch.tensor([known])))  # read the prompt
            for _ in range(int(length)):
                logits = self.net.head(output[0, -1]) / float(temperature)  # (V,)
                choice = torch.multinomial(logits.softmax(dim=-1), 1, generator=generator)  # (1,)
                out.append(self.vocabulary[choice.item()])
                output, state = self.net.rnn(self._one_hot(choice[None]), state)  # (1, 1, H)
        return "".join(self.vocabulary[i] for i in known) + "".join(out)
