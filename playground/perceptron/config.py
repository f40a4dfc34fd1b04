"""Every setting of the MLP playground in one dataclass: its checks and its page-URL form.

``PlaygroundConfig.to_query()`` gives ``{"mlp_data": "spiral", ...}`` (only the settings
that differ from the defaults, so links stay short) and ``from_query`` reads it back;
``from_query(config.to_query()) == config`` for every valid config.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import asdict, dataclass, fields, replace

from playground import checks
from playground.activations import ACTIVATIONS
from playground.errors import UserInputError
from playground.init_schemes import SCHEMES
from playground.perceptron.datasets import (
    EXTENT,
    FEATURES,
    GENERATORS,
    MAX_CLASSES,
    MIN_CLASSES,
    OWN_POINTS,
    TABLE,
)
from playground.perceptron.table import Table

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 16
MAX_LEARNING_RATE = 10.0
MAX_OWN_POINTS = 500
OPTIMIZERS = ("sgd", "momentum", "adam", "lbfgs")
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam", "lbfgs": "L-BFGS"}
LOSSES = ("cross_entropy", "mse")
REGULARISATIONS = ("none", "l1", "l2")
PREFIX = "mlp_"

OwnPoint = tuple[float, float, int]  # (x1, x2, class)


@dataclass(frozen=True)
class PlaygroundConfig:
    dataset: str = "circle"  # a key of datasets.GENERATORS, or "own" (only the clicked points)
    classes: int = 2  # 2..5 (the clicked points may use any of them)
    noise: int = 0  # percent, 0..50
    train_percent: int = 50  # share of the points used for training; the rest is the test set
    points: int = 300  # how many generated points (train + test)
    features: tuple[str, ...] = ("x1", "x2")  # input features, in datasets.FEATURES order
    hidden: tuple[int, ...] = (4, 2)  # neurons per hidden layer; () = no hidden layer
    activation: str = "tanh"  # for every hidden layer ...
    layer_activations: tuple[str, ...] = ()  # ... unless one name per hidden layer is given here
    leaky_slope: float = 0.01  # LeakyReLU's slope for x < 0
    init: str = "xavier_uniform"  # a key of init_schemes.SCHEMES
    optimizer: str = "sgd"  # sgd | momentum | adam | lbfgs
    learning_rate: float = 0.03
    batch_size: int = 10
    regularisation: str = "none"  # none | l1 | l2 (on weights, not biases)
    regularisation_rate: float = 0.0
    loss: str = "cross_entropy"  # cross_entropy | mse (on the softmax probabilities)
    seed: int = 0
    own_points: tuple[OwnPoint, ...] = ()  # points clicked on the plane (added to the data set)
    table: Table | None = None  # the visitor's CSV (data set "table"); never in a link: a file cannot travel there

    # ---------------------------------------------------------- checks

    def hidden_activations(self) -> tuple[str, ...]:
        """The activation of each hidden layer."""
        return self.layer_activations or (self.activation,) * len(self.hidden)

    def validated(self) -> "PlaygroundConfig":
        """The checked config (whole numbers as ints), or UserInputError for the first bad setting."""
        if not self.features:
            raise UserInputError("choose at least one input feature")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise UserInputError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}")
        hidden = []
        for index, width in enumerate(self.hidden, 1):
            if not (isinstance(width, (int, float)) and 1 <= width <= MAX_NEURONS):
                raise UserInputError(
                    f"hidden layer {index} has {width} neurons: each layer needs 1 to {MAX_NEURONS} neurons "
                    "(remove the layer instead of giving it zero)"
                )
            hidden.append(checks.integer(f"hidden layer {index}'s width", width, 1, MAX_NEURONS))
        if self.layer_activations and len(self.layer_activations) != len(self.hidden):
            raise UserInputError(
                f"{len(self.layer_activations)} per-layer activations for {len(self.hidden)} hidden layers: "
                "give one per layer, or leave the box empty to use the same everywhere"
            )
        if len(self.own_points) > MAX_OWN_POINTS:
            raise UserInputError(f"at most {MAX_OWN_POINTS} points of your own, got {len(self.own_points)}")
        if self.dataset == TABLE and self.table is None:
            raise UserInputError("no CSV yet: upload a file (or paste rows) with columns x1, x2, label first")
        classes = checks.integer("classes", self.classes, MIN_CLASSES, MAX_CLASSES)
        if self.dataset == TABLE:
            classes = len(self.table.class_names)  # the file says how many classes there are
        for x1, x2, label in self.own_points:
            if not (math.isfinite(x1) and math.isfinite(x2) and abs(x1) <= EXTENT and abs(x2) <= EXTENT):
                raise UserInputError(f"a point of your own ({x1}, {x2}) is outside the plane [-6, 6]²")
            checks.integer("class of a point", label, 0, classes - 1)
        return replace(
            self,
            dataset=checks.choice("data set", self.dataset, (*GENERATORS, OWN_POINTS, TABLE)),
            classes=classes,
            noise=checks.integer("noise (%)", self.noise, 0, 50),
            train_percent=checks.integer("training share (%)", self.train_percent, 10, 90),
            points=checks.integer("number of points", self.points, 20, 2000),
            features=tuple(checks.choice("feature", name, FEATURES) for name in self.features),
            hidden=tuple(hidden),
            activation=checks.choice("activation", self.activation, ACTIVATIONS),
            layer_activations=tuple(checks.choice("activation", name, ACTIVATIONS) for name in self.layer_activations),
            leaky_slope=checks.real("LeakyReLU slope", self.leaky_slope, 0.0, 1.0),
            init=checks.choice("weight init", self.init, SCHEMES),
            optimizer=checks.choice("optimizer", self.optimizer, OPTIMIZERS),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=MAX_LEARNING_RATE),
            batch_size=checks.integer("batch size", self.batch_size, 1, 2000),
            regularisation=checks.choice("regularisation", self.regularisation, REGULARISATIONS),
            regularisation_rate=checks.real("regularisation rate", self.regularisation_rate, 0.0, 1.0),
            loss=checks.choice("loss", self.loss, LOSSES),
            seed=checks.seed(self.seed),
        )

    # ---------------------------------------------------------- what a change means

    def model_key(self) -> tuple:
        """Settings that define the data and the fresh network: a change needs a reset."""
        return (self.dataset, self.classes, self.noise, self.train_percent, self.points, self.features,
                self.hidden, self.hidden_activations(), self.leaky_slope, self.init, self.seed, self.own_points,
                self.table)

    # ---------------------------------------------------------- URL round trip

    def to_query(self) -> dict[str, str]:
        default = PlaygroundConfig()
        query = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name != "table" and value != getattr(default, field.name):
                query[PREFIX + field.name] = _encode(field.name, value)
        return query

    @classmethod
    def from_query(cls, query: dict[str, str]) -> tuple["PlaygroundConfig", list[str]]:
        """The config a link describes, and a note for every parameter that was ignored.

        A bad parameter keeps its default (a shared link must still open), and the whole
        result is validated the same way settings from the page are.
        """
        config, problems = cls(), []
        names = {field.name for field in fields(cls)} - {"table"}
        for key, text in query.items():
            if not key.startswith(PREFIX):
                continue  # another tab's parameter
            name = key[len(PREFIX):]
            if name not in names:
                problems.append(f"unknown setting {key!r} ignored")
                continue
            try:
                candidate = replace(config, **{name: _decode(name, text)})
                candidate = candidate.validated()
            except (UserInputError, ValueError, TypeError) as error:
                problems.append(f"{key}={text!r} ignored: {error}")
                continue
            config = candidate
        return config, problems

    def as_dict(self) -> dict:
        return asdict(self)


def page_values(config: PlaygroundConfig) -> list:
    """A PlaygroundConfig → the page's controls' values (in the tab's CONTROL_NAMES order), e.g. to restore
    a link or to play as a load-test visitor would."""
    return [config.dataset, config.classes, config.noise, config.train_percent, config.points, list(config.features),
            ", ".join(map(str, config.hidden)), config.activation, ", ".join(config.layer_activations),
            config.leaky_slope, config.init, config.optimizer, config.learning_rate, config.batch_size,
            config.regularisation, config.regularisation_rate, config.loss, config.seed]


# ---------------------------------------------------------- the page's controls → a config (page_values' inverse)

_ALIASES = {"swish": "silu", "leaky": "leaky_relu", "leakyrelu": "leaky_relu", "identity": "linear"}


def parse_hidden(text: str) -> tuple[int, ...]:
    """ "8, 8, 4" → (8, 8, 4); "" → () (no hidden layer)."""
    text = checks.text("hidden layers", text, 200)
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise UserInputError(
            f"hidden layers: write the neurons of each layer separated by commas, e.g. 8, 8, 4 (got {text!r})"
        ) from None


def parse_activations(text: str) -> tuple[str, ...]:
    """ "relu, tanh" → ("relu", "tanh"); "" → () (the same activation everywhere)."""
    names = []
    for part in checks.text("per-layer activations", text, 500).replace(";", ",").split(","):
        key = part.strip().lower().replace(" ", "").replace("-", "_")
        if key:
            names.append(_ALIASES.get(key, key))
    return tuple(names)


def config_from_page(own_points, dataset, classes, noise, train_percent, points, features, hidden, activation,
                     layer_activations, leaky_slope, init, optimizer, learning_rate, batch_size, regularisation,
                     regularisation_rate, loss, seed, *, table: Table | None = None) -> PlaygroundConfig:
    """The page's controls (in this order: CONTROL_NAMES) and the visitor's own data (clicked points, an
    uploaded table) → a validated PlaygroundConfig."""
    order = list(FEATURES)
    config = PlaygroundConfig(
        dataset=dataset, classes=classes, noise=noise, train_percent=train_percent, points=points,
        features=tuple(sorted(features or (), key=lambda name: order.index(name) if name in order else 99)),
        hidden=parse_hidden(hidden), activation=activation, layer_activations=parse_activations(layer_activations),
        leaky_slope=leaky_slope, init=init, optimizer=optimizer, learning_rate=learning_rate,
        batch_size=batch_size, regularisation=regularisation, regularisation_rate=regularisation_rate,
        loss=loss, seed=seed, own_points=tuple(own_points), table=table,
    )
    return config.validated()


def query_string(config: PlaygroundConfig) -> str:
    return urllib.parse.urlencode(config.to_query(), safe=",;")


# ---------------------------------------------------------- helpers


def _encode(name: str, value) -> str:
    if name == "own_points":
        return ";".join(f"{x1:.2f},{x2:.2f},{label}" for x1, x2, label in value)
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _decode(name: str, text: str):
    kind = PlaygroundConfig.__dataclass_fields__[name].type
    text = text.strip()
    if name == "own_points":
        points = []
        for item in filter(None, text.split(";")):
            x1, x2, label = item.split(",")
            points.append((float(x1), float(x2), int(label)))
        return tuple(points)
    if name == "hidden":
        return tuple(int(item) for item in text.split(",") if item.strip())
    if "tuple" in str(kind):
        return tuple(item.strip() for item in text.split(",") if item.strip())
    if kind in ("int", int):
        return int(text)
    if kind in ("float", float):
        return float(text)
    return text
