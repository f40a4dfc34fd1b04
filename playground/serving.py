"""Small helpers for starting and reaching a local app server (tests and the load command).

``free_port()`` finds a free TCP port on loopback; ``wait_for_http(url, process)`` waits
until a just-started server answers 200, failing early if the process has exited.
Servers started through these helpers bind 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
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
