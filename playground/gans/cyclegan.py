"""CycleGAN compute: the training loop (Zhu et al. 2017), and translating digits both ways.

Training (``train_cyclegan``), per step, with a batch of A pictures and an *unrelated* batch of
B pictures (no pairs: nothing says which B goes with which A):

- generators: least-squares GAN losses (D_b should call G_ab(a) real, D_a should call G_ba(b)
  real) + λ_cycle · (|G_ba(G_ab(a)) − a| + |G_ab(G_ba(b)) − b|)  (there and back gives the picture
  back) + λ_identity · (|G_ab(b) − b| + |G_ba(a) − a|)  (a picture already in the target domain is
  left alone; this keeps the generators from changing what needs no change);
- discriminators: least squares, real → 1, fake → 0, the fakes drawn half the time from a
  history of the last 50 generated pictures, so D does not forget what G fooled it with before.

The learning rate stays at 2e-4 (Adam, β = (0.5, 0.999)) for the first half of the steps and falls
linearly to 0 over the second half, as in the paper. The shipped generators are moving averages
of the trained ones' weights (as the DCGAN recipes do): the two games keep the weights circling,
and on digits the share of translations read as the right digit swung by ±2 points from one
checkpoint to the next; the average sits in the middle of the circle.

Digits (the shipped ``cyclegan_digits``): A = handwritten MNIST, B = typeset
(``typeset_digits``); both (28, 28) white on black. ``translate`` and ``round_trip`` run the
shared registry model; ``digit_from_sketch`` / ``digit_from_upload`` read a visitor's drawing
or picture the way MNIST was prepared.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch

from playground import checks, images, registry
from playground.device import device_of, to_model
from playground.errors import TrainingDiverged, UserInputError
from playground.gans.dcgan_training import update_average
from playground.images import mnist_style, sketch_ink
from playground.nets.cyclegan import CycleGAN

MODEL = "cyclegan_digits"
HANDWRITTEN_TO_TYPESET = "handwritten → typeset"
TYPESET_TO_HANDWRITTEN = "typeset → handwritten"
DIRECTIONS = (HANDWRITTEN_TO_TYPESET, TYPESET_TO_HANDWRITTEN)


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class CycleSettings:
    steps: int = 3000  # generator (and discriminator) updates
    batch_size: int = 16
    lr: float = 2e-4  # Adam, both networks
    betas: tuple[float, float] = (0.5, 0.999)
    lambda_cycle: float = 10.0  # weight of the cycle-consistency L1
    # Weight of the b → a → b cycle, as a share of lambda_cycle. Below 1 where a → b invents what b → a throws
    # away (drawing → emoji must guess the colours): a full-weight L1 on a guess pays most for the median colour,
    # grey, and outweighs the discriminator's call for colour.
    cycle_b: float = 1.0
    identity: float = 0.5  # identity L1 weight, as a share of lambda_cycle (the paper: 0.5); needs equal channels
    pool_size: int = 50  # history of generated pictures shown to D (0: always the newest)
    decay_from: float = 0.5  # share of the steps after which the learning rate falls linearly to 0
    ema_decay: float = 0.999  # moving average of the generators' weights, shipped in their place (0: off)
    seed: int = 0

    def validated(self) -> "CycleSettings":
        checks.integer("steps", self.steps, 1, 1_000_000)
        checks.integer("batch size", self.batch_size, 1, 1024)
        checks.learning_rate(self.lr, 0.1)
        checks.real("lambda_cycle", self.lambda_cycle, 0, 1000)
        checks.real("cycle_b", self.cycle_b, 0, 1)
        checks.real("identity", self.identity, 0, 10)
        checks.integer("pool size", self.pool_size, 0, 10_000)
        checks.real("decay_from", self.decay_from, 0, 1)
        checks.real("ema_decay", self.ema_decay, 0, 1)
        checks.seed(self.seed)
        return self


class ImagePool:
    """The last ``size`` generated pictures (Shrivastava et al. 2017). ``query`` returns a batch
    where each picture is, with probability ½ once the pool is full, swapped for an older one."""

    def __init__(self, size: int, generator: torch.Generator) -> None:
        self.size = size
        self.images: list[torch.Tensor] = []
        self.generator = generator

    def query(self, batch: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return batch
        out = []
        for image in batch.detach():
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif torch.rand((), generator=self.generator) < 0.5:
                slot = int(torch.randint(len(self.images), (), generator=self.generator))
                out.append(self.images[slot])
                self.images[slot] = image
            else:
                out.append(image)
        return torch.stack(out)


def _lsgan(scores: torch.Tensor, real: bool) -> torch.Tensor:
    """Least-squares GAN loss (Mao et al. 2017), the paper's choice: mean (D − target)²."""
    return (scores - (1.0 if real else 0.0)).pow(2).mean()


