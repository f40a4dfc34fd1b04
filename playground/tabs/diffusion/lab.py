"""Diffusion › 2-D diffusion: DDPM and flow matching trained live on 2-D points beside a GAN."""

from __future__ import annotations

from playground.tabs.diffusion import build_lab
from playground.ui import explainer

TITLE = "2-D diffusion"


def build() -> None:
    explainer(
        "**Generate by removing noise.** A diffusion model learns to undo a gradual noising of the data; a flow "
        "model learns a velocity that carries noise to data along straight lines. Sampling starts from pure noise "
        "and takes small steps. Train both kinds live on 2-D points beside a GAN, see the noising, the learned "
        "field and the sample paths, and try how few steps are enough; then make digits with a model trained by "
        "this project, with classifier-free guidance (the trick behind Stable Diffusion's prompt strength)."
    )
    build_lab()
