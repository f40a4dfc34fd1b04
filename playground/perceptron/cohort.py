"""One batched step for the class: live MLP trainers of the same shape train together.

A class of 30 pressing Play in the MLP playground runs 30 tiny networks; alone, each optimizer step
costs far more in Python and dispatch than in arithmetic. Trainers whose step has the same shapes
(the same architecture, data size, batch size, loss, optimizer kind and regularisation kind: see
``group_key``) are stacked: weights (K, out, in), inputs (K, B, F), and one forward, backward and
optimizer update serves all K (``torch.bmm``; autograd on the stacked weights gives each member its
own gradient, since the members never mix).

Each member keeps everything of its own: weights, optimizer state (written back into its
``torch.optim`` optimizer's ``state``, so it goes on alone exactly where it was when it leaves the
group), learning rate, regularisation rate, data and data order (its own shuffle), epochs, curves
and divergence. A member's weights after N batched steps equal N solo steps within float rounding,
whatever the others' settings (tests/test_cohort.py).

How the class shares the CPU: every member's stream still gets its turns from the live runtime.
In its turn it calls ``Cohort.train_for(session, seconds, pictures, take)``, which trains the member's
whole group for those seconds (one burst of batched steps, taking the pictures of the member's film along
the way), so the class's turns all go into batched steps and every member of a group advances at the
same pace. A crowded class's turns are a few milliseconds each, so their seconds are banked for the group
and a burst runs once they add up to ``MIN_BURST_SECONDS``: the group trains in every member's time, one
burst at a time. A turn that finds its group in another turn's burst (the runtime runs a turn per core)
banks its seconds for the next burst and waits for this one, so its frame shows what the burst did. Each other member's network after a burst is
kept for its next frame (the stacked weights, turned into text only when shown). A member that stops
playing leaves its group.
L-BFGS (its closure re-evaluates the loss) and shapes nobody shares train alone, as before.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from typing import Callable

import torch
import torch.nn.functional as F

from playground.perceptron import scene
from playground.perceptron.trainer import Trainer

BATCHED_OPTIMIZERS = ("sgd", "momentum", "adam")
FILM_KEPT = 8  # the most states kept for a member's next frame (it plays the latest few of them)
FILM_MARKS = 2  # states of every member kept along a burst (besides the one it ends with)
# A turn whose group another turn is training banks its time for the group's next burst and waits for this one
# (which trains it too), at most this long, so its frame shows the burst's result instead of an unchanged network.
BUSY_WAIT_SECONDS = 0.25
# A group's burst trains at least this long: a crowded class's turns are a few milliseconds each, less than a
# burst's stacking and writing back, so their time is banked for the group until it adds up to this.
MIN_BURST_SECONDS = 0.01
MAX_BURST_SECONDS = 0.1  # ... and at most this long (what one turn waits for, at most)
# PLAYGROUND_BATCH_MLP=0 trains every visitor alone (the benchmark's reference).
ENABLED = os.environ.get("PLAYGROUND_BATCH_MLP", "1") != "0"


def group_key(trainer: Trainer) -> tuple | None:
    """What must be equal for trainers to share a batched step (None: this one trains alone)."""
    config = trainer.config
    batch = min(config.batch_size, trainer.train_size)
    if config.optimizer not in BATCHED_OPTIMIZERS or trainer.train_size % batch:
        return None  # every batched step has the same batch size: the data must split into whole batches
    penalised = config.regularisation if config.regularisation_rate > 0 else "none"
    return (tuple(trainer.train_x.shape), config.hidden, config.hidden_activations(), config.leaky_slope,
            config.classes, config.loss, config.optimizer, batch, penalised)


class _Group:
    """The stacked state of K members for one burst of batched steps."""

    def __init__(self, trainers: list[Trainer]):
        self.trainers = trainers
        self.parameters = [trainer.parameters for trainer in trainers]  # [K][P], layer order
        # (K, *shape) per parameter, leaves of autograd.
        self.weights = [torch.stack([own[i].detach() for own in self.parameters]).requires_grad_()
                        for i in range(len(self.parameters[0]))]
        self.train_x = torch.stack([trainer.train_x for trainer in trainers])  # (K, n, F)
        self.train_y = torch.stack([trainer.train_y for trainer in trainers])  # (K, n)
        config = trainers[0].config
        self.kind, self.loss = config.optimizer, config.loss
        self.penalty = group_key(trainers[0])[-1]
        self.activations = list(trainers[0].model.activations)
        self.optimizers = [trainer.optimizer for trainer in trainers]  # as at the start (a settings change replaces it)
        groups = [optimizer.param_groups[0] for optimizer in self.optimizers]
        self.lr = torch.tensor([group["lr"] for group in groups])  # (K,)
        self.rate = torch.tensor([trainer.config.regularisation_rate for trainer in trainers])  # (K,)
        self.hyper = {key: groups[0][key] for key in ("momentum", "betas", "eps") if key in groups[0]}
        self.state = self._read_state()

    def copy(self) -> list[torch.Tensor]:
        """The stacked weights now, one (K, …) copy per parameter."""
        return [weight.detach().clone() for weight in self.weights]

    def _per_member(self, values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return values.view(-1, *([1] * (like.dim() - 1)))  # (K,) → (K, 1, …) to scale each member's slice

    # ---------------------------------------------------------- optimizer state (theirs, stacked)

    def _read_state(self) -> dict:
        state: dict[str, list] = {}
        if self.kind == "momentum":
            buffers = []
            for i, stacked in enumerate(self.weights):
                own = [optimizer.state[params[i]].get("momentum_buffer")
                       for optimizer, params in zip(self.optimizers, self.parameters)]
                buffers.append([torch.zeros_like(stacked[0]) if b is None else b for b in own])
            state["fresh"] = [optimizer.state[params[0]].get("momentum_buffer") is None
                              for optimizer, params in zip(self.optimizers, self.parameters)]
            state["buffer"] = [torch.stack(b) for b in buffers]
        elif self.kind == "adam":
            steps = []
            for optimizer, params in zip(self.optimizers, self.parameters):
                own = optimizer.state[params[0]]
                steps.append(float(own["step"]) if "step" in own else 0.0)
            state["step"] = torch.tensor(steps, dtype=torch.float64)  # (K,)
            for key in ("exp_avg", "exp_avg_sq"):
                state[key] = [torch.stack([optimizer.state[params[i]].get(key, torch.zeros_like(stacked[0]))
                                           for optimizer, params in zip(self.optimizers, self.parameters)])
                              for i, stacked in enumerate(self.weights)]
        return state

    def write_back(self, member: int | None = None) -> None:
        """Copy the stacked weights and optimizer state into each member's own (or one member's)."""
        members = range(len(self.trainers)) if member is None else [member]
        with torch.no_grad():
            for k in members:
                for i, param in enumerate(self.parameters[k]):
                    param.copy_(self.weights[i][k])
                    own = self.optimizers[k].state[param]
                    if self.kind == "momentum" and not self.state["fresh"][k]:
                        own["momentum_buffer"] = self.state["buffer"][i][k].clone()
                    elif self.kind == "adam" and self.state["step"][k] > 0:
                        own["step"] = torch.tensor(float(self.state["step"][k]))
                        own["exp_avg"] = self.state["exp_avg"][i][k].clone()
                        own["exp_avg_sq"] = self.state["exp_avg_sq"][i][k].clone()

    # ---------------------------------------------------------- one batched step

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        """(K, B, F) → (K, B, classes) logits: each member's MLP on its own batch."""
        *hidden, out_w, out_b = self.weights
        for (weight, bias), activation in zip(zip(hidden[0::2], hidden[1::2]), self.activations):
            x = activation(torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2)))
        return torch.baddbmm(out_b.unsqueeze(1), x, out_w.transpose(1, 2))

    def _losses(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """(K,) each member's mean loss on its batch (as Trainer.loss_fn computes it alone)."""
        k, b, c = logits.shape
        if self.loss == "cross_entropy":
            return F.cross_entropy(logits.reshape(k * b, c), targets.reshape(k * b), reduction="none").view(k, b).mean(1)
        error = logits.softmax(dim=2) - F.one_hot(targets, c).to(logits.dtype)
        return (error * error).mean(dim=(1, 2))

    def _penalties(self) -> torch.Tensor | float:
        if self.penalty == "none":
            return 0.0
        weights = self.weights[0:-2:2] + [self.weights[-2]]  # every Linear's weight, not the biases
        terms = [w.abs() if self.penalty == "l1" else w * w for w in weights]
        return self.rate * sum(term.sum(dim=(1, 2)) for term in terms)

    def step(self, batches: torch.Tensor) -> torch.Tensor:
        """One optimizer step for every member on its batch (K, B) of indices; returns the losses (K,)."""
        rows = torch.arange(len(self.trainers)).unsqueeze(1)
        inputs, targets = self.train_x[rows, batches], self.train_y[rows, batches]  # (K, B, F), (K, B)
        losses = self._losses(self._forward(inputs), targets)
        (losses + self._penalties()).sum().backward()  # members never mix: each gets its own gradient
        with torch.no_grad():
            if self.kind == "adam":
                self.state["step"] += 1
            for i, weight in enumerate(self.weights):
                self._update(i, weight, weight.grad)
                weight.grad = None
            if self.kind == "momentum":
                self.state["fresh"] = [False] * len(self.trainers)
        return losses.detach()

    def _update(self, i: int, weight: torch.Tensor, grad: torch.Tensor) -> None:
        """torch.optim's SGD, SGD with momentum or Adam (as make_optimizer sets them), each member with its own
        learning rate and state: the same arithmetic, in the same order, as torch.optim's step."""
        lr = self._per_member(self.lr, weight)
        if self.kind == "sgd":
            weight.sub_(lr * grad)
        elif self.kind == "momentum":
            buffer = self.state["buffer"][i]
            fresh = self._per_member(torch.tensor(self.state["fresh"]), weight)
            buffer.copy_(torch.where(fresh, grad, buffer * self.hyper["momentum"] + grad))
            weight.sub_(lr * buffer)
        else:
            beta1, beta2 = self.hyper["betas"]
            step = self.state["step"]
            exp_avg, exp_avg_sq = self.state["exp_avg"][i], self.state["exp_avg_sq"][i]
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            step_size = self._per_member((self.lr / (1 - beta1 ** step)).to(weight.dtype), weight)
            correction = self._per_member(torch.sqrt(1 - beta2 ** step).to(weight.dtype), weight)
            weight.sub_(step_size * exp_avg / (exp_avg_sq.sqrt() / correction + self.hyper["eps"]))


class Cohort:
    """The process's batched MLP training: sessions join by training, leave when they stop."""

    def __init__(self, busy_wait_seconds: float = BUSY_WAIT_SECONDS, min_burst_seconds: float = MIN_BURST_SECONDS):
        self.busy_wait_seconds, self.min_burst_seconds = busy_wait_seconds, min_burst_seconds
        self._lock = threading.Lock()
        self._burst_ended = threading.Condition(self._lock)  # notified whenever a group's burst ends
        # id(session) → (session, its group's key as at its latest turn), while its stream plays in a group
        self._members: dict[int, tuple[object, tuple]] = {}
        self._busy: set[tuple] = set()  # group keys a burst is training now
        self._banked: dict[tuple, float] = {}  # group key → its members' turns' seconds not trained yet
        self._diverged: dict[int, Exception] = {}  # id(session) → the error its next turn raises
        # id(session) → its network after each burst that another member's turn ran since its own last frame,
        # oldest first, as (its trainer then, the burst's stacked weights, its index in them): its next frame
        # plays them, so a class member sees every burst it was in. (Turned into text only when shown.)
        self._films: dict[int, list[tuple[Trainer, list[torch.Tensor], int]]] = {}

    def leave(self, session) -> None:
        with self._lock:
            self._members.pop(id(session), None)
            self._diverged.pop(id(session), None)
            self._films.pop(id(session), None)

    def film_since_last_frame(self, session, most: int) -> list[str]:
        """``session``'s network after each of the bursts that other members' turns trained it in since this was
        last asked (the latest ``most``, oldest first; ``network_text``)."""
        with self._lock:
            film = self._films.pop(id(session), [])
        trainer = session.trainer
        kept = [(weights, k) for owner, weights, k in film if owner is trainer][-most:] if most > 0 else []
        return [scene.network_text(trainer, [stacked[k] for stacked in weights]) for weights, k in kept]

    def train_for(self, session, seconds: float, pictures: int = 0, take: Callable[[], None] | None = None,
                  wait_if_busy: bool = True) -> int:
        """Train ``session``'s group (``session`` included) for about ``seconds``; returns the epochs this
        session ended. A session that shares its shapes with nobody trains alone, as ``Session.train_for``.

        ``take()`` is called ``pictures`` times along the way, at even shares of the time, with the session's
        network as trained so far (a stream's film): the group trains in one burst for the whole time, so its
        stacking and writing back are paid once, not once a picture. ``wait_if_busy=False`` (a stream's first
        turn, whose visitor waits for a first frame) returns at once when another turn is training the group."""
        trainer = session.require_trainer()
        key = group_key(trainer) if ENABLED else None
        with self._lock:
            error = self._diverged.pop(id(session), None)
            if error is not None:
                self._members.pop(id(session), None)
                raise error  # its weights went back to before the burst that blew up (Trainer.roll_back)
            if key is None:
                self._members.pop(id(session), None)
            else:
                self._members[id(session)] = session, key
                banked = self._banked.get(key, 0.0) + seconds
                if key in self._busy:  # another turn is training this group now, this session with it:
                    self._banked[key] = banked  # and its next burst trains in this turn's time
                    if wait_if_busy:
                        self._burst_ended.wait_for(lambda: key not in self._busy, self.busy_wait_seconds)
                    return 0  # (that burst's state is in this session's film)
                together = sum(1 for _, other in self._members.values() if other == key)
                if together > 1 and banked < self.min_burst_seconds:
                    self._banked[key] = banked  # too short for a burst: the group's next burst trains it
                    return 0
                self._busy.add(key)
                self._banked[key] = 0.0
                peers = [peer for peer, _ in self._members.values()]
        if key is None:
            return self._alone(session, seconds, pictures, take)
        try:
            return self._burst(session, key, peers, min(banked, MAX_BURST_SECONDS), pictures, take)
        finally:
            with self._lock:
                self._busy.discard(key)
                self._burst_ended.notify_all()

    @staticmethod
    def _alone(session, seconds: float, pictures: int, take: Callable[[], None] | None) -> int:
        """``session`` trains alone for ``seconds``, with ``pictures`` taken at even shares of the time."""
        ended = 0
        for picture in range(pictures + 1):
            ended += session.train_for(seconds / (pictures + 1))
            if picture < pictures:
                take()
        return ended

    def _burst(self, session, key: tuple, peers: list, seconds: float, pictures: int = 0,
               take: Callable[[], None] | None = None) -> int:
        """Batched steps for ``session``'s group. Members' locks are taken only to write into a member (its
        epoch's end, the burst's end), so their pages keep drawing meanwhile; a member whose settings change
        mid-burst has a new trainer or optimizer, and what the burst writes into the old ones is dropped."""
        members = [peer for peer in peers if peer.trainer is not None and group_key(peer.trainer) == key]
        if session not in members:
            members.append(session)
        if len(members) == 1:
            return self._alone(session, seconds, pictures, take)
        mine = members.index(session)
        states: list[list[torch.Tensor]] = []  # the stacked weights along the burst, and as it left them
        ended = self.train_together([member.trainer for member in members], seconds,
                                    locks=[member.lock for member in members],
                                    pictures=(mine, pictures, take) if pictures else None,
                                    left=(FILM_MARKS, states))
        with self._lock:
            for k, (member, outcome) in enumerate(zip(members, ended)):
                if member is session:
                    continue
                if isinstance(outcome, Exception):
                    self._diverged[id(member)] = outcome
                elif id(member) in self._members:  # still playing: this state is for its next frame
                    film = self._films.setdefault(id(member), [])
                    film.extend((member.trainer, state, k) for state in states)
                    del film[:-FILM_KEPT]
        if isinstance(ended[mine], Exception):
            raise ended[mine]
        return ended[mine]

    @staticmethod
    def train_together(trainers: list[Trainer], seconds: float = math.inf, steps: int | None = None,
                       locks: list | None = None, pictures: tuple[int, int, Callable[[], None]] | None = None,
                       left: tuple[int, list] | None = None) -> list:
        """Batched steps for about ``seconds`` (or exactly ``steps``); per trainer, the epochs it ended or the
        error it diverged with. ``locks``: each trainer's session lock, held while writing into it.
        ``pictures`` (member, count, take): ``take()`` count times at even shares of the seconds, once that
        member's weights as trained so far were written back into it (the rest at the end, if it ends early).
        ``left`` (count, states): the stacked weights (one (K, …) copy per parameter; a member that blew up is
        not rolled back in them) are appended to ``states`` count times at even shares of the seconds, and as
        the burst left them: the states every member passed through."""
        locks = locks or [contextlib.nullcontext() for _ in trainers]
        pictured, count, take = pictures or (0, 0, None)
        started = time.perf_counter()
        marks = _even_marks(started, seconds, count)  # when each picture is due
        snapshots, states = left or (0, None)
        snapshot_at = 0  # the step count at the latest state kept
        snapshot_marks = _even_marks(started, seconds, snapshots)
        group = _Group(trainers)
        # Where a member that blows up goes back to: its weights as stacked now (one clone for all), epoch, curves.
        start = group.copy()
        kept = [(trainer.epoch, {key: len(values) for key, values in trainer.history.items()}) for trainer in trainers]
        deadline = time.perf_counter() + seconds
        ended: list = [0] * len(trainers)
        step_seconds, done = 0.0, 0
        while True:
            began = time.perf_counter()
            batches = torch.stack([trainer.next_batch() for trainer in trainers])  # (K, B)
            size = batches.shape[1]
            losses = group.step(batches).unbind()  # K views at once (cheaper than indexing K times)
            for k, trainer in enumerate(trainers):
                if isinstance(ended[k], Exception):
                    continue  # it blew up: it goes back to where it was (below), the others go on
                if not trainer.ends_epoch(size):
                    trainer.batch_done(size, losses[k])  # its data order only: nothing a page reads
                    continue
                with locks[k]:  # its epoch ends: curves and test loss, measured on its own model
                    group.write_back(k)
                    try:
                        ended[k] += trainer.batch_done(size, losses[k])
                    except FloatingPointError as error:
                        ended[k] = error
            now = time.perf_counter()
            for _ in range(_passed(marks, now)):
                count -= 1
                with locks[pictured]:
                    group.write_back(pictured)
                take()  # (outside its lock: taking a picture takes the session's lock)
            step_seconds = now - began if not step_seconds else 0.7 * step_seconds + 0.3 * (now - began)
            done += 1
            if _passed(snapshot_marks, now):  # (one state however many marks one step passed)
                states.append(group.copy())
                snapshot_at = done
            if done == steps or now + step_seconds > deadline:  # or before a step that would end past the deadline
                break
        for k, trainer in enumerate(trainers):
            with locks[k]:
                group.write_back(k)
                if isinstance(ended[k], FloatingPointError):
                    names = [name for name, _ in trainer.model.named_parameters()]  # the state dict: no buffers
                    saved = {name: weights[k] for name, weights in zip(names, start)}
                    ended[k] = trainer.roll_back(saved, *kept[k], ended[k].args[0])
        if states is not None and done > snapshot_at:  # the state it ends with, unless just kept
            states.append(group.copy())
        for _ in range(count):
            take()  # the burst ended before these were due
        return ended


def _even_marks(started: float, seconds: float, count: int) -> list[float]:
    """``count`` times at even shares of ``seconds`` from ``started`` (not its ends)."""
    return [started + seconds * (i + 1) / (count + 1) for i in range(count)]


def _passed(marks: list[float], now: float) -> int:
    """How many of ``marks`` (in order) are due by ``now``; takes them off the list."""
    due = 0
    while marks and now >= marks[0]:
        marks.pop(0)
        due += 1
    return due


COHORT = Cohort()
