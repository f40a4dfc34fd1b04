"""The model registry, device choice and weight cards."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch
from torch import nn

from playground import device, registry, weights
from playground.errors import WeightsError

ROOT = Path(__file__).resolve().parent.parent


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 2)

    def forward(self, x):
        return self.linear(x)


@pytest.fixture
def tiny_name():
    name = "test_tiny_model"
    registry.unregister(name)
    yield name
    registry.unregister(name)


def test_duplicate_registration_is_an_error(tiny_name):
    registry.register(tiny_name, Tiny)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(tiny_name, Tiny)


def test_the_registry_imports_nothing_above_it():
    """Arrows point down: the registry knows the device, the weight files and the fast engine, never
    the catalog, the nets, the tabs or the recipes that use it (imports inside functions count too)."""
    tree = ast.parse((ROOT / "playground" / "registry.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {f"playground.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module == "playground" for alias in node.names}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    ours = {name for name in imported if name.startswith("playground.")}
    assert ours <= {"playground.device", "playground.inference", "playground.weights"}, ours


def test_models_register_themselves_when_the_catalog_is_imported():
    code = (
        "import sys\n"
        "from playground import registry\n"
        "assert not [m for m in sys.modules if m.startswith(('playground.catalog', 'playground.tabs'))]\n"
        "assert registry.list_models() == []\n"
        "try:\n"
        "    registry.get('mnist_cnn')\n"
        "except KeyError as error:\n"
        "    assert 'import playground.catalog' in str(error), error\n"
        "import playground.catalog\n"
        "assert {'efficientnet_lite0_imagenet', 'mnist_cnn'} <= set(registry.list_models())\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError) as info:
        registry.get("no_such_model")
    message = str(info.value)
    assert "unknown model 'no_such_model'" in message
    assert "efficientnet_lite0_imagenet" in message


def test_list_models_filters_by_pattern_and_meta(tiny_name):
    registry.register(tiny_name, Tiny, meta={"task": "testing"})
    assert tiny_name in registry.list_models("test_*")
    assert registry.list_models(task="testing") == [tiny_name]
    assert "efficientnet_lite0_imagenet" in registry.list_models(task="imagenet-classifier")


def test_get_is_shared_frozen_and_loaded_once_under_concurrency(tiny_name):
    builds = []
    lock = threading.Lock()

    def counting_builder():
        with lock:
            builds.append(1)
        return Tiny()

    registry.register(tiny_name, counting_builder)
    assert not registry.is_loaded(tiny_name)  # lazy: nothing built at registration
    results = []
    threads = [threading.Thread(target=lambda: results.append(registry.get(tiny_name))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert all(model is results[0] for model in results)
    model = results[0]
    assert not model.training
    assert not any(parameter.requires_grad for parameter in model.parameters())
    assert next(model.parameters()).device.type == device.get_device().type


def test_a_model_first_asked_for_inside_inference_mode_still_takes_gradients(tiny_name):
    """The first caller of a shared model may run under torch.inference_mode (most tabs do);
    a later caller that optimises its input through the frozen model (Gatys) must still
    get gradients, which weights made in inference mode would refuse."""
    registry.register(tiny_name, Tiny)
    with torch.inference_mode():
        registry.get(tiny_name)(torch.ones(1, 3))
    model = registry.get(tiny_name)
    assert not any(parameter.is_inference() for parameter in model.parameters())
    x = torch.ones(1, 3, requires_grad=True)
    model(x).sum().backward()
    assert torch.allclose(x.grad, model.linear.weight.sum(0))  # d(sum(Wx + b))/dx = column sums of W


def test_create_gives_independent_trainable_copies():
    shared = registry.get("efficientnet_lite0_imagenet")
    mine = registry.create("efficientnet_lite0_imagenet")
    theirs = registry.create("efficientnet_lite0_imagenet")
    assert mine.training and all(p.requires_grad for p in mine.parameters())
    # Same pretrained weights as the shared model …
    assert torch.equal(mine._fc.weight, shared._fc.weight.cpu())
    # … but changing one session's copy touches neither the shared model nor another session's.
    with torch.no_grad():
        mine._fc.weight.add_(1.0)
    assert not torch.equal(mine._fc.weight, shared._fc.weight.cpu())
    assert torch.equal(theirs._fc.weight, shared._fc.weight.cpu())
    # Session copies live on the session device (the CPU), wherever the shared one is.
    assert device.device_of(mine) == device.session_device() == torch.device("cpu")


def test_create_without_pretrained_weights_is_random():
    fresh = registry.create("efficientnet_lite0_imagenet", pretrained=False)
    shared = registry.get("efficientnet_lite0_imagenet")
    assert not torch.equal(fresh._fc.weight.cpu(), shared._fc.weight.cpu())


@pytest.mark.parametrize(
    "override, expected", [("cpu", "cpu"), ("CPU", "cpu"), (" cpu ", "cpu")]
)
def test_device_override(monkeypatch, override, expected):
    monkeypatch.setenv("PLAYGROUND_DEVICE", override)
    assert device._pick_device().type == expected


def test_device_override_rejects_unknown_and_unavailable(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DEVICE", "tpu")
    with pytest.raises(ValueError, match="choose one of"):
        device._pick_device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("PLAYGROUND_DEVICE", "cuda")
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            device._pick_device()


def test_default_device_order(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_DEVICE", raising=False)
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    expected = "cuda" if torch.cuda.is_available() else ("mps" if device._mps_available() else "cpu")
    assert device._pick_device().type == expected


def test_cpu_threads(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_THREADS", raising=False)
    monkeypatch.setattr(device, "usable_cores", lambda: 2)  # the cores this process may use (its affinity)
    assert device.cpu_threads() == 1
    monkeypatch.setattr(device, "usable_cores", lambda: 16)
    assert device.cpu_threads() == 8
    monkeypatch.setenv("PLAYGROUND_THREADS", "3")
    assert device.cpu_threads() == 3


def test_gpu_decorator_is_the_identity_off_zero_gpu(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)

    def work(x):
        return x + 1

    assert device.gpu(work) is work
    assert device.gpu(duration=10)(work) is work


# ------------------------------------------------------------------ weight files and cards


@pytest.fixture
def pretrained_copy(tmp_path, monkeypatch):
    """A private copy of pretrained/ to tamper with."""
    copy = tmp_path / "pretrained"
    shutil.copytree(weights.PRETRAINED_DIR, copy)
    monkeypatch.setattr(weights, "PRETRAINED_DIR", copy)
    return copy


def _tiny_card(folder: Path, name: str) -> Path:
    weights.save_pretrained(name, Tiny().state_dict(), {"dataset": "none", "metrics": {}})
    return folder / f"{name}.safetensors"


def test_saved_weights_round_trip_and_match_their_card(pretrained_copy):
    path = _tiny_card(pretrained_copy, "tiny")
    card = weights.read_card("tiny")
    assert card["sha256"] == weights.sha256_of(path)
    state = weights.load_state_dict("tiny")
    Tiny().load_state_dict(state, strict=True)


def test_tampered_file_is_refused(pretrained_copy):
    path = _tiny_card(pretrained_copy, "tiny")
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # flip one byte of a weight
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="does not match its card"):
        weights.load_state_dict("tiny")


def test_missing_file_and_missing_card_are_clear_errors(pretrained_copy):
    path = _tiny_card(pretrained_copy, "tiny")
    path.unlink()
    with pytest.raises(WeightsError, match="missing.*python -m playground.train tiny"):
        weights.load_state_dict("tiny")
    with pytest.raises(WeightsError, match="no card"):
        weights.load_state_dict("nothing_here")


def test_corrupt_file_matching_its_card_is_a_clear_error(pretrained_copy):
    path = pretrained_copy / "broken.safetensors"
    path.write_bytes(b"this is not a safetensors file")
    card = {"name": "broken", "file": path.name, "sha256": weights.sha256_of(path)}
    (pretrained_copy / "broken.json").write_text(json.dumps(card))
    with pytest.raises(WeightsError, match="could not read"):
        weights.load_state_dict("broken")


def test_registry_refuses_a_tampered_model(pretrained_copy, tiny_name):
    path = _tiny_card(pretrained_copy, "tiny")
    path.write_bytes(path.read_bytes()[:-4] + b"\0\0\0\0")
    registry.register(tiny_name, Tiny, weights="tiny")
    with pytest.raises(WeightsError, match="does not match its card"):
        registry.get(tiny_name)


# ------------------------------------------------------------------ every shipped model


def _models_with_weights():
    return [name for name in registry.list_models() if registry.spec(name).weights]


@pytest.mark.parametrize("name", _models_with_weights())
def test_every_shipped_model_loads_strictly_and_matches_its_card(name):
    spec = registry.spec(name)
    card = weights.read_card(spec.weights)
    assert card["sha256"] == weights.sha256_of(weights.weight_file(card))
    for field in ("dataset", "data_licence", "metrics"):
        assert field in card, f"card {spec.weights} lacks {field!r}"
    model = spec.builder()
    model.load_state_dict(weights.load_state_dict(spec.weights), strict=True)


def test_every_card_in_pretrained_belongs_to_a_file():
    for name in weights.list_cards():
        card = weights.read_card(name)
        assert weights.weight_file(card).exists(), f"{name}: weight file missing"
        assert card["sha256"] == weights.sha256_of(weights.weight_file(card)), f"{name}: sha256 mismatch"


def test_no_code_path_unpickles_arbitrary_objects():
    offenders = []
    for path in (ROOT / "playground").rglob("*.py"):
        text = path.read_text()
        for match in re.finditer(r"torch\.load\(([^)]*)\)", text):
            if "weights_only=True" not in match.group(1):
                offenders.append(f"{path}: {match.group(0)}")
        if re.search(r"^\s*(import pickle|from pickle|import dill|import joblib)", text, re.M):
            offenders.append(f"{path}: imports a pickle library")
        if "pickle.load" in text or "np.load(" in text and "allow_pickle=True" in text:
            offenders.append(f"{path}: unpickles")
    assert not offenders, offenders
