"""The GANs group: sample and walk the latent space of real DCGANs, train GANs live, sketch → emoji with
pix2pix, and handwritten ↔ typeset digits and drawings ↔ emoji with CycleGANs.

One module per tab (``sampling``, ``toy``, ``live_dcgan``, ``pix2pix``, ``cyclegan``, ``pairs``); the
handlers they share in ``handlers``, their benchmark rows in ``bench``. Compute lives in ``playground.gans``.
"""

from playground.tabs.gans.bench import bench_cases  # noqa: F401  (the benchmark finds a topic's rows here)
