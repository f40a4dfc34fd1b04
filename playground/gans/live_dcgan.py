"""A visitor's own DCGAN, trained on MNIST in the page from scratch.

``LiveDCGAN`` holds one session's networks, optimizers and a fixed batch of noise: the
fixed-noise grid (4 rows × one column per digit) is redrawn every few steps, so the
visitor watches the same 40 latent vectors turn from grey fog into digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from playground import checks, data, registry
from playground.device import to_model
from playground.gans.dcgan_training import StepLosses, make_optimizers, train_step
from playground.gans.sampling import image_grid, to_uint8

GRID_ROWS = 4
MODEL = "dcgan_mnist"


@dataclass
class LiveDCGAN:
    seed: int = 0
    lr: float = 2e-4
    batch_size: int = 64
    steps: int = 0
    history: list[StepLosses] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A session's training run, not a settings object: it checks its three settings as it is made.
        self.seed = checks.seed(self.seed)
        self.lr = checks.learning_rate(self.lr, minimum=1e-5, maximum=1e-2)
        self.batch_size = checks.integer("batch size", self.batch_size, 8, 256)
        torch.manual_seed(self.seed)
        # A fresh, untrained copy of the registered architecture: this session's own.
        self.model = registry.create(MODEL, pretrained=False)  # on the session device
        self.opt_g, self.opt_d = make_optimizers(self.model, self.lr)
        self.rng = torch.Generator().manual_seed(self.seed)
        nz = self.model.config.nz
        self.fixed_z = torch.randn(GRID_ROWS * 10, nz, generator=self.rng)  # (40, nz)
        self.fixed_labels = torch.arange(GRID_ROWS * 10) % 10  # one column per digit

    def train(self, steps: int) -> list[StepLosses]:
        images, labels = data.mnist_tensors("train", "tanh")  # (4000, 1, 28, 28) in [-1, 1], shared
        new = []
        for _ in range(int(steps)):
            index = torch.randint(0, len(images), (int(self.batch_size),), generator=self.rng)
            new.append(train_step(self.model, self.opt_g, self.opt_d, images[index], labels[index], self.rng))
        self.steps += len(new)
        self.history.extend(new)
        return new

    @torch.inference_mode()
    def fixed_grid(self, scale: int = 3) -> np.ndarray:
        """(H, W, 3) uint8: the generator's pictures for the fixed noise (eval-mode batch norm)."""
        generator = self.model.generator
        generator.eval()
        images = to_uint8(generator(*to_model(generator, self.fixed_z, self.fixed_labels)))
        generator.train()
        return image_grid(images, columns=10, scale=scale)

    def summary(self) -> str:
        if not self.history:
            return "Not trained yet: the grid shows what an untrained generator draws."
        recent = self.history[-20:]
        d = np.mean([h.d_loss for h in recent])
        g = np.mean([h.g_loss for h in recent])
        d_real = np.mean([h.d_real for h in recent])
        d_fake = np.mean([h.d_fake for h in recent])
        epochs = self.steps * self.batch_size / len(data.mnist_tensors("train", "tanh")[0])
        return (
            f"step {self.steps} (≈ {epochs:.1f} epochs) · D loss {d:.3f} · G loss {g:.3f} · "
            f"D(real) {d_real:.2f} · D(fake) {d_fake:.2f}"
        )
