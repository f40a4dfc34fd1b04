"""Time series: a recurrent net learns to predict the next value, then runs on its own.

The series is split in time: the first 80 % trains, the last 20 % is never seen in
training. The net reads one (normalised) value per step and predicts the next one.
- one-step prediction: at every test step the net has read the *true* history;
- free-running: after the training part it is fed its *own* predictions, so errors
  compound — the honest test of whether it learnt the dynamics or only to copy.
A persistence baseline (tomorrow = today) is reported beside both, so the numbers mean something.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from playground import checks
from playground.errors import TrainingDiverged, UserInputError
from playground.nets.sequence import RecurrentNet

SERIES = ("noisy sine", "sunspots (yearly, 1700–2008)", "CO₂ at Mauna Loa (monthly, 1958–2001)")
TRAIN_SHARE = 0.8
WINDOW = 48  # training windows: random slices of this many steps


@dataclass(frozen=True)
class Series:
    name: str
    time: np.ndarray  # (N,) e.g. years
    values: np.ndarray  # (N,) in the series' own units
    unit: str
    # Model the month-to-month change instead of the level: a trending series (CO₂) leaves
    # the range it was trained on, but its changes stay in range.
    difference: bool = False


def noisy_sine(points: int = 400, period: float = 25.0, noise: float = 0.1, seed: int = 0) -> Series:
    rng = np.random.default_rng(seed)
    t = np.arange(points, dtype=np.float64)
    values = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(points)
    return Series("noisy sine", t, values, "")


@lru_cache(maxsize=1)
def _sunspots() -> Series:
    import statsmodels.api as sm  # bundled data: no network

    frame = sm.datasets.sunspots.load_pandas().data
    return Series(SERIES[1], frame["YEAR"].to_numpy(float), frame["SUNACTIVITY"].to_numpy(float), "sunspot number")


@lru_cache(maxsize=1)
def _co2() -> Series:
    import statsmodels.api as sm

    weekly = sm.datasets.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()  # 59 missing weeks filled in between
    years = monthly.index.year + (monthly.index.month - 1) / 12
    return Series(SERIES[2], np.asarray(years, float), monthly.to_numpy(float), "ppm", difference=True)


def load_series(name: str, noise: float = 0.1, seed: int = 0) -> Series:
    if name == SERIES[0]:
        return noisy_sine(noise=checks.real("the sine's noise", noise, 0, 2), seed=checks.seed(seed))
    if name == SERIES[1]:
        return _sunspots()
    if name == SERIES[2]:
        return _co2()
    raise UserInputError(f"unknown series {name!r}; choose one of: {', '.join(SERIES)}.")


@dataclass
class ForecastSettings:
    series: str = SERIES[0]
    cell: str = "gru"  # "gru" | "lstm" | "elman"
    hidden: int = 32
    learning_rate: float = 0.01
    noise: float = 0.1  # the sine's noise
    seed: int = 0

    def validated(self) -> "ForecastSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        return replace(
            self,
            series=checks.choice("series", self.series, SERIES),
            cell=checks.choice("cell", self.cell, ("gru", "lstm", "elman")),
            hidden=checks.integer("hidden size", self.hidden, 1, 256),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=1.0),
            noise=checks.real("the sine's noise", self.noise, 0, 2),
            seed=checks.seed(self.seed),
        )


@dataclass
class Forecast:
    time: np.ndarray
    truth: np.ndarray  # (N,) own units
    split: int  # index of the first test step
    one_step: np.ndarray  # (N - split,) predictions from the true history
    free_running: np.ndarray  # (N - split,) predictions from its own outputs
    rmse_one_step: float
    rmse_free_running: float
    rmse_persistence: float  # "next = last seen" on the test part
    losses: list[float] = field(default_factory=list)


class Forecaster:
    """A recurrent net trained on the first 80 % of one series, measured on the rest."""

    def __init__(self, settings: ForecastSettings):
        settings = self.settings = settings.validated()
        self.series = load_series(settings.series, settings.noise, settings.seed)
        values = self.series.values
        self.split = int(len(values) * TRAIN_SHARE)  # first test step, in the series' own steps
        # the modelled signal: the values, or their changes (one step shorter)
        self.offset = 1 if self.series.difference else 0
        signal = np.diff(values) if self.series.difference else values
        self.signal_split = self.split - self.offset
        # normalise with training statistics only: the test part stays unseen
        self.mean = float(signal[: self.signal_split].mean())
        self.scale = float(signal[: self.signal_split].std()) or 1.0
        self.normalised = torch.tensor((signal - self.mean) / self.scale, dtype=torch.float32)  # (N - offset,)
        torch.manual_seed(settings.seed)
        self.model = RecurrentNet(settings.cell, 1, 1, hidden=int(settings.hidden))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=settings.learning_rate)
        self.generator = torch.Generator().manual_seed(settings.seed + 1)
        self.losses: list[float] = []

    def train(self, steps: int, batch_size: int = 32) -> float:
        """``steps`` Adam steps on random training windows; returns the mean loss (normalised units²)."""
        train = self.normalised[: self.signal_split]
        window = min(WINDOW, self.signal_split - 1)
        self.model.train()
        losses = []
        for _ in range(steps):
            starts = torch.randint(0, self.signal_split - window, (batch_size,), generator=self.generator)
            slices = torch.stack([train[s : s + window + 1] for s in starts.tolist()])  # (B, W+1)
            inputs, targets = slices[:, :-1, None], slices[:, 1:, None]  # (B, W, 1) each
            loss = nn.functional.mse_loss(self.model(inputs), targets)
            if not math.isfinite(loss.item()):
                raise TrainingDiverged(f"the loss became {loss.item()}: try a smaller learning rate")
            self.optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.optimizer.step()
            losses.append(loss.item())
        self.losses.append(float(np.mean(losses)))
        return self.losses[-1]

    def forecast(self) -> Forecast:
        self.model.eval()
        series = self.normalised
        with torch.no_grad():
            # one step ahead: the prediction made after reading step t is for step t + 1
            one_step = self.model(series[None, :-1, None])[0, :, 0]  # (N-1,)
            one_step = one_step[self.signal_split - 1 :].numpy()  # predictions of the test signal
            free = self._free_run(len(series) - self.signal_split)
        truth = self.series.values
        one_step_units = one_step * self.scale + self.mean
        free_units = free * self.scale + self.mean
        if self.series.difference:  # changes back to levels
            one_step_units = truth[self.split - 1 : -1] + one_step_units  # true level + predicted change
            free_units = truth[self.split - 1] + np.cumsum(free_units)  # its own levels from the last known one
        test = truth[self.split :]
        persistence = truth[self.split - 1 : -1]
        return Forecast(
            time=self.series.time,
            truth=truth,
            split=self.split,
            one_step=one_step_units,
            free_running=free_units,
            rmse_one_step=_rmse(one_step_units, test),
            rmse_free_running=_rmse(free_units, test),
            rmse_persistence=_rmse(persistence, test),
            losses=list(self.losses),
        )

    def _free_run(self, horizon: int) -> np.ndarray:
        """Read the training part, then feed each prediction back in as the next input."""
        rnn = self.model.rnn
        output, state = rnn(self.normalised[None, : self.signal_split, None])  # warm up on the true history
        value = self.model.head(output[:, -1])  # (1, 1): prediction of the first test step
        predictions = []
        for _ in range(horizon):
            predictions.append(value.item())
            output, state = rnn(value[:, None, :], state)  # (1, 1, H)
            value = self.model.head(output[:, -1])
        return np.array(predictions)


def _rmse(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(predicted) - np.asarray(truth)) ** 2)))
