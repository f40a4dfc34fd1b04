"""Transfer learning, the compute half of the "Transfer learning" tab (no Gradio here).

- ``workspace``: a visitor's named classes and their images (kept in ``gr.State``).
- ``features``: each image's backbone features, computed once per view and cached per session.
- ``head``: the new classifier (linear or small MLP, optionally with the last backbone
  blocks unfrozen), trained live on the cached features; held-out metrics.
- ``gradcam``: feature maps of an early and a late block, and Grad-CAM.
- ``experiment``: accuracy versus labelled examples per class, pretrained-frozen vs scratch.
- ``export``: the trained head as safetensors plus a snippet that classifies with it.
- ``examples``: ready-made class sets cut from data that ships in packages.
"""
