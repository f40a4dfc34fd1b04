"""CNN lab — not built yet (issue 9)."""

from __future__ import annotations

import gradio as gr

TITLE = "CNN lab"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 9) and lands in a coming release.")
