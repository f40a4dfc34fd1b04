"""Errors that carry a message meant for the person using the app.

Compute code raises ``UserInputError`` for bad input (a non-image, NaN settings, an
empty sketch). The UI layer (``playground.ui``) turns it into a ``gr.Error`` toast,
so compute modules never need to import Gradio.
"""


class UserInputError(ValueError):
    """Bad input from the person using the app; the message is shown to them as is."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; training stopped and the best checkpoint is kept."""


class WeightsError(RuntimeError):
    """A pretrained weight file is missing, corrupt, or does not match its card."""


class Busy(UserInputError):
    """The server cannot take more live training now; the message says why and what to do."""
