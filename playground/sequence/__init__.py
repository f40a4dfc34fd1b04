"""Compute for the "Sequences & attention" tab: gradients through time, memory tasks,
the model race, time series, attention on reversal, a character-level language model.

Every function takes plain values (numbers, strings, a seed) and returns plain values
(numpy arrays, dicts, matplotlib figures); none of them knows Gradio.
"""