@dataclass
class StepLosses:
    step: int
    g_gan: float  # both generators' adversarial losses, summed
    cycle: float  # mean |a − G_ba(G_ab(a))| + |b − G_ab(G_ba(b))| in [-1, 1] units
    identity: float
    d: float  # both discriminators' losses, summed


def train_cyclegan(
    model: CycleGAN,
    domain_a: torch.Tensor,  # (N_a, C_a, S, S) in [-1, 1]
    domain_b: torch.Tensor,  # (N_b, C_b, S, S) in [-1, 1], unrelated to domain_a
    settings: CycleSettings = CycleSettings(),
    log=print,
    log_every: int = 100,
    augment=None,  # optional (a, b, generator) → (a, b): fresh augmentation of each batch, on the CPU
) -> list[StepLosses]:
    """Train ``model`` in place on the model's device; returns the losses of every step. Raises
    ``TrainingDiverged`` when a loss is no longer finite."""
    settings = settings.validated()
    generator = torch.Generator().manual_seed(settings.seed)
    torch.manual_seed(settings.seed)
    g_params = [p for g in model.generators() for p in g.parameters()]
    d_params = [p for d in model.discriminators() for p in d.parameters()]
    opt_g = torch.optim.Adam(g_params, lr=settings.lr, betas=settings.betas)
    opt_d = torch.optim.Adam(d_params, lr=settings.lr, betas=settings.betas)
    keep = max(1, round(settings.steps * settings.decay_from))

    def rate(step: int) -> float:  # constant, then linear decay to 0 (LambdaLR multiplies lr by this)
        return 1.0 if step < keep else max(0.0, 1.0 - (step - keep) / max(1, settings.steps - keep))

    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, rate) for opt in (opt_g, opt_d)]
    pool_a, pool_b = ImagePool(settings.pool_size, generator), ImagePool(settings.pool_size, generator)
    same_channels = model.config.channels_a == model.config.channels_b
    lambda_id = settings.identity * settings.lambda_cycle if same_channels else 0.0
    averages = [copy.deepcopy(g).requires_grad_(False) for g in model.generators()] if settings.ema_decay else []
    model.train()
    history: list[StepLosses] = []
    for step in range(1, settings.steps + 1):
        a = domain_a[torch.randint(len(domain_a), (settings.batch_size,), generator=generator)]
        b = domain_b[torch.randint(len(domain_b), (settings.batch_size,), generator=generator)]
        if augment is not None:
            a, b = augment(a, b, generator)
        a, b = to_model(model, a, b)

        # Generators: fool both discriminators, come back around the cycle, leave their own domain alone.
        fake_b, fake_a = model.g_ab(a), model.g_ba(b)  # (B, C_b, S, S), (B, C_a, S, S)
        cycle_a = (model.g_ba(fake_b) - a).abs().mean()  # a → b → a
        cycle_b = (model.g_ab(fake_a) - b).abs().mean()  # b → a → b
        cycle = cycle_a + cycle_b  # logged unweighted
        identity = ((model.g_ab(b) - b).abs().mean() + (model.g_ba(a) - a).abs().mean()) if lambda_id else a.new_zeros(())
        model.d_a.requires_grad_(False)
        model.d_b.requires_grad_(False)
        g_gan = _lsgan(model.d_b(fake_b), True) + _lsgan(model.d_a(fake_a), True)
        g_loss = g_gan + settings.lambda_cycle * (cycle_a + settings.cycle_b * cycle_b) + lambda_id * identity
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        model.d_a.requires_grad_(True)
        model.d_b.requires_grad_(True)

        # Discriminators: real → 1, (a history of) fakes → 0; halved as in the paper, so D learns slower than G.
        old_b, old_a = pool_b.query(fake_b), pool_a.query(fake_a)
        d_loss = 0.5 * (_lsgan(model.d_b(b), True) + _lsgan(model.d_b(old_b), False)) + 0.5 * (
            _lsgan(model.d_a(a), True) + _lsgan(model.d_a(old_a), False))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        for schedule in schedules:
            schedule.step()
        for average, current in zip(averages, model.generators()):
            update_average(average, current, min(settings.ema_decay, (1 + step) / (10 + step)))  # short memory at first

        losses = StepLosses(step, g_gan.item(), cycle.item(), identity.item(), d_loss.item())
        if not all(math.isfinite(value) for value in (losses.g_gan, losses.cycle, losses.identity, losses.d)):
            raise TrainingDiverged(f"a CycleGAN loss became non-finite at step {step} ({losses})")
        history.append(losses)
        if step % log_every == 0 or step == settings.steps:
            recent = history[-log_every:]
            log(f"step {step}/{settings.steps}: G(GAN) {np.mean([h.g_gan for h in recent]):.3f} "
                f"cycle {np.mean([h.cycle for h in recent]):.4f} identity {np.mean([h.identity for h in recent]):.4f} "
                f"D {np.mean([h.d for h in recent]):.3f} lr {schedules[0].get_last_lr()[0]:.2e}")
    for average, current in zip(averages, model.generators()):
        current.load_state_dict(average.state_dict())
    model.eval()
    return history


