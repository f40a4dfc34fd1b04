"""One visitor's live 2-D lab: a diffusion (or flow) model and, beside it, the 2-D GAN on the same
data and seed, trained step for step, with everything the tab draws of them.

Each frame trains both for the same number of steps (a GAN step is one discriminator and one
generator update, both on batches of 256 like the diffusion model's), then measures how many of
the ring's 8 modes each one's samples cover (or, off the ring, how far they are from the data),
so the two curves over training show mode collapse against coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground import checks
from playground.diffusion import render, toy2d
from playground.gans import render2d
from playground.gans import toy2d as gan2d

LIVE_STEP_CAP = 100  # while Play runs, pictures sample with at most this many steps (a frame stays fast)


@dataclass
class View:
    """What the pictures show (the visitor can change it while training runs)."""

    t: float = 0.5  # the forward-noising and field pictures' time: 0 = data, 1 = noise
    sampler: str = "Euler"
    steps: int = 50

    def checked(self, method: str) -> "View":
        return View(checks.real("noise level t", self.t, 0.0, 1.0), toy2d.check_sampler(method, self.sampler),
                    toy2d.check_steps(self.steps))


@dataclass
class Race2D:
    diffusion: toy2d.Diffusion2D
    gan: gan2d.Toy2DGAN | None
    view: View
    marks: list[float] = field(default_factory=list)  # per frame: modes covered, or distance to the data
    gan_marks: list[float] = field(default_factory=list)
    playing: bool = False  # pictures sample with at most LIVE_STEP_CAP steps while True

    @classmethod
    def new(cls, method: str, schedule: str, distribution: str, lr: float, seed, drawn=None,
            with_gan: bool = True, view: View | None = None) -> "Race2D":
        config = toy2d.Diffusion2DConfig(method=method, schedule=schedule, distribution=distribution, lr=lr,
                                         seed=seed).validated()
        diffusion = toy2d.Diffusion2D(config, drawn=drawn)
        gan = None
        if with_gan:
            gan = gan2d.Toy2DGAN(gan2d.ToyConfig(distribution=config.distribution, seed=config.seed), drawn=drawn)
        view = view or View(sampler=toy2d.default_sampler(config.method))
        return cls(diffusion, gan, view.checked(config.method))

    @property
    def on_ring(self) -> bool:
        return self.diffusion.config.distribution == "ring of 8 Gaussians"

    def train(self, steps: int) -> None:
        """``steps`` steps of the diffusion model and as many rounds of the GAN."""
        self.diffusion.train(steps)
        if self.gan is not None:
            self.gan.train(steps)

    def _mark(self, points: np.ndarray) -> float:
        figures = toy2d.quality(self.diffusion, points)
        return figures["modes_covered"] if self.on_ring else figures["distance"]

    def sampling_steps(self) -> int:
        return min(self.view.steps, LIVE_STEP_CAP) if self.playing else self.view.steps

    # ------------------------------------------------------------ pictures

    def pictures(self, record: bool = False) -> dict[str, np.ndarray]:
        """Every picture of the current state; ``record`` (once per training frame) also adds both models'
        marks (modes covered, or distance to the data) of the pictured samples to the curves."""
        d = self.diffusion
        real = d.display_real
        final, trajectory = d.sample(self.view.sampler, self.sampling_steps())  # the 600 display points
        fake = self.gan.fake_points() if self.gan is not None else None
        if record:
            self.marks.append(self._mark(final))
            if fake is not None:
                self.gan_marks.append(self._mark(fake))
        positions, directions = d.field(self.view.t)
        pictures = {
            "samples": render.points_picture(real, final),
            "trajectories": render.trajectories_picture(real, trajectory),
            "forward": render.points_picture(real, d.forward_process(self.view.t), colour=render.NOISY_DOT),
            "field": render.field_picture(real, positions, directions),
            "progress": render.progress_chart(self.marks, self.gan_marks if self.gan is not None else None,
                                              "modes covered (of 8)" if self.on_ring else "distance to the data"),
            "losses": render.loss_chart(d.losses),
        }
        if self.gan is not None:
            pictures["gan"] = render2d.plane_image(self.gan.discriminator_map(72), self.gan.display_real, fake)
        else:
            pictures["gan"] = render.blank(360)
        return pictures

    def status(self) -> str:
        d = self.diffusion
        text = f"{d.config.method}: {d.steps} training steps"
        if d.losses:
            text += f" · loss {np.mean(d.losses[-20:]):.3f}"
        steps = self.sampling_steps()
        text += f" · pictures: {self.view.sampler}, {steps} sampling steps"
        if steps < self.view.steps:
            text += f" (capped at {LIVE_STEP_CAP} while training; Stop shows {self.view.steps})"
        if self.marks:
            unit = "/8 modes" if self.on_ring else " distance to the data"
            text += f" · diffusion {self.marks[-1]:g}{unit}"
            if self.gan_marks:
                text += f", GAN {self.gan_marks[-1]:g}{unit}"
        return text
