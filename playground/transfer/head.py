"""The new classifier on top of the pretrained backbone, trained live on cached features.

With 0 unfrozen blocks this is the seed notes' recipe: the pretrained network is a fixed
feature extractor and only a new last layer (the "head") learns. With k > 0 the last k
MBConv blocks and the 1 × 1 head convolution learn too (fine-tuning), in a copy of the
backbone that belongs to this visitor (``registry.create``); everything before the cut
stays frozen and comes from the shared model's cached output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground import checks, registry
from playground.device import session_model, to_model
from playground.errors import TrainingDiverged, UserInputError
from playground.images import load_image
from playground.training_loop import (
    BestCheckpoint,
    fit,
    make_optimizer,
    seed_everything,
    tensor_batches,
)
from playground.transfer import features
from playground.transfer.workspace import StoredImage, Workspace, check_trainable
from playground.backbone_preprocessing import BACKBONE, backbone_input

EMBEDDING = 1280  # Lite0's pooled feature size
MLP_HIDDEN = 128
HEAD_KINDS = ("linear", "mlp")
BACKBONE_LR_FACTOR = 0.1  # unfrozen pretrained blocks learn 10× slower than the new head


def make_head(kind: str, num_classes: int) -> nn.Sequential:
    """linear: Linear(1280, C). mlp: Linear(1280, 128) → ReLU → Dropout(0.2) → Linear(128, C)."""
    if kind == "linear":
        return nn.Sequential(nn.Linear(EMBEDDING, num_classes))
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(EMBEDDING, MLP_HIDDEN), nn.ReLU(), nn.Dropout(0.2), nn.Linear(MLP_HIDDEN, num_classes)
        )
    raise UserInputError(f"unknown head {kind!r}; choose one of {list(HEAD_KINDS)}")


@dataclass
class TrainSettings:
    unfrozen_blocks: int = 0  # 0 = retrain only the last layer; 1..4 = fine-tune the last blocks too
    augment: bool = False  # train on flipped / cropped / colour-jittered copies as well
    augment_views: int = 3  # augmented copies per training image (each cached like the original)
    head: str = "linear"  # "linear" or "mlp"
    epochs: int = 30
    learning_rate: float = 3e-3  # Adam
    seed: int = 0
    holdout: float = 0.25  # fraction of each class kept out of training (at least one image)
    batch_size: int = 32
    weight_decay: float = 1e-4

    def validated(self) -> "TrainSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        return replace(
            self,
            unfrozen_blocks=checks.integer("unfrozen blocks", self.unfrozen_blocks, 0, features.MAX_UNFROZEN_BLOCKS),
            augment=bool(self.augment),
            augment_views=checks.integer("augmented copies", self.augment_views, 0, 16),
            head=checks.choice("head", self.head, HEAD_KINDS),
            epochs=checks.integer("epochs", self.epochs, 1, 500),
            learning_rate=checks.learning_rate(self.learning_rate, minimum=1e-6, maximum=1.0),
            seed=checks.seed(self.seed),
            holdout=checks.real("the held-out fraction", self.holdout, 0.05, 0.5),
            batch_size=checks.integer("batch size", self.batch_size, 1, 4096),
            weight_decay=checks.real("weight decay", self.weight_decay, 0, 1),
        )


class TransferClassifier(nn.Module):
    """Cached frozen output → (unfrozen blocks → head conv → pool, when k > 0) → head → logits."""

    def __init__(self, num_classes: int, head_kind: str = "linear", unfrozen_blocks: int = 0):
        super().__init__()
        self.unfrozen_blocks = unfrozen_blocks
        self.head_kind = head_kind
        self.backbone = None
        if unfrozen_blocks:
            # This visitor's own copy; only the last k blocks and the head conv will learn.
            self.backbone = registry.create(BACKBONE).requires_grad_(False)
            for module in self.tail_modules():
                module.requires_grad_(True)
        self.head = make_head(head_kind, num_classes)

    @property
    def first_unfrozen(self) -> int:
        return features.NUM_BLOCKS - self.unfrozen_blocks

    def tail_modules(self) -> list[nn.Module]:
        return list(self.backbone.trainable_tail(self.first_unfrozen).values())

    def tail_prefixes(self) -> tuple[str, ...]:
        """state_dict prefixes of what fine-tuning changes (for export)."""
        if not self.unfrozen_blocks:
            return ()
        return tuple(f"backbone.{name}." for name in self.backbone.trainable_tail(self.first_unfrozen))

    def train(self, mode: bool = True):
        super().train(mode)
        if self.backbone is not None:
            # BatchNorm keeps its ImageNet statistics: a few dozen images would only blur them.
            self.backbone.eval()
        return self

    def embed(self, cut_output: torch.Tensor) -> torch.Tensor:
        """(B, 1280) from the cached frozen output: (B, 1280) itself, or (B, C, 7, 7) through the tail."""
        if not self.unfrozen_blocks:
            return cut_output
        return self.head_map(cut_output).mean(dim=(2, 3))

    def head_map(self, cut_output: torch.Tensor) -> torch.Tensor:
        """The fine-tuned blocks and head convolution: (B, C, 7, 7) cut output → (B, 1280, 7, 7)."""
        return self.backbone.head_map(self.backbone.forward_from(cut_output, self.first_unfrozen))

    def classify_map(self, head_map: torch.Tensor) -> torch.Tensor:
        """Pool → head: (B, 1280, h, w) → (B, num_classes) logits (what Grad-CAM differentiates)."""
        return self.head(head_map.mean(dim=(2, 3)))

    def forward(self, cut_output: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(cut_output))  # (B, num_classes)

    def parameter_groups(self, lr: float) -> list[dict]:
        groups = [{"params": list(self.head.parameters()), "lr": lr}]
        if self.unfrozen_blocks:
            tail = [p for module in self.tail_modules() for p in module.parameters()]
            groups.append({"params": tail, "lr": lr * BACKBONE_LR_FACTOR})
        return groups


@dataclass
class Evaluation:
    accuracy: float  # on the held-out images
    per_class: dict[str, float]  # class name -> held-out accuracy
    confusion: np.ndarray  # (C, C) counts: rows = true class, columns = predicted
    count: int  # held-out images


@dataclass
class TrainedClassifier:
    model: TransferClassifier
    class_names: list[str]
    settings: TrainSettings
    evaluation: Evaluation | None = None
    best_epoch: int | None = None

    @property
    def cut(self) -> str:
        return features.cut_for(self.settings.unfrozen_blocks)


@dataclass
class TrainUpdate:
    phase: str  # "features", "training" or "done"
    message: str
    history: dict[str, list[float]] = field(default_factory=dict)  # per-epoch curves
    trained: TrainedClassifier | None = None  # set when phase == "done"


def split_holdout(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: each class keeps round(fraction × n) images out (at least 1, at most n − 1)."""
    rng = np.random.default_rng(seed)
    train, held_out = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_out = min(max(1, round(fraction * len(members))), len(members) - 1)
        held_out.extend(members[:n_out])
        train.extend(members[n_out:])
    return np.sort(np.array(train)), np.sort(np.array(held_out))


