"""Train a small digit autoencoder in the page: chosen noise, chosen bottleneck, streamed frames.

``train_live`` is a generator: every ``steps_per_frame`` optimizer steps it yields a
``LiveFrame`` with the loss curves so far and the reconstructions of a fixed validation
batch (held-out digits with fixed noise), so a person watches the same digits sharpen.
Stopping is simply not asking for the next frame; the model stays usable afterwards.
The loop is ``playground.training_loop.fit``; this module only supplies the noisy batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from playground import checks, data
from playground.autoencoder import noise
from playground.autoencoder.render import digit_strip
from playground.device import device_of, session_model
from playground.nets.autoencoder import DigitAutoencoder
from playground.training_loop import fit, make_optimizer, seed_everything

BOTTLENECKS = {"7×7 feature map (no linear bottleneck)": None, "32 numbers": 32, "8 numbers": 8, "2 numbers": 2}
VALIDATION_COUNT = 10  # one held-out digit per class


@dataclass
class LiveConfig:
    noise_kind: str = "Gaussian"  # a key of noise.NOISE_TYPES
    noise_level: float = 0.3
    latent_dim: int | None = 8  # None: the 7×7 feature map is the bottleneck
    learning_rate: float = 2e-3  # Adam
    batch_size: int = 64
    epochs: int = 10
    steps_per_frame: int = 15  # a frame every 15 steps: about 2 frames a second here
    width: int = 16  # channels of the first layer; small so it trains live on a CPU
    seed: int = 0

    def validated(self) -> "LiveConfig":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        kind = checks.choice("noise", self.noise_kind, noise.NOISE_TYPES)
        top = noise.NOISE_TYPES[kind][2]
        return replace(
            self,
            noise_level=checks.real(f"{kind} noise level", self.noise_level, 0, top),
            latent_dim=None if self.latent_dim is None else checks.integer(
                "the bottleneck (numbers kept)", self.latent_dim, 1, 784),
            learning_rate=checks.learning_rate(self.learning_rate, minimum=1e-5, maximum=0.1),
            batch_size=checks.integer("batch size", self.batch_size, 1, 4000),
            epochs=checks.integer("epochs", self.epochs, 1, 200),
            steps_per_frame=checks.integer("steps per frame", self.steps_per_frame, 1, 1000),
            seed=checks.seed(self.seed),
        )


@dataclass
class LiveFrame:
    step: int
    epoch: int
    steps_total: int
    train_curve: list[tuple[int, float]] = field(default_factory=list)  # (step, mean BCE of the last frame)
    valid_curve: list[tuple[int, float]] = field(default_factory=list)  # (step, BCE on the validation batch)
    picture: np.ndarray | None = None  # uint8 grid: clean / noisy / reconstruction rows
    done: bool = False


def validation_batch(config: LiveConfig) -> tuple[np.ndarray, np.ndarray]:
    """The fixed (clean, noisy) held-out digits every frame shows: (10, 28, 28) each."""
    test = data.mnist_test()
    first_of_class = [int(np.flatnonzero(test.labels == digit)[0]) for digit in range(VALIDATION_COUNT)]
    clean = test.images[first_of_class].astype(np.float32) / 255.0
    noisy = noise.corrupt(clean, config.noise_kind, config.noise_level, seed=config.seed + 1)
    return clean, noisy


def new_model(config: LiveConfig) -> DigitAutoencoder:
    seed_everything(config.seed)
    return DigitAutoencoder(config.latent_dim, width=config.width)


def train_live(config: LiveConfig, model: DigitAutoencoder | None = None):
    """Yield LiveFrames while training ``model`` (a new one when None) on the chosen noise."""
    config = config.validated()
    model = session_model(model if model is not None else new_model(config))
    device = device_of(model)
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    clean = data.mnist_train().images.astype(np.float32) / 255.0  # (4000, 28, 28)
    valid_clean, valid_noisy = validation_batch(config)
    valid_x = torch.from_numpy(valid_noisy).unsqueeze(1).to(device)  # (10, 1, 28, 28)
    valid_y = torch.from_numpy(valid_clean).unsqueeze(1).to(device)

    def train_batches():  # fresh noise every time a digit is seen
        order = rng.permutation(len(clean))
        for start in range(0, len(clean), config.batch_size):
            target = clean[order[start : start + config.batch_size]]
            noisy = noise.corrupt(target, config.noise_kind, config.noise_level, rng)
            yield torch.from_numpy(noisy).unsqueeze(1), torch.from_numpy(target).unsqueeze(1)

    recent: list[float] = []

    def loss_fn(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = nn.functional.binary_cross_entropy(output, target)
        if model.training:
            recent.append(loss.item())
        return loss

    optimizer = make_optimizer("Adam", model.parameters(), config.learning_rate)
    steps_per_epoch = -(-len(clean) // config.batch_size)
    frame = LiveFrame(step=0, epoch=0, steps_total=config.epochs * steps_per_epoch)
    for progress in fit(model, loss_fn, optimizer, train_batches, None, config.epochs, device=device,
                        report_every=config.steps_per_frame):
        if progress.epoch_end and progress.step % config.steps_per_frame == 0:
            continue  # the same step was just reported
        model.eval()
        with torch.no_grad():
            output = model(valid_x)
            valid_loss = nn.functional.binary_cross_entropy(output, valid_y).item()
        model.train()
        frame.step, frame.epoch = progress.step, progress.epoch
        frame.train_curve.append((progress.step, float(np.mean(recent)) if recent else float("nan")))
        frame.valid_curve.append((progress.step, valid_loss))
        recent.clear()
        frame.picture = digit_strip([valid_clean, valid_noisy, output[:, 0].cpu().numpy()], factor=3)
        frame.done = progress.step >= frame.steps_total
        yield frame
    model.eval()
