"""Several visitors at once through the real app's API: each trains, sees only their own run, stops only it."""

from __future__ import annotations

import re
import time

from playground.perceptron.config import PlaygroundConfig, page_values

STATUS = 1  # (board, status, query): the session state is not part of the API output


def _statuses(job) -> list[str]:
    return [output[STATUS] for output in job.outputs() if isinstance(output[STATUS], str)]


def _training(job) -> list[str]:
    return [status for status in _statuses(job) if status.startswith("**Epoch")]


def _wait(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_concurrent_visitors_train_their_own_networks_and_stop_only_their_own(app_url):
    from gradio_client import Client

    sizes = [100, 200, 300, 400]  # each visitor's data set size shows in every status line
    clients = [Client(app_url, verbose=False, download_files=False) for _ in sizes]
    jobs = [client.submit(*page_values(PlaygroundConfig(points=size, seed=index)), api_name="/mlp_play")
            for index, (client, size) in enumerate(zip(clients, sizes))]
    for job in jobs:
        _wait(lambda job=job: len(_training(job)) >= 3, "three training frames per visitor")

    clients[0].predict(api_name="/mlp_pause")
    _wait(jobs[0].done, "the first visitor's run to end")
    assert "Stopped" in _statuses(jobs[0])[-1]
    # The others keep training.
    before = [len(_training(job)) for job in jobs[1:]]
    for job, count in zip(jobs[1:], before):
        _wait(lambda job=job, count=count: len(_training(job)) >= count + 2, "the others to go on training")
        assert not job.done()

    # A second Play by the same visitor replaces their first run, which says so.
    replacement = clients[1].submit(*page_values(PlaygroundConfig(points=200, seed=1)), api_name="/mlp_play")
    _wait(jobs[1].done, "the replaced run to end")
    assert "replaced by your new run" in _statuses(jobs[1])[-1]
    _wait(lambda: len(_training(replacement)) >= 2, "the new run's frames")

    for client in clients[1:]:
        client.predict(api_name="/mlp_pause")
    for job in (replacement, *jobs[2:]):
        _wait(job.done, "every run to end after Stop")
        assert "Stopped" in _statuses(job)[-1]

    # Isolation: every frame a visitor saw came from their own data set.
    for job, size in zip([jobs[0], replacement, *jobs[2:]], sizes):
        counts = {re.search(r"(\d+) train / (\d+) test points", status).groups() for status in _training(job)}
        assert counts == {(str(size // 2), str(size // 2))}, (size, counts)


def test_a_hidden_page_pauses_every_run_of_that_visitor_only(app_url):
    """The page calls live_pause_all after a minute hidden: that visitor's runs end and say why."""
    from gradio_client import Client

    hidden, other = (Client(app_url, verbose=False, download_files=False) for _ in range(2))
    values = page_values(PlaygroundConfig())
    hidden_job, other_job = (client.submit(*values, api_name="/mlp_play") for client in (hidden, other))
    for job in (hidden_job, other_job):
        _wait(lambda job=job: len(_training(job)) >= 2, "training frames")
    hidden.predict(api_name="/live_pause_all")
    _wait(hidden_job.done, "the hidden page's run to pause")
    assert "paused while the page was hidden" in _statuses(hidden_job)[-1]
    count = len(_training(other_job))
    _wait(lambda: len(_training(other_job)) >= count + 2, "the other visitor to go on")
    other.predict(api_name="/mlp_pause")
    _wait(other_job.done, "the other run to stop")
