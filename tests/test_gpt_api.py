"""The GPT tab through its API: the real app in a subprocess, called with gradio_client."""

from __future__ import annotations

import pytest

ENDPOINTS = {
    "/gpt_look_inside": ["prompt", "layer", "head", "position", "temperature", "top_k", "top_p"],
    "/gpt_generate": ["prompt", "length", "temperature", "top_k", "top_p", "seed"],
    "/gpt_embeddings": ["prompt"],
    "/gpt_train_live": ["source", "text", "layers", "width", "context", "learning_rate", "steps", "seed"],
}


def test_every_gpt_endpoint_names_its_parameters(client):
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for name, parameters in ENDPOINTS.items():
        assert [p["parameter_name"] for p in api[name]["parameters"]] == parameters


def test_look_inside_and_generate(client):
    tokens, picture, table, label, lens, status = client.predict(
        "ROMEO:\nBut soft", 2, 1, 0, 0.8, 0, 1.0, api_name="/gpt_look_inside"
    )
    assert "The model read **15 characters**" in status
    assert picture.endswith(".png")
    assert len(lens["data"]) == 5
    greedy = client.predict("ROMEO:", 20, 0, 0, 1.0, 0, api_name="/gpt_generate")
    assert len(greedy) == 20 and greedy == client.predict("ROMEO:", 20, 0, 0, 1.0, 7, api_name="/gpt_generate")


@pytest.mark.parametrize(
    "prompt, temperature, message",
    [("", 1.0, "prompt is empty"), ("Café", 1.0, "never saw these characters"), ("ROMEO:", 1e9, "greater than maximum value 2")],  # the slider's own check, before the handler
)
def test_bad_input_reaches_the_visitor_as_a_message(client, prompt, temperature, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(prompt, 10, temperature, 0, 1.0, 0, api_name="/gpt_generate")


def test_live_training_streams_both_curves(client):
    job = client.submit(
        "Shakespeare excerpt (ships with the app)", "", 1, 32, 32, 0.003, 50, 0, api_name="/gpt_train_live"
    )
    status, curves, gpt_sample, lstm_sample = job.result(timeout=120)
    assert status.startswith("step 50 (done)") and "GPT (" in status and "LSTM (" in status
    assert gpt_sample and lstm_sample
    assert len(job.outputs()) >= 3  # frames were streamed, not one final answer
