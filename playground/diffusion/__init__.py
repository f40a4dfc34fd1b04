"""Compute for the diffusion lab (no Gradio here): flow matching for the shipped digit model
(``flow_digits``) and its card's measurements (``digit_metrics``)."""
