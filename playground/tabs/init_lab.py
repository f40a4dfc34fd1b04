"""Weight init & batch norm — not built yet (issue 4)."""

from __future__ import annotations

import gradio as gr

TITLE = "Weight init & batch norm"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 4) and lands in a coming release.")
