"""CNN lab through its API (gradio_client): training, bad input, a diverging run."""

from __future__ import annotations

import pytest
from gradio_client import handle_file

TINY = dict(optimizer="Adam", learning_rate=0.001, epochs=1, batch_size=32, dropout=True, augment=False,
            seed=0, valid_percent=10, digits=200, resume=False)


def _train(client, **changes):
    settings = {**TINY, **changes}
    return client.predict(*settings.values(), api_name="/cnn_lab_train")


def test_training_returns_curves_log_and_a_checkpoint_then_survives_a_diverging_run(client):
    from gradio_client import Client

    session = Client(client.src, verbose=False)  # its own session (own gr.State)
    status, curves, log, checkpoint, *evaluation = _train(session)
    assert "Saving model" in log
    assert str(checkpoint).endswith("seed_cnn_best.safetensors")
    assert "Test accuracy" in evaluation[0]
    kept = session.predict(api_name="/cnn_lab_checkpoint_info")
    assert kept.startswith("epoch 1")
    with pytest.raises(Exception, match="diverged"):
        _train(session, optimizer="L-BFGS (as in the seed: no line search)", learning_rate=10.0, epochs=3,
               batch_size=180)
    assert session.predict(api_name="/cnn_lab_checkpoint_info") == kept  # the best checkpoint is kept
    # Training goes on from the kept checkpoint when asked: its first epoch starts where that one ended.
    status, curves, log, *_ = _train(session, resume=True)
    assert "Continuing from the saved checkpoint (epoch 1" in log
    fresh_status, fresh_curves, fresh_log, *_ = _train(Client(client.src, verbose=False))
    resumed_valid = float(log.split("Validation Loss: ")[1].split()[0])
    fresh_valid = float(fresh_log.split("Validation Loss: ")[1].split()[0])
    assert resumed_valid < fresh_valid, (resumed_valid, fresh_valid)
    with pytest.raises(Exception, match="no saved checkpoint to continue from"):
        _train(Client(client.src, verbose=False), resume=True)


def test_absurd_settings_and_empty_sketch_get_clear_messages(client):
    with pytest.raises(Exception, match="learning rate must be"):
        _train(client, learning_rate=1e9)
    with pytest.raises(Exception, match="greater than maximum value 1024"):  # the slider's own check
        _train(client, batch_size=100_000)
    with pytest.raises(Exception, match="batch size must be a whole number between 1 and 180"):
        _train(client, batch_size=512)  # within the slider, but more than the 180 training digits
    empty = {"background": None, "layers": [], "composite": None}
    with pytest.raises(Exception, match="empty"):
        client.predict(empty, "mnist_cnn", api_name="/cnn_lab_read_drawing")
    # the app keeps serving
    assert client.predict(api_name="/cnn_lab_checkpoint_info") == "no checkpoint"


def test_non_digit_upload_gets_a_clear_message(client, tmp_path):
    from playground import data

    path = tmp_path / "cat.jpg"
    data.photo("chelsea").save(path)
    with pytest.raises(Exception, match="does not look like a single digit"):
        client.predict(handle_file(str(path)), "mnist_cnn", api_name="/cnn_lab_read_upload")
