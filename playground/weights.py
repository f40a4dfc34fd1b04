"""Pretrained weight files and their cards.

Every weight file has a card ``pretrained/<name>.json`` beside it: where the file is,
its sha256, and its provenance (data set, licence, recipe arguments, seed, epochs, wall
time, machine, measured metrics). A file is only ever read after its sha256 matched the
card, and only with safetensors or ``torch.load(weights_only=True)``: no code path
unpickles arbitrary objects.

A card's ``file`` is either a path relative to ``pretrained/`` or, for weights that ship
inside a pip package, ``{"package": "<module>", "path": "<path inside it>"}``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from playground.errors import WeightsError


def _pretrained_dir() -> Path:
    """Where the weight files are: inside the installed package (a wheel carries the
    top-level ``pretrained/`` as ``playground/pretrained/``), else beside the package in a
    checkout (``python app.py`` on a Space, or an editable install)."""
    package = Path(__file__).resolve().parent
    installed = package / "pretrained"
    return installed if installed.is_dir() else package.parent / "pretrained"


PRETRAINED_DIR = _pretrained_dir()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def card_path(name: str) -> Path:
    return PRETRAINED_DIR / f"{name}.json"


def read_card(name: str) -> dict:
    path = card_path(name)
    if not path.exists():
        raise WeightsError(f"no card for pretrained weights {name!r} (expected {path})")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise WeightsError(f"card {path} is not valid JSON: {error}") from error


def list_cards() -> list[str]:
    return sorted(path.stem for path in PRETRAINED_DIR.glob("*.json"))


def weight_file(card: dict) -> Path:
    """The path of the weight file a card describes (in pretrained/ or in a package)."""
    location = card.get("file")
    if isinstance(location, dict):
        spec = importlib.util.find_spec(location["package"])
        if spec is None or spec.origin is None:
            raise WeightsError(
                f"weights {card.get('name')!r} ship in the pip package {location['package']!r}, "
                "which is not installed"
            )
        return Path(spec.origin).parent / location["path"]
    if not location:
        raise WeightsError(f"card {card.get('name')!r} names no weight file")
    return PRETRAINED_DIR / location


def verified_weight_file(name: str) -> Path:
    """The weight file of card ``name``, after checking that it exists and matches its sha256."""
    card = read_card(name)
    path = weight_file(card)
    if not path.exists():
        raise WeightsError(
            f"weight file for {name!r} is missing: {path}. "
            f"Regenerate it with `python -m playground.train {name}`"
        )
    actual = sha256_of(path)
    if actual != card.get("sha256"):
        raise WeightsError(
            f"weight file {path.name} for {name!r} does not match its card "
            f"(sha256 {actual[:12]}… instead of {str(card.get('sha256'))[:12]}…); "
            "refusing to load a file that may have been tampered with or corrupted"
        )
    return path


def load_state_dict(name: str) -> dict[str, torch.Tensor]:
    """Read the verified weights of card ``name`` onto the CPU, without unpickling objects."""
    path = verified_weight_file(name)
    try:
        if path.suffix == ".safetensors":
            return load_file(str(path), device="cpu")
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # corrupt file: say which one
        raise WeightsError(f"could not read weight file {path}: {error}") from error


def update_card(name: str, card: dict) -> Path:
    """Rewrite the card of weights that stay as they are (``train --remeasure``)."""
    path = card_path(name)
    path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    return path


def save_pretrained(name: str, state_dict: dict[str, torch.Tensor], card: dict) -> Path:
    """Write ``pretrained/<name>.safetensors`` and its card (sha256 filled in here)."""
    PRETRAINED_DIR.mkdir(exist_ok=True)
    path = PRETRAINED_DIR / f"{name}.safetensors"
    tensors = {key: value.detach().cpu().contiguous() for key, value in state_dict.items()}
    save_file(tensors, str(path))
    full_card = {"name": name, "file": path.name, **card, "sha256": sha256_of(path)}
    card_path(name).write_text(json.dumps(full_card, indent=2, sort_keys=False) + "\n")
    return path
