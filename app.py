"""Entry point (the file Hugging Face Spaces runs): python app.py → http://127.0.0.1:7860"""

from playground.app import launch

if __name__ == "__main__":
    launch()
