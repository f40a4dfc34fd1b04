"""GANs — not built yet (issue 8)."""

from __future__ import annotations

import gradio as gr

TITLE = "GANs"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 8) and lands in a coming release.")
