"""Compute for the CNN lab tab: digit data and augmentation, training, evaluation,
looking inside a network, and the architecture comparison. No Gradio here."""
