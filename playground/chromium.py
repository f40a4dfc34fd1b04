"""The system's Chromium, as the browser tests, the tour and the measuring commands launch it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")  # Debian's, which README (b) installs


def executable() -> str | None:
    """The Chromium to launch: ``PLAYGROUND_CHROMIUM`` or Debian's, else one on the PATH (None: Playwright's own)."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def launch(playwright, *switches: str):
    """A headless Chromium, started with these command-line switches."""
    return playwright.chromium.launch(executable_path=executable(), headless=True, args=list(switches))