def evaluate(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor, class_names: list[str]) -> Evaluation:
    model.eval()
    with torch.no_grad():
        predicted = model(to_model(model, inputs)).argmax(dim=1).cpu().numpy()
    truth = labels.cpu().numpy()
    num = len(class_names)
    confusion = np.zeros((num, num), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {
        name: float(confusion[i, i] / confusion[i].sum()) if confusion[i].sum() else float("nan")
        for i, name in enumerate(class_names)
    }
    return Evaluation(float((predicted == truth).mean()), per_class, confusion, len(truth))


def _accuracy(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    inputs, labels = to_model(model, inputs, labels)
    with torch.no_grad():
        return float((model(inputs).argmax(dim=1) == labels).float().mean())


def _training_starts(done: int, todo: int, seconds: float) -> str:
    """When training should start, at the pace the features came so far (a class sharing the CPU included)."""
    if done >= todo or done < 2 or seconds <= 0:
        return ""
    left = (todo - done) * seconds / done
    return f"; training starts in about {max(1, round(left))} s at this pace"


def train_classifier(workspace: Workspace, settings: TrainSettings) -> Iterator[TrainUpdate]:
    """Extract missing features, then train a new head; yields progress, ends with "done".

    The held-out images are never trained on; the checkpoint with the lowest held-out
    loss is kept (the seed notes' train / validate / save-best loop).
    """
    check_trainable(workspace)
    settings = settings.validated()
    class_names = list(workspace.class_names)
    items: list[StoredImage] = []
    labels: list[int] = []
    for index, name in enumerate(class_names):
        items.extend(workspace.images[name])
        labels.extend([index] * len(workspace.images[name]))
    labels_np = np.array(labels)
    train_idx, test_idx = split_holdout(labels_np, settings.holdout, int(settings.seed))
    train_items = [items[i] for i in train_idx]
    test_items = [items[i] for i in test_idx]
    cut = features.cut_for(int(settings.unfrozen_blocks))
    train_views = [0] + (list(range(1, int(settings.augment_views) + 1)) if settings.augment else [])

    # 1. Features (only what this session has not computed before).
    begin = time.perf_counter()
    cache = workspace.feature_cache
    todo = features.missing_count(train_items, cut, train_views, cache) + features.missing_count(
        test_items, cut, [0], cache
    )
    done = 0
    for part_items, views in ((train_items, train_views), (test_items, [0])):
        for _ in features.fill_cache(part_items, cut, views, cache):
            done += 1
            yield TrainUpdate("features", f"Extracting features: {done}/{todo} new image views"
                              + _training_starts(done, todo, time.perf_counter() - begin))
    x_train = features.gather(train_items, cut, train_views, cache)  # (N·V, …) item-major
    y_train = torch.tensor(labels_np[train_idx]).repeat_interleave(len(train_views))
    x_test = features.gather(test_items, cut, [0], cache)
    y_test = torch.tensor(labels_np[test_idx])

    # 2. The head (and the unfrozen blocks), trained on the cached features.
    seed_everything(int(settings.seed))
    model = session_model(TransferClassifier(len(class_names), settings.head, int(settings.unfrozen_blocks)))
    optimizer = make_optimizer(
        "adam", model.parameter_groups(settings.learning_rate), settings.learning_rate,
        weight_decay=settings.weight_decay,
    )
    checkpoint = BestCheckpoint()
    history: dict[str, list[float]] = {"train_loss": [], "heldout_loss": [], "train_accuracy": [], "heldout_accuracy": []}
    batches = tensor_batches(x_train, y_train, int(settings.batch_size), shuffle=True, seed=int(settings.seed))
    heldout = tensor_batches(x_test, y_test, 256, shuffle=False)
    start = time.perf_counter()
    features_s = start - begin
    finished = False
    try:
        for progress in fit(
            model, F.cross_entropy, optimizer, batches, heldout, int(settings.epochs), checkpoint=checkpoint
        ):
            history["train_loss"].append(progress.train_loss)
            history["heldout_loss"].append(progress.valid_loss)
            history["train_accuracy"].append(_accuracy(model, x_train, y_train))
            history["heldout_accuracy"].append(_accuracy(model, x_test, y_test))
            yield TrainUpdate(
                "training",
                f"Epoch {progress.epoch}/{settings.epochs}: train loss {progress.train_loss:.3f}, "
                f"held-out loss {progress.valid_loss:.3f}, held-out accuracy {history['heldout_accuracy'][-1]:.0%}",
                history={key: list(values) for key, values in history.items()},
            )
        finished = True
    finally:
        # Also when the visitor presses Stop (the generator is closed): keep the best epoch so far.
        trained = _keep_best(workspace, model, checkpoint, class_names, settings, x_test, y_test)
    if not finished:
        return
    if trained is None:
        raise TrainingDiverged("the held-out loss was never a finite number: try a smaller learning rate")
    evaluation = trained.evaluation
    yield TrainUpdate(
        "done",
        f"Done in {time.perf_counter() - begin:.1f} s ({todo} new feature views in {features_s:.1f} s, "
        f"training {time.perf_counter() - start:.1f} s). Kept epoch {trained.best_epoch} (lowest held-out loss): "
        f"held-out accuracy {evaluation.accuracy:.0%} on {evaluation.count} images never trained on.",
        history=history,
        trained=trained,
    )


def _keep_best(workspace, model, checkpoint, class_names, settings, x_test, y_test) -> TrainedClassifier | None:
    """Load the best checkpoint, measure it on the held-out images, make it the session's classifier."""
    if checkpoint.state_dict is None:
        return None  # stopped before the first epoch ended: the previous classifier stays
    model.load_state_dict(checkpoint.state_dict)
    model.eval()
    trained = TrainedClassifier(model, class_names, settings, evaluate(model, x_test, y_test, class_names), checkpoint.epoch)
    workspace.classifier = trained
    return trained


def predict(trained: TrainedClassifier, image) -> dict[str, float]:
    """{class name: probability} for a new image, with the backbone's own preprocessing."""
    if trained is None:
        raise UserInputError("Train a classifier first (add images to two classes, then press Train).")
    picture = load_image(image)
    cut_output = to_model(trained.model, features.frozen_output(backbone_input(picture), trained.cut))
    trained.model.eval()
    with torch.no_grad():
        probabilities = trained.model(cut_output).softmax(dim=1)[0]  # (C,)
    return {name: float(p) for name, p in zip(trained.class_names, probabilities.tolist())}