# ---------------------------------------------------------------- digits in


def digit_from_sketch(sketch) -> np.ndarray:
    """A Sketchpad value → (28, 28) float32 in [0, 1], centred and scaled like MNIST."""
    return mnist_style(sketch_ink(sketch))


def digit_from_upload(image) -> np.ndarray:
    """A picture of one digit (dark on light or light on dark) → (28, 28) float32 like MNIST; a photo
    or a blank picture is refused with a message (``images.digit_from_upload``)."""
    return images.digit_from_upload(image)


def checked_digit(digit) -> np.ndarray:
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape != (28, 28):
        raise UserInputError(f"expected a 28×28 digit, got an array of shape {digit.shape}")
    if not np.isfinite(digit).all():
        raise UserInputError("the digit contains NaN or infinite values")
    if digit.max() < 0.05:
        raise UserInputError("The digit is empty: draw one first.")
    return np.clip(digit, 0.0, 1.0)


def checked_direction(direction: str) -> str:
    return checks.choice("direction", direction, DIRECTIONS)


# ---------------------------------------------------------------- translation


def to_tanh(digits: np.ndarray) -> torch.Tensor:
    """(N, 28, 28) in [0, 1] → (N, 1, 28, 28) in [-1, 1]."""
    return torch.from_numpy(np.asarray(digits, dtype=np.float32)).unsqueeze(1) * 2 - 1


def from_tanh(images: torch.Tensor) -> np.ndarray:
    """(N, 1, 28, 28) in [-1, 1] → (N, 28, 28) float32 in [0, 1] on the CPU."""
    return ((images.clamp(-1, 1) + 1) / 2)[:, 0].float().cpu().numpy()


def generators(model: CycleGAN, direction: str):
    """(there, back) networks for a direction: (G_ab, G_ba) from handwritten, (G_ba, G_ab) from typeset."""
    return (model.g_ab, model.g_ba) if checked_direction(direction) == HANDWRITTEN_TO_TYPESET else (model.g_ba, model.g_ab)


@torch.inference_mode()
def round_trip(digit: np.ndarray, direction: str, model_name: str = MODEL) -> tuple[np.ndarray, np.ndarray]:
    """One (28, 28) digit in [0, 1] → (its translation, the translation translated back), both (28, 28)."""
    digit = checked_digit(digit)
    model = registry.get(model_name)
    there, back = generators(model, direction)
    translated = there(to_model(model, to_tanh(digit[None])))  # (1, 1, 28, 28)
    return from_tanh(translated)[0], from_tanh(back(translated))[0]


@torch.inference_mode()
def translate(digit: np.ndarray, direction: str, model_name: str = MODEL) -> np.ndarray:
    """One (28, 28) digit in [0, 1] → its translation in the other domain, (28, 28) in [0, 1]."""
    digit = checked_digit(digit)
    model = registry.get(model_name)
    there, _ = generators(model, direction)
    return from_tanh(there(to_model(model, to_tanh(digit[None]))))[0]


@torch.inference_mode()
def translate_batch(model: CycleGAN, digits: np.ndarray, direction: str, batch_size: int = 500) -> np.ndarray:
    """(N, 28, 28) in [0, 1] through one generator of ``model`` (any CycleGAN, shared or not)."""
    there, _ = generators(model, direction)
    out = [from_tanh(there(to_tanh(digits[i : i + batch_size]).to(device_of(model))))
           for i in range(0, len(digits), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, 28, 28), np.float32)
