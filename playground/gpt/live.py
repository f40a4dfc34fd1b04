"""Live training: a small GPT and a char-LSTM of about the same size learn the same text.

Both models read the same random windows of the first 90 % of the text, with the same
optimizer (Adam) and the same learning rate; every frame they are measured on the same
fixed windows of the last 10 % and each writes a short sample. The LSTM's hidden size is
chosen so that its parameter count matches the GPT's.

``frames(settings)`` is a plain generator: each item is a ``Frame`` after
``steps_per_frame`` more steps of both models. To stop, stop asking for frames (Gradio's
Stop button cancels the generator; a shared live-training runtime can do the same).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from playground import checks
from playground.errors import TrainingDiverged, UserInputError
from playground.gpt import data
from playground.nets.gpt import GPT, GPTConfig
from playground.nets.sequence import RecurrentNet

MIN_TEXT = 1_000  # characters: 10 % of it is held out and must hold a few windows
MAX_TEXT = 200_000
MAX_STEPS = 5_000
SAMPLE_TEMPERATURE = 0.8


@dataclass
class LiveSettings:
    n_layer: int = 2  # GPT blocks
    n_head: int = 4  # heads per block
    n_embd: int = 64  # GPT width; the LSTM's hidden size is matched to its parameter count
    block_size: int = 64  # characters per training window (and the GPT's context)
    batch_size: int = 16  # windows per step
    learning_rate: float = 3e-3  # Adam, the same for both models
    total_steps: int = 1_500
    steps_per_frame: int = 10  # optimizer steps of each model between two frames
    sample_length: int = 120  # characters each model writes per frame
    eval_windows: int = 16  # fixed held-out windows measured every frame
    seed: int = 0

    def validated(self) -> "LiveSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        settings = replace(
            self,
            n_layer=checks.integer("layers", self.n_layer, 1, 4),
            n_head=checks.integer("heads", self.n_head, 1, 8),
            n_embd=checks.integer("width", self.n_embd, 16, 256),
            block_size=checks.integer("context", self.block_size, 8, 256),
            batch_size=checks.integer("batch size", self.batch_size, 1, 128),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=0.1),
            total_steps=checks.integer("training steps", self.total_steps, 1, MAX_STEPS),
            steps_per_frame=checks.integer("steps per frame", self.steps_per_frame, 1, 200),
            seed=checks.seed(self.seed),
        )
        if settings.n_embd % settings.n_head:
            raise UserInputError(f"the width ({settings.n_embd}) must be divisible by the number of heads ({settings.n_head}).")
        return settings


@dataclass
class Frame:
    step: int
    curves: dict[str, tuple[list[int], list[float]]]  # model name -> (steps, held-out losses)
    samples: dict[str, str]  # model name -> the sample it wrote at this step
    parameters: dict[str, int]
    vocab_size: int
    done: bool = False


def check_text(text: str | None) -> str:
    return checks.training_text(text, MIN_TEXT, MAX_TEXT, "paste some text, or keep the Shakespeare excerpt.",
                                " (10 % is held out)", name="the training text")


class CharLSTM(nn.Module):
    """The Sequences tab's LSTM (one-hot characters in) with the GPT's (B, T) ids -> (B, T, V) interface."""

    def __init__(self, vocab_size: int, hidden: int):
        super().__init__()
        self.vocab_size = vocab_size
        self.net = RecurrentNet("lstm", vocab_size, vocab_size, hidden=hidden)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.net(F.one_hot(ids, self.vocab_size).float())  # (B, T, V)

    def step(self, char_id: int, state=None):
        """One character in, next-character logits (V,) and the new (h, c) state out."""
        x = F.one_hot(torch.tensor([[char_id]]), self.vocab_size).float()  # (1, 1, V)
        output, state = self.net.rnn(x, state)  # (1, 1, H)
        return self.net.head(output[0, -1]), state


def lstm_hidden_for(parameters: int, vocab_size: int) -> int:
    """The hidden size whose one-layer LSTM + linear head has about ``parameters`` weights.

    LSTM: 4·H·(V + H) weights + 8·H biases; head: H·V + V. Solve 4H² + (5V + 8)H + V = P.
    """
    a, b, c = 4, 5 * vocab_size + 8, vocab_size - parameters
    return max(4, round((-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)))


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class LiveDuel:
    """Both models, their optimizers, the split text and the fixed held-out windows."""

    def __init__(self, text: str, settings: LiveSettings):
        settings = self.settings = settings.validated()
        text = check_text(text)
        self.vocab = "".join(sorted(set(text)))
        ids = data.encode(text, self.vocab)
        self.train_ids, self.held_ids = data.split(ids)
        window = settings.block_size
        if len(self.held_ids) < window + 2:
            raise UserInputError(
                f"the held-out 10 % ({len(self.held_ids)} characters) is shorter than one window of {window}: "
                "paste more text or choose a shorter context."
            )
        torch.manual_seed(settings.seed)
        config = GPTConfig(
            vocab_size=len(self.vocab), block_size=window,
            n_layer=int(settings.n_layer), n_head=int(settings.n_head), n_embd=int(settings.n_embd),
        )
        gpt = GPT(config)
        lstm = CharLSTM(len(self.vocab), lstm_hidden_for(count(gpt), len(self.vocab)))
        self.models: dict[str, nn.Module] = {"GPT": gpt, "LSTM": lstm}
        self.optimizers = {name: torch.optim.Adam(m.parameters(), lr=settings.learning_rate) for name, m in self.models.items()}
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.step = 0
        self.curves: dict[str, tuple[list[int], list[float]]] = {name: ([], []) for name in self.models}
        # the same held-out windows every frame, so the curves are comparable
        windows = min(settings.eval_windows, (len(self.held_ids) - 1) // window)
        starts = torch.arange(windows) * window
        self.held_windows = self.held_ids[starts[:, None] + torch.arange(window + 1)]  # (n, T + 1)

    @property
    def parameters(self) -> dict[str, int]:
        return {name: count(model) for name, model in self.models.items()}

    def train(self, steps: int) -> None:
        """``steps`` Adam steps of both models on the same random windows."""
        window = self.settings.block_size
        for _ in range(steps):
            inputs, targets = data.random_windows(self.train_ids, window, self.settings.batch_size, self.generator)
            for name, model in self.models.items():
                model.train()
                logits = model(inputs)  # (B, T, V)
                loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
                if not math.isfinite(loss.item()):
                    raise TrainingDiverged(f"the {name}'s loss became {loss.item()}: try a smaller learning rate.")
                self.optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                self.optimizers[name].step()
        self.step += steps

    @torch.no_grad()
    def measure(self) -> dict[str, float]:
        """Held-out cross-entropy (nats/char) of each model on the fixed windows; appended to the curves."""
        losses = {}
        for name, model in self.models.items():
            model.eval()
            logits = model(self.held_windows[:, :-1])
            losses[name] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), self.held_windows[:, 1:].reshape(-1)).item()
            steps, values = self.curves[name]
            steps.append(self.step)
            values.append(round(losses[name], 4))
        return losses

    @torch.no_grad()
    def sample(self, length: int, seed: int) -> dict[str, str]:
        """Each model continues the first character of the held-out text (same seed, temperature 0.8)."""
        samples = {}
        window = self.settings.block_size
        for name, model in self.models.items():
            model.eval()
            generator = torch.Generator().manual_seed(seed)
            context = [int(self.held_ids[0])]
            state = None  # the LSTM carries its state forward: one step per character
            for _ in range(length):
                if isinstance(model, CharLSTM):
                    logits, state = model.step(context[-1], state)  # (V,)
                else:
                    logits = model(torch.tensor([context[-window:]]))[0, -1]  # (V,): re-reads its context
                probabilities = (logits / SAMPLE_TEMPERATURE).softmax(-1)
                context.append(int(torch.multinomial(probabilities, 1, generator=generator)))
            samples[name] = "".join(self.vocab[i] for i in context)
        return samples


def frames(text: str, settings: LiveSettings) -> Iterator[Frame]:
    """Train both models, yielding a ``Frame`` (curves + samples) every ``steps_per_frame`` steps."""
    duel = LiveDuel(text, settings)
    duel.measure()
    yield Frame(0, duel.curves, duel.sample(settings.sample_length, settings.seed), duel.parameters, len(duel.vocab))
    while duel.step < settings.total_steps:
        duel.train(min(int(settings.steps_per_frame), int(settings.total_steps) - duel.step))
        duel.measure()
        yield Frame(
            duel.step, duel.curves, duel.sample(settings.sample_length, settings.seed), duel.parameters,
            len(duel.vocab), done=duel.step >= settings.total_steps,
        )


def describe(frame: Frame) -> str:
    """A one-line status: step and each model's latest held-out loss and size."""
    parts = []
    for name, (_, losses) in frame.curves.items():
        parts.append(f"{name} ({frame.parameters[name]:,} parameters): {losses[-1]:.3f} nats/char")
    state = "done" if frame.done else "training"
    return f"step {frame.step} ({state}) — held-out loss " + "; ".join(parts) + f" — vocabulary of {frame.vocab_size}"

