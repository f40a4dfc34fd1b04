"""Compute for the GAN lab tab (no Gradio here): sampling and latent walks of pretrained
DCGANs, a 2-D GAN to watch, live DCGAN training on MNIST, pix2pix drawings → emoji."""
