"""Neural style transfer: Gram statistics, Gatys optimisation, AdaIN, procedural styles, colour.

Compute only: every function takes and returns plain values (PIL images, floats, seeds);
the Gradio UI lives in ``playground/tabs/style.py``.
"""
