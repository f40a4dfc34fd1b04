"""One batched step for the class (playground.perceptron.cohort) against each visitor training alone.

The reference is the plain Trainer (torch.optim on one nn.Module): after N steps in a batch of 30
with everyone's own settings, every visitor's weights, optimizer state and curves equal training alone.
"""

from __future__ import annotations

import copy
import threading

import pytest
import torch

from playground.errors import TrainingDiverged
from playground.perceptron.cohort import Cohort, group_key
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.session import Session
from playground.perceptron.trainer import Trainer

DATASETS = ("gauss", "xor", "circle", "moons", "spiral")


def class_of(count: int, **shared) -> list[Trainer]:
    """``count`` visitors of one shape, each with their own data set, seed, learning rate and penalty rate."""
    trainers = []
    for i in range(count):
        config = PlaygroundConfig(dataset=DATASETS[i % len(DATASETS)], seed=i, learning_rate=0.003 * (1 + i % 7),
                                  regularisation_rate=0.001 * (i % 3 + 1), **shared)
        trainers.append(Trainer(config))
    return trainers


def playing_sessions(count: int) -> list[Session]:
    """``count`` visitors' MLP sessions of one shape, each with their own seed and data set."""
    sessions = []
    for i in range(count):
        session = Session()
        session.apply(PlaygroundConfig(seed=i, dataset=DATASETS[i]))
        sessions.append(session)
    return sessions


def assert_same_training(batched: Trainer, alone: Trainer) -> None:
    for (name, mine), theirs in zip(batched.model.state_dict().items(), alone.model.state_dict().values()):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5, msg=name)
    for param_b, param_a in zip(batched.model.parameters(), alone.model.parameters()):
        state_b, state_a = batched.optimizer.state[param_b], alone.optimizer.state[param_a]
        assert state_b.keys() == state_a.keys()
        for key in state_a:
            torch.testing.assert_close(torch.as_tensor(state_b[key]).float(), torch.as_tensor(state_a[key]).float(),
                                       rtol=1e-4, atol=1e-5, msg=key)
    assert batched.epoch == alone.epoch
    for key in alone.history:
        assert batched.history[key] == pytest.approx(alone.history[key], rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("optimizer, regularisation, loss", [
    ("sgd", "none", "cross_entropy"),
    ("momentum", "l2", "cross_entropy"),
    ("adam", "l1", "cross_entropy"),
    ("adam", "none", "mse"),
])
def test_thirty_visitors_in_one_batched_step_train_exactly_as_alone(optimizer, regularisation, loss):
    shared = dict(optimizer=optimizer, regularisation=regularisation, loss=loss, hidden=(6, 4), activation="tanh")
    trainers = class_of(30, **shared)
    alone = [copy.deepcopy(trainer) for trainer in trainers]
    for trainer in trainers[:5]:
        trainer.train_steps(7)  # some joined the class mid-way: optimizer state and data order already moving
    for trainer in alone[:5]:
        trainer.train_steps(7)
    assert len({group_key(trainer) for trainer in trainers}) == 1
    outcome = Cohort.train_together(trainers, steps=40)  # 40 steps of 10: 2 epochs and a half of 150 points
    for trainer in alone:
        trainer.train_steps(40)
    assert outcome == [2 if i >= 5 else 3 for i in range(30)]
    for batched, reference in zip(trainers, alone):
        assert_same_training(batched, reference)
    # And each goes on alone exactly where it was.
    for batched, reference in zip(trainers[:3], alone[:3]):
        batched.train_steps(9)
        reference.train_steps(9)
        assert_same_training(batched, reference)


def test_a_visitor_whose_training_blows_up_goes_back_and_the_others_go_on():
    trainers = class_of(4, optimizer="sgd", hidden=(8, 8), activation="linear", init="too_large")
    trainers[2].set_optimizer(PlaygroundConfig(**{**trainers[2].config.as_dict(), "learning_rate": 10.0}))
    alone = [copy.deepcopy(trainer) for trainer in trainers]
    before = {key: value.clone() for key, value in trainers[2].model.state_dict().items()}
    outcome = Cohort.train_together(trainers, steps=30)
    assert isinstance(outcome[2], TrainingDiverged) and "too large" in str(outcome[2])
    for key, value in trainers[2].model.state_dict().items():
        torch.testing.assert_close(value, before[key])  # back to before the burst
    for k in (0, 1, 3):
        alone[k].train_steps(30)
        assert_same_training(trainers[k], alone[k])


def test_shapes_decide_who_shares_a_step():
    base = PlaygroundConfig()
    assert group_key(Trainer(base)) == group_key(Trainer(PlaygroundConfig(learning_rate=0.1, seed=9, dataset="xor")))
    assert group_key(Trainer(base)) != group_key(Trainer(PlaygroundConfig(hidden=(4,))))
    assert group_key(Trainer(PlaygroundConfig(optimizer="lbfgs"))) is None  # its closure trains alone
    assert group_key(Trainer(PlaygroundConfig(batch_size=7))) is None  # 150 points do not split into 7s


def test_sessions_join_by_playing_train_as_a_class_and_leave():
    cohort = Cohort()
    sessions = playing_sessions(3)
    loner = Session()
    loner.apply(PlaygroundConfig(hidden=(3,), seed=7))
    for session in (*sessions, loner):
        cohort.train_for(session, 0.0)  # each joins
    before = [s.network_text() for s in sessions]
    loner_before = loner.network_text()
    cohort.train_for(sessions[0], 0.05)  # one turn trains the whole group
    assert all(s.network_text() != b for s, b in zip(sessions, before))
    cohort.leave(sessions[1])
    left, others = sessions[1].network_text(), sessions[2].network_text()
    cohort.train_for(sessions[0], 0.05)
    assert sessions[1].network_text() == left  # it left: nobody trains it any more
    assert sessions[2].network_text() != others
    assert loner.network_text() == loner_before  # another shape: never trained by the group
    cohort.train_for(loner, 0.0)  # it trains alone, in its own turn
    assert loner.network_text() != loner_before


def test_a_bursts_pictures_show_the_members_network_as_trained_so_far():
    # A stream's film: pictures taken inside one burst. With no time to spare the burst makes one step and every
    # picture is due after it: each must show the member's weights after that step, as training alone does.
    trainers = class_of(6, optimizer="adam", hidden=(5,))
    alone = copy.deepcopy(trainers[2])
    alone.train_steps(1)
    pictures = []

    def take():
        pictures.append({name: value.clone() for name, value in trainers[2].model.state_dict().items()})

    Cohort.train_together(trainers, seconds=0.0, pictures=(2, 3, take))
    assert len(pictures) == 3
    for picture in pictures:
        for (name, mine), theirs in zip(picture.items(), alone.model.state_dict().values()):
            torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5, msg=name)


