"""The character-level GPT's compute: data (tiny Shakespeare), the "look inside" view, live training.

No Gradio here: the tab ``playground.tabs.gpt`` is the only UI.
"""
