"""Diffusion › Digits: the shipped class-conditional digit model (flow matching with classifier-free guidance)."""

from __future__ import annotations

from playground.tabs.diffusion import build_digits

TITLE = "Digits"


def build() -> None:
    build_digits()
