"""Compute for the "Weight init & batch norm" tab (no Gradio here).

- ``settings``: range and NaN checks shared by every entry point.
- ``explorer``: sample one weight matrix from a scheme, compare its std with the formula.
- ``depth``: push a batch through a deep MLP, measure every layer's activations and gradients.
- ``race``: train the same MNIST net from several inits side by side, as a stream of frames.
- ``batchnorm``: train mode vs eval mode, and the batch-size-1 / forgotten ``model.eval()`` pitfalls.
- ``plots``: the figures (matplotlib, Agg) as RGB numpy arrays.
"""
