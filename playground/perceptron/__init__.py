"""The live MLP playground's compute (no Gradio here).

- ``datasets``: toy 2-D data sets (circle, XOR, Gaussian clusters, spiral, moons; 2–5 classes)
  and the input features (x1, x2, x1², …).
- ``config``: one dataclass with every setting, its checks, and its round trip to a page URL.
- ``model``: the MLP (activation per layer, weight init by scheme name).
- ``trainer``: a session that trains in groups of epochs (play / step / reset).
- ``render``: fast numpy → image drawings (decision boundary, neuron maps, loss curves).
- ``export``: a standalone PyTorch script for the same run, and the weights as safetensors.
- ``perceptron``: the single neuron of the explorer and its learning rule.

Tiny MLPs run on the CPU: a 2-8-8-2 net is far too small to gain from a GPU.
"""
