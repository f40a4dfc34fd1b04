"""Starting the app in a child process and waiting until it answers (tests, benchmarks, load runs).

The child runs ``playground.app.launch()`` exactly as ``python app.py`` does, but through
``python -c`` so it also works where only the installed package exists (a wheel has no
``app.py``). It binds 127.0.0.1 on the port given, offline, with analytics off.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

LAUNCH_CODE = "from playground.app import launch; launch()"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Block until ``url`` answers HTTP 200; fail early if ``process`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"the app did not serve {url} within {timeout} s")


def app_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of a served app: this one's, offline, on ``port``."""
    return {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_app(
    port: int,
    log: IO | int | None = subprocess.DEVNULL,
    cwd: Path | str | None = None,
    python: str = sys.executable,
    script: str | None = None,
    preexec_fn=None,
    **env: str,
) -> subprocess.Popen:
    """Start the app in a child process on 127.0.0.1:``port`` (call ``wait_for_http`` next).

    ``script`` runs a file (``"app.py"`` in a checkout, as a Space does) instead of the
    installed package's ``launch()``; ``preexec_fn`` runs in the child before that (``playground.deploy``).
    """
    argv = [python, script] if script else [python, "-c", LAUNCH_CODE]
    return subprocess.Popen(argv, cwd=cwd, env=app_env(port, **env), stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=preexec_fn)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Terminate a child app, killing it if it does not exit within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
