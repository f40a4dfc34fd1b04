"""The release as a stranger meets it: requirements.txt, the package's file list, the Space build, the wheel.

The fast tests keep the three descriptions of the project in agreement (pyproject.toml,
requirements.txt, the README's front matter). The slow one builds the app the way
Hugging Face Spaces does — a fresh virtual environment, ``pip install -r requirements.txt``
in a folder that holds only that file, then the repository copied in and ``python app.py``
— and then installs the project as a wheel into that environment and serves it from
another folder.
"""

from __future__ import annotations

import ast
import contextlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from playground.serving import free_port, start_app, stop, wait_for_http
from tests.conftest import IN_CI, ROOT, chromium_available

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements_file() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (line.split("#")[0].strip() for line in lines) if line]


def _by_name(requirements) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", req.name).lower(): str(req.specifier) for req in requirements}


def test_requirements_txt_lists_every_runtime_dependency_and_spaces():
    project = _by_name(Requirement(text) for text in PYPROJECT["project"]["dependencies"])
    spaces = _by_name(Requirement(text) for text in PYPROJECT["project"]["optional-dependencies"]["spaces"])
    listed = _by_name(_requirements_file())
    assert listed == {**project, **spaces}


def test_requirements_txt_installs_without_the_repository():
    # Spaces runs pip with only this file present: a path or an extra of "." cannot install.
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        entry = line.split("#")[0].strip()
        assert not entry.startswith((".", "-e", "/", "file:")), entry


def test_every_package_is_in_the_wheel_list():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "playground").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert listed == on_disk | {"playground.pretrained"}
    assert PYPROJECT["tool"]["setuptools"]["package-dir"]["playground.pretrained"] == "pretrained"


def test_nothing_in_the_package_imports_the_tests():
    for path in (ROOT / "playground").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name == "tests" or name.startswith("tests.") for name in names), path


def _front_matter() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("---", 2)[1]
    return dict(line.split(":", 1) for line in block.strip().splitlines())


def test_space_front_matter_names_the_tested_gradio_and_python():
    import gradio

    matter = {key.strip(): value.strip().strip('"') for key, value in _front_matter().items()}
    assert matter["sdk"] == "gradio" and matter["app_file"] == "app.py"
    assert matter["sdk_version"] == gradio.__version__
    assert matter["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}"


# ---------------------------------------------------------------- the Space build, for real

_IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", "*.egg-info", "build", "dist",
                                  ".pytest_cache", ".gradio", "screenshots", "*.pyi")


def _run(command: list[str], log: Path, **kwargs) -> None:
    with open(log, "a") as handle:
        handle.write(f"\n$ {' '.join(command)}\n")
        handle.flush()
        result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}:\n{log.read_text()[-4000:]}")


def _serve(python: Path, cwd: Path, log: Path, script: str | None = None, **env: str) -> tuple[str, subprocess.Popen]:
    port = free_port()
    handle = open(log, "a")
    env.setdefault("PYTHONPATH", "")  # nothing from this test run's checkout leaks in
    process = start_app(port, log=handle, cwd=cwd, python=str(python), script=script, **env)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, timeout=180)
    except Exception:
        stop(process)
        pytest.fail(f"the app did not start:\n{log.read_text()[-4000:]}")
    return url, process


@pytest.mark.slow
def test_a_space_builds_as_spaces_builds_it_and_the_wheel_serves_every_model(tmp_path, browser_or_none):
    from tests.browser.smoke import smoke_test_page

    log = tmp_path / "build.log"
    build = tmp_path / "space"
    build.mkdir()
    shutil.copy(ROOT / "requirements.txt", build / "requirements.txt")  # only this file, as Spaces mounts it
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], log)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-r", "requirements.txt"], log, cwd=build, timeout=1800)

    # Then the repository is copied in and `python app.py` runs from its root, not installed.
    shutil.copytree(ROOT, build, ignore=_IGNORED, dirs_exist_ok=True)
    url, process = _serve(python, build, log, script="app.py")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"Deep Learning Playground" in response.read()
        if browser_or_none is not None:
            smoke_test_page(browser_or_none, url)
    finally:
        stop(process)

    # ZeroGPU: SPACES_ZERO_GPU=true with the spaces package installed still builds and serves. On
    # a ZeroGPU Space the platform also runs a device API that `spaces` reports to at launch; a
    # loopback stand-in answers that report here (it schedules no GPU: none is asked for).
    with _zero_gpu_device_api() as device_api:
        url, process = _serve(python, build, log, script="app.py", SPACES_ZERO_GPU="true",
                              SPACES_ZERO_DEVICE_API_URL=device_api)
        stop(process)

    # A wheel: `pip install .` into that environment, then served from another folder.
    _run([str(python), "-m", "pip", "install", str(build)], log, timeout=1800)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    check = (
        "import playground.catalog\n"  # every model registers itself
        "from playground import registry, weights\n"
        "assert 'site-packages' in str(weights.PRETRAINED_DIR), weights.PRETRAINED_DIR\n"
        "names = [n for n in registry.list_models() if registry.spec(n).weights]\n"
        "for name in names: registry.get(name)\n"
        "print('loaded', len(names))\n"
    )
    _run([str(python), "-c", check], log, cwd=elsewhere, env={**os.environ, "PYTHONPATH": "", "HF_HUB_OFFLINE": "1"})
    assert re.search(r"loaded (\d+)", log.read_text()) and int(re.findall(r"loaded (\d+)", log.read_text())[-1]) >= 13
    url, process = _serve(python, elsewhere, log)
    stop(process)


@contextlib.contextmanager
def _zero_gpu_device_api():
    """A loopback HTTP server that accepts the `spaces` package's start-up report."""
    reports = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            reports.append(self.path)
            self.send_response(200 if self.path == "/startup-report" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
    assert reports == ["/startup-report"], reports  # the app did launch through spaces' ZeroGPU path


@pytest.fixture
def browser_or_none(request):
    """The headless browser when Chromium is here (always in CI), else None."""
    if chromium_available() or IN_CI:
        return request.getfixturevalue("browser")
    return None
