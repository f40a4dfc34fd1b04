"""The CNN lab's digit classifiers."""

from __future__ import annotations

from playground import registry
from playground.inference import Example, FastPaths, seeded
from playground.nets.seed_cnn import SeedCNN

DIGIT_LABELS = [str(digit) for digit in range(10)]
ONE_DIGIT = seeded((1, 1, 28, 28))  # one drawn 28×28 digit in [0, 1]
FAST_PATHS = FastPaths((
    Example("forward", ONE_DIGIT, label="one digit", warm=True),
    Example("features", ONE_DIGIT, label="feature maps of one digit (look inside)"),
))

registry.register(
    "mnist_cnn",
    builder=SeedCNN,
    weights="mnist_cnn",
    meta={
        "task": "mnist-classifier",
        "input": "(B, 1, 28, 28) float in [0, 1], white digit on black, like playground.data MNIST",
        "output": "log-probabilities (B, 10)",
        "labels": DIGIT_LABELS,
        "provenance": "python -m playground.train mnist_cnn (the seed notes' CNN, padded to 32×32 inside)",
        "inference": FAST_PATHS,
    },
)

# The architecture table's contenders: same input/output contract, same recipe (see their cards).
from playground.nets.compact_cnns import MobileNetDigits, SqueezeNetDigits, SqueezeNextDigits  # noqa: E402

for _name, _builder, _what in (
    ("mnist_squeezenext", SqueezeNextDigits, "SqueezeNext blocks (the paper's design) sized for 28×28 digits"),
    ("mnist_squeezenet", SqueezeNetDigits, "SqueezeNet-style Fire modules sized for 28×28 digits"),
    ("mnist_mobilenet", MobileNetDigits, "MobileNet-style depthwise-separable blocks sized for 28×28 digits"),
):
    registry.register(
        _name,
        builder=_builder,
        weights=_name,
        meta={
            "task": "mnist-classifier",
            "input": "(B, 1, 28, 28) float in [0, 1], white digit on black, like playground.data MNIST",
            "output": "log-probabilities (B, 10)",
            "labels": DIGIT_LABELS,
            "provenance": f"python -m playground.train {_name} ({_what}; same recipe as mnist_cnn)",
            "inference": FAST_PATHS,
        },
    )
