"""Autoencoders — not built yet (issue 6)."""

from __future__ import annotations

import gradio as gr

TITLE = "Autoencoders"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 6) and lands in a coming release.")
