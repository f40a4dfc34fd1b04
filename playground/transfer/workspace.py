"""A visitor's classes and images: what Teachable Machine calls the "project".

One ``Workspace`` lives in each visitor's ``gr.State``; nothing here is global, so two
visitors never see each other's classes. Images are stored once, already reduced to the
256 × 256 square the backbone's preprocessing crops from (about 200 KB each), and
identified by a digest of their pixels, which is also the key of the feature cache.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from playground.errors import UserInputError
from playground.images import load_image, resize_and_center_crop

MIN_CLASSES = 2
MAX_CLASSES = 10
MAX_NAME_LENGTH = 40
MAX_IMAGES_PER_CLASS = 100
MAX_IMAGES_TOTAL = 300  # 300 × 192 KB ≈ 58 MB per session at most
STORE_SIZE = 256  # the backbone resizes the short side to 256, then crops 224


@dataclass(frozen=True)
class StoredImage:
    digest: str  # sha1 of the stored pixels: the feature-cache key
    pixels: np.ndarray  # (256, 256, 3) uint8


@dataclass
class Workspace:
    class_names: list[str] = field(default_factory=list)
    images: dict[str, list[StoredImage]] = field(default_factory=dict)  # class name -> images
    feature_cache: dict[tuple, Any] = field(default_factory=dict)  # (digest, cut, view) -> tensor
    classifier: Any = None  # the last trained head.TrainedClassifier, or None

    def count(self, name: str) -> int:
        return len(self.images.get(name, []))

    def total_images(self) -> int:
        return sum(len(items) for items in self.images.values())

    def summary(self) -> list[list]:
        """[[class name, number of images], …] in class order."""
        return [[name, self.count(name)] for name in self.class_names]


def parse_class_names(text: str) -> list[str]:
    """Class names from one name per line (or comma-separated); errors name the problem."""
    if text is None:
        text = ""
    names = [name.strip() for name in re.split(r"[\n,]", str(text))]
    names = [name for name in names if name]
    if not names:
        raise UserInputError("Give at least two class names, one per line (for example: cat, dog).")
    if len(names) > MAX_CLASSES:
        raise UserInputError(f"At most {MAX_CLASSES} classes, got {len(names)}.")
    seen: dict[str, str] = {}
    for name in names:
        if len(name) > MAX_NAME_LENGTH:
            raise UserInputError(f"Class name {name[:20]!r}… is too long (at most {MAX_NAME_LENGTH} characters).")
        key = name.casefold()
        if key in seen:
            raise UserInputError(f"Duplicate class name {name!r}: each class needs its own name.")
        seen[key] = name
    return names


def set_classes(workspace: Workspace, text: str) -> list[str]:
    """Rename/add/remove classes; images of names that stay are kept. Returns removed names.

    Validation happens before any change, so a bad list leaves the workspace untouched.
    """
    names = parse_class_names(text)
    removed = [name for name in workspace.class_names if name not in names and workspace.count(name)]
    workspace.class_names = names
    workspace.images = {name: workspace.images.get(name, []) for name in names}
    workspace.classifier = None  # its outputs no longer match the classes
    return removed


def store_image(value) -> StoredImage:
    """Any upload → the stored 256 × 256 square (non-images and huge images: a clear error)."""
    picture = load_image(value)  # UserInputError for non-images, bombs; downscales huge ones
    square = resize_and_center_crop(picture, STORE_SIZE, STORE_SIZE)
    pixels = np.ascontiguousarray(square.permute(1, 2, 0).numpy())  # (256, 256, 3) uint8
    digest = hashlib.sha1(pixels.tobytes()).hexdigest()
    return StoredImage(digest=digest, pixels=pixels)


def add_images(workspace: Workspace, class_name: str, values) -> tuple[int, int, list[str]]:
    """Add uploads to a class. Returns (added, duplicates skipped, problems).

    Each file is checked on its own: one bad file is reported and skipped, the good
    ones are added, and the other classes are never touched.
    """
    if not workspace.class_names:
        raise UserInputError("Name your classes first (one per line), then add images to them.")
    if class_name not in workspace.class_names:
        raise UserInputError(f"Unknown class {class_name!r}; choose one of {workspace.class_names}.")
    values = [value for value in (values or []) if value is not None]
    if not values:
        raise UserInputError("No images given: upload some files, take a webcam picture, or paste one.")
    stored = workspace.images.setdefault(class_name, [])
    known = {item.digest for item in stored}
    added, duplicates, problems = 0, 0, []
    for value in values:
        if len(stored) >= MAX_IMAGES_PER_CLASS:
            problems.append(f"class {class_name!r} is full ({MAX_IMAGES_PER_CLASS} images)")
            break
        if workspace.total_images() >= MAX_IMAGES_TOTAL:
            problems.append(f"the session is full ({MAX_IMAGES_TOTAL} images in all)")
            break
        try:
            item = store_image(value)
        except UserInputError as error:
            problems.append(str(error))
            continue
        if item.digest in known:
            duplicates += 1
            continue
        stored.append(item)
        known.add(item.digest)
        added += 1
    if not added and problems:
        raise UserInputError("Nothing was added: " + "; ".join(problems))
    return added, duplicates, problems


def clear_class(workspace: Workspace, class_name: str) -> int:
    """Remove every image of one class; returns how many were removed."""
    if class_name not in workspace.class_names:
        raise UserInputError(f"Unknown class {class_name!r}; choose one of {workspace.class_names}.")
    removed = workspace.count(class_name)
    workspace.images[class_name] = []
    return removed


def check_trainable(workspace: Workspace) -> None:
    """Raise a clear message unless there are ≥ 2 classes, each with ≥ 2 images."""
    if len(workspace.class_names) < MIN_CLASSES:
        raise UserInputError(
            "A classifier needs at least two classes: add another class name "
            f"(you have {len(workspace.class_names)})."
        )
    for name in workspace.class_names:
        count = workspace.count(name)
        if count == 0:
            raise UserInputError(f"Class {name!r} has no images yet: add some, or remove the class.")
        if count < 2:
            raise UserInputError(
                f"Class {name!r} has only 1 image: it needs at least 2 (one to train on, one to test on)."
            )


def thumbnails(workspace: Workspace, size: int = 64, per_class: int = 12) -> list[tuple[Image.Image, str]]:
    """Small previews for a gallery: (image, class name), the first few of each class."""
    previews = []
    for name in workspace.class_names:
        for item in workspace.images.get(name, [])[:per_class]:
            previews.append((Image.fromarray(item.pixels).resize((size, size)), name))
    return previews
