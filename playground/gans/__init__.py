"""Compute for the GAN lab tab (no Gradio here): sampling and latent walks of pretrained
DCGANs, a 2-D GAN to watch, live DCGAN training on MNIST, pix2pix drawings → emoji, and the
digit CycleGAN (handwritten ↔ typeset; ``typeset_digits`` renders the typeset side)."""
