"""Compute behind the Autoencoders tab (no Gradio here).

- ``noise``: the corruptions (Gaussian, salt-and-pepper, speckle, masking, erased blocks).
- ``metrics``: PSNR and SSIM with scikit-image.
- ``baselines``: Gaussian blur, median filter, non-local means.
- ``tiles``: run a fully convolutional net over a photo of any size in overlapping tiles.
- ``denoise``: the shipped denoisers on digits and photos.
- ``latent``: the 2-D latent plane and the compression view.
- ``live``: a small autoencoder trained in the page.
"""