def test_a_member_sees_every_burst_another_members_turn_trained_it_in():
    # The class's frames: one member's turn trains the whole group, and every other member's next frame plays
    # its network as each of those bursts left it (then nothing more until the next burst).
    cohort = Cohort()
    sessions = playing_sessions(3)
    for session in sessions:
        cohort.train_for(session, 0.0)  # each joins (a joining turn trains those who joined before it)
    for session in sessions:
        cohort.film_since_last_frame(session, most=8)  # their frames so far
    films = []
    for _ in range(2):
        cohort.train_for(sessions[0], 0.02)  # a turn of member 0 trains members 1 and 2 too
        films.append((cohort.film_since_last_frame(sessions[1], most=8), sessions[1].network_text()))
    for film, now in films:
        assert film[-1] == now  # member 1's network as the burst left it, after the states it passed through
        assert len(set(film)) == len(film)  # each a new state, in order
    assert films[0][1] != films[1][1]
    assert cohort.film_since_last_frame(sessions[1], most=8) == []  # shown once
    assert cohort.film_since_last_frame(sessions[0], most=8) == []  # the turn's own member takes its own pictures
    cohort.train_for(sessions[0], 0.02)
    cohort.leave(sessions[2])
    assert cohort.film_since_last_frame(sessions[2], most=8) == []  # it left: nothing kept for it
    assert cohort.film_since_last_frame(sessions[1], most=0) == []


def test_a_turn_whose_group_is_busy_waits_for_that_burst_and_shows_it():
    # Two slots: while one member's turn trains the group, another member's turn finds it busy. It waits for that
    # burst (which trains it too) and its frame then has the burst's result, rather than its unchanged network.
    cohort = Cohort(busy_wait_seconds=30.0, min_burst_seconds=0.0)
    sessions = playing_sessions(2)
    for session in sessions:
        cohort.train_for(session, 0.0)
        cohort.film_since_last_frame(session, most=8)
    inside, release = threading.Event(), threading.Event()

    def hold_the_burst():  # the burst's one picture: the group stays busy until the test releases it
        inside.set()
        release.wait(30)

    burst = threading.Thread(target=cohort.train_for, args=(sessions[0], 0.0, 1, hold_the_burst))
    burst.start()
    assert inside.wait(30)
    before = sessions[1].network_text()
    # A stream's first turn (its visitor waits for a first frame) does not wait for the burst: it returns at once.
    assert cohort.train_for(sessions[1], 0.01, wait_if_busy=False) == 0
    assert cohort.film_since_last_frame(sessions[1], most=8) == [] and sessions[1].network_text() == before
    waited = []
    waiter = threading.Thread(target=lambda: waited.append(
        (cohort.train_for(sessions[1], 0.01), cohort.film_since_last_frame(sessions[1], most=8))))
    waiter.start()
    waiter.join(1.0)  # a second for the waiting turn to find its group busy
    assert waiter.is_alive() and not waited  # it waits: the burst is not over
    release.set()
    burst.join(30)
    waiter.join(30)
    [(epochs, film)] = waited
    assert epochs == 0  # the burst was another turn's
    assert film == [sessions[1].network_text()] and film[0] != before  # its network as that burst left it


def test_a_crowded_class_banks_its_short_turns_for_one_longer_burst():
    # 30 visitors on 2 cores get turns of a few milliseconds: less than a burst's stacking and writing back. Their
    # time adds up for the group, and one turn in a few trains everyone for all of it.
    cohort = Cohort(min_burst_seconds=0.01)
    sessions = playing_sessions(3)
    for session in sessions:
        cohort.train_for(session, 0.0)
    networks = [session.network_text() for session in sessions]
    for session in sessions:
        cohort.train_for(session, 0.003)  # 9 ms banked: no burst yet
    assert [session.network_text() for session in sessions] == networks
    cohort.train_for(sessions[0], 0.003)  # 12 ms: this turn trains the group for all of it
    assert all(session.network_text() != network for session, network in zip(sessions, networks))
    assert cohort.film_since_last_frame(sessions[1], most=8)[-1] == sessions[1].network_text()
