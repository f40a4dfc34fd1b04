"""The ImageNet classifier tab's compute (no Gradio here).

- ``predict``: ``classify`` — a photo's top-k ImageNet classes from the shared EfficientNet-Lite0.

The backbone's preprocessing (shared with the transfer tab) is ``playground/backbone_preprocessing.py``.
"""
