"""Weight init & batch norm lab: schemes against their formulas, depth outcomes, BN, the race.

All numbers are measured here with fixed seeds; tolerances are sampling errors, not snapshots.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from playground import data, init_schemes
from playground.errors import UserInputError
from playground.init_lab import batchnorm, depth, explorer, race
from playground.init_lab.settings import scheme_gain
from playground.nets.mnist_bn import MnistCNN, MnistMLP

torch.set_num_threads(1)

RANDOM_SCHEMES = [k for k, s in init_schemes.SCHEMES.items() if s.family in ("normal", "uniform")]
FAN_INS = [3, 50, 256, 1000]


def _std_standard_error(family: str, std: float, n: int) -> float:
    """Sampling error of a sample std: σ/√(2N) for a normal; σ·√0.8/(2√N) for a uniform (kurtosis 9/5)."""
    if family == "uniform":
        return std * math.sqrt(0.8) / (2 * math.sqrt(n))
    return std / math.sqrt(2 * n)


# ---------------------------------------------------------------- init schemes (shared spine)


@pytest.mark.parametrize("key", RANDOM_SCHEMES)
@pytest.mark.parametrize("fan_in", FAN_INS)
def test_sampled_std_matches_the_formula_within_sampling_error(key, fan_in):
    fan_out = max(64, 20_000 // fan_in)  # ≥ 20k weights per sample
    gain = scheme_gain(key, "relu")
    weight = init_schemes.sample(key, fan_in, fan_out, gain, torch.Generator().manual_seed(fan_in))
    values = weight.double().flatten()
    chosen = init_schemes.scheme(key)
    expected = chosen.std(fan_in, fan_out, gain)
    error = _std_standard_error(chosen.family, expected, values.numel())
    assert abs(float(values.std()) - expected) < 5 * error, (key, fan_in, float(values.std()), expected)
    assert abs(float(values.mean())) < 5 * expected / math.sqrt(values.numel())


@pytest.mark.parametrize("key", RANDOM_SCHEMES)
def test_samples_follow_the_theoretical_density(key):
    """Kolmogorov-Smirnov against the scheme's own distribution, and its pdf against scipy's."""
    fan_in, fan_out, gain = 128, 160, scheme_gain(key, "tanh")
    values = init_schemes.sample(key, fan_in, fan_out, gain, torch.Generator().manual_seed(7)).numpy().ravel()
    std = init_schemes.scheme(key).std(fan_in, fan_out, gain)
    if init_schemes.scheme(key).family == "normal":
        reference = stats.norm(0, std)
    else:
        bound = std * math.sqrt(3)
        reference = stats.uniform(-bound, 2 * bound)
    assert stats.kstest(values, reference.cdf).pvalue > 1e-3
    grid = np.linspace(-5 * std, 5 * std, 101)
    inside = np.abs(np.abs(grid) - std * math.sqrt(3)) > 1e-9 * std  # skip the uniform's two edge points
    np.testing.assert_allclose(init_schemes.density(key, fan_in, fan_out, gain, grid)[inside],
                               reference.pdf(grid)[inside], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("fan_in, fan_out", [(256, 64), (64, 256), (100, 100)])
def test_orthogonal_is_orthogonal_with_the_promised_std(fan_in, fan_out):
    weight = init_schemes.sample("orthogonal", fan_in, fan_out, 1.0, torch.Generator().manual_seed(1)).double()
    small = min(fan_in, fan_out)
    gram = weight @ weight.T if fan_out <= fan_in else weight.T @ weight  # (small, small)
    torch.testing.assert_close(gram, torch.eye(small, dtype=torch.float64), atol=1e-5, rtol=0)
    expected = init_schemes.scheme("orthogonal").std(fan_in, fan_out, 1.0)
    assert abs(float(weight.std()) - expected) < 0.01 * expected


@pytest.mark.parametrize("key, value", [("zeros", 0.0), ("constant", 0.5)])
def test_constant_schemes_are_exactly_constant(key, value):
    weight = init_schemes.sample(key, 33, 17)
    assert torch.all(weight == value)
    assert init_schemes.density(key, 33, 17, 1.0, np.zeros(3)) is None


def test_conv_fan_in_counts_the_kernel():
    conv = nn.Conv2d(16, 4096, 3)  # fan-in 16·3·3 = 144
    init_schemes.initialise_(conv.weight, "kaiming_normal", math.sqrt(2), torch.Generator().manual_seed(0))
    expected = math.sqrt(2) / math.sqrt(144)
    assert abs(float(conv.weight.detach().std()) - expected) < 5 * expected / math.sqrt(2 * conv.weight.numel())


def test_lab_gain_rule_follows_pytorch_defaults():
    assert scheme_gain("kaiming_normal", "relu") == pytest.approx(math.sqrt(2))
    assert scheme_gain("kaiming_uniform", "tanh") == pytest.approx(5 / 3)
    assert scheme_gain("xavier_normal", "relu") == 1.0
    # Kaiming uniform with the ReLU gain is exactly torch's kaiming_uniform_ bound √(6/n)
    sample = explorer.sample_weights("kaiming_uniform", 300, 300, "relu", seed=3)
    assert np.abs(sample.values).max() <= math.sqrt(6 / 300)
    assert np.abs(sample.values).max() > 0.99 * math.sqrt(6 / 300)


def test_explorer_reports_measured_and_expected_std():
    sample = explorer.sample_weights("seed_uniform", 400, 500, "relu", seed=0)
    assert sample.expected_std == pytest.approx(1 / math.sqrt(400) / math.sqrt(3))
    assert np.abs(sample.values).max() <= 1 / math.sqrt(400)  # the seed rule's bound y = 1/√n
    assert sample.standard_error == pytest.approx(_std_standard_error("uniform", sample.expected_std, 200_000))
    assert abs(sample.measured_std - sample.expected_std) < 5 * sample.standard_error


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(fan_in=0), "fan-in must be a whole number between 1 and 4096"),
        (dict(fan_in=5000), "fan-in must be a whole number between 1 and 4096"),
        (dict(fan_out=float("nan")), "fan-out must be a finite number"),
        (dict(fan_out=1025), "fan-out must be a whole number between 1 and 1024"),
        (dict(key="bogus"), "unknown init scheme 'bogus'"),
        (dict(seed=1.5), "seed must be a whole number"),
    ],
)
def test_explorer_bad_input_is_a_clear_message(arguments, message):
    call = dict(key="xavier_normal", fan_in=10, fan_out=10, activation="relu", seed=0) | arguments
    with pytest.raises(UserInputError, match=message):
        explorer.sample_weights(**call)


# ---------------------------------------------------------------- depth view: the classic outcomes


def _depth(activation, key, batch_norm=False, **overrides):
    settings = dict(depth=50, width=256, batch=256, input_kind="gaussian", seed=0) | overrides
    return depth.run_depth(activation, key, batch_norm=batch_norm, **settings)


def _mean_layer_ratio(stds: np.ndarray) -> float:
    """Geometric mean of std[l+1]/std[l]: how much each layer scales the signal."""
    return float(np.exp(np.mean(np.diff(np.log(stds)))))


def test_tanh_with_too_small_weights_collapses_to_zero():
    result = _depth("tanh", "too_small")
    # each layer multiplies the std by ≈ 0.01·√256 = 0.16 (tanh is the identity near 0)
    assert _mean_layer_ratio(result.stds[:10]) == pytest.approx(0.16, rel=0.05)
    assert result.stds[-1] < 1e-30 * result.stds[0]
    assert result.grad_norms[0] < 1e-30  # and the gradients vanish with it
    assert depth.describe(result).startswith("**Collapsed**")


def test_tanh_with_too_large_weights_saturates():
    result = _depth("tanh", "too_large")
    assert np.all(result.saturated > 0.8)  # > 80 % of every layer's outputs within 1 % of ±1
    assert np.all(result.stds > 0.9)
    assert depth.describe(result).startswith("**Saturated**")


def test_relu_with_xavier_shrinks_by_one_over_root_two_per_layer():
    result = _depth("relu", "xavier_normal")
    assert _mean_layer_ratio(result.stds) == pytest.approx(1 / math.sqrt(2), rel=0.05)
    assert result.stds[-1] < 1e-6 * result.stds[0]
    assert depth.describe(result).startswith("**Collapsed**")


def test_relu_with_kaiming_stays_stable():
    result = _depth("relu", "kaiming_normal")
    assert _mean_layer_ratio(result.stds) == pytest.approx(1.0, abs=0.03)
    assert 1 / 3 < result.stds[-1] / result.stds[0] < 3
    assert result.stds.max() / result.stds.min() < 5
    assert np.all((result.grad_norms > 0.05) & (result.grad_norms < 20))
    assert result.zeros.mean() == pytest.approx(0.5, abs=0.1)  # ReLU zeroes about half of its inputs
    assert depth.describe(result).startswith("**Stable**")


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zeros_never_break_symmetry(activation):
    result = _depth(activation, "zeros", depth=10)
    assert np.all(result.stds == 0) and np.all(result.unit_spread == 0) and np.all(result.grad_norms == 0)
    assert "Symmetry never broken" in depth.describe(result)


def test_constant_init_keeps_neurons_identical_even_after_training_steps():
    """Non-zero constant weights: the neurons differ from 0 but never from each other, step after step."""
    result = _depth("tanh", "constant", depth=5, width=32)
    assert result.stds[0] > 0.1 and np.all(result.unit_spread == 0)
    settings = race.RaceSettings(["constant"], hidden_layers=2, width=16, activation="tanh",
                                 optimizer="SGD", learning_rate=0.05, epochs=1, steps_per_frame=5)
    frame = next(race.race(settings))  # 5 SGD steps on real digits
    runner = frame.runners[0]
    assert runner.losses[-1] != runner.losses[0]  # it did learn something (the head's bias at least)
    first_layer = runner.model.layers[1].weight  # (16, 784)
    assert torch.all(first_layer == first_layer[0])  # every row (neuron) is still the same


def test_overflow_is_reported_not_hidden():
    result = _depth("relu", "too_large", depth=50, width=256)
    assert result.finite_layers < 50
    assert depth.describe(result).startswith("**Exploded**")


def test_batch_norm_outputs_zero_mean_unit_std_in_train_mode_and_rescue_a_bad_init():
    result = _depth("tanh", "too_small", batch_norm=True)
    np.testing.assert_allclose(result.pre_means, 0, atol=1e-5)
    np.testing.assert_allclose(result.pre_stds, 1, atol=0.01)
    assert 1 / 3 < result.stds[-1] / result.stds[0] < 3  # no collapse with BN


def test_depth_on_real_digits_runs_and_matches_the_gaussian_story():
    result = _depth("relu", "xavier_normal", input_kind="mnist", depth=20)
    assert _mean_layer_ratio(result.stds[1:]) == pytest.approx(1 / math.sqrt(2), rel=0.08)


def test_histograms_are_distributions_on_one_shared_axis():
    result = _depth("tanh", "xavier_normal", depth=8, width=64)
    np.testing.assert_allclose(result.histograms.sum(axis=1), 1.0, atol=1e-5)
    assert result.bin_edges[0] == -1 and result.bin_edges[-1] == 1


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(depth=0), "depth must be a whole number between 1 and 50"),
        (dict(depth=51), "depth must be a whole number between 1 and 50"),
        (dict(width=513), "width must be a whole number between 2 and 512"),
        (dict(width=float("nan")), "width must be a finite number"),
        (dict(batch=1), "batch size must be a whole number between 2 and 1024"),
        (dict(activation="swish2"), "unknown activation"),
        (dict(input_kind="cifar"), "unknown input"),
    ],
)
def test_depth_bad_input_is_a_clear_message(arguments, message):
    call = dict(activation="relu", scheme="kaiming_normal", depth=3, width=8, batch=8) | arguments
    with pytest.raises(UserInputError, match=message):
        depth.run_depth(**call)


# ---------------------------------------------------------------- nets and batch norm


def test_bn_nets_follow_the_seed_guidelines():
    mlp = MnistMLP(hidden_layers=2, width=32, batch_norm=True)
    kinds = [type(m).__name__ for m in mlp.layers]
    assert kinds == ["Flatten", "Linear", "BatchNorm1d", "Activation", "Linear", "BatchNorm1d", "Activation", "Linear"]
    assert mlp.layers[1].bias is None and mlp.layers[4].bias is None and mlp.layers[-1].bias is not None
    cnn = MnistCNN(batch_norm=True)
    kinds = [type(m).__name__ for m in cnn.features]
    assert kinds == ["Conv2d", "BatchNorm2d", "Activation", "MaxPool2d"] * 2
    assert all(m.bias is None for m in cnn.features if isinstance(m, nn.Conv2d))
    assert all(m.bias is not None for m in MnistCNN(batch_norm=False).features if isinstance(m, nn.Conv2d))
    images = torch.randn(3, 1, 28, 28)
    assert mlp(images).shape == (3, 10) and cnn(images).shape == (3, 10)


@pytest.mark.parametrize("net", [MnistMLP(3, 64, "relu", batch_norm=True), MnistCNN("relu", batch_norm=True)])
def test_bn_normalised_values_train_mode_exact_eval_mode_not(net):
    images, _ = data.mnist_tensors("test", "standard")
    layers = batchnorm.normalised_stats(net, images[:128])
    assert layers
    for layer in layers:
        assert layer.train_mean < 1e-4 and layer.train_std == pytest.approx(1.0, abs=1e-3)
    # a fresh net's running statistics are (0, 1), not the data's: eval mode is off somewhere
    assert max(abs(l.eval_std - 1) + l.eval_mean for l in layers) > 0.05
    # normalised_stats works on copies: the running statistics of the net itself are untouched
    assert all(torch.all(m.running_mean == 0) for m in net.modules() if isinstance(m, batchnorm.BN_TYPES))


def test_pitfalls_with_real_numbers_mlp():
    report = batchnorm.pitfalls("mlp", epochs=1, seed=0)
    right_way, eval_single, mixed, one_class, after, single = report.rows
    assert right_way.accuracy > 0.85
    assert eval_single.accuracy == right_way.accuracy  # eval mode ignores the batch
    assert abs(mixed.accuracy - right_way.accuracy) < 0.05
    assert one_class.accuracy < 0.5  # normalising a one-class batch against itself wrecks it
    assert report.running_mean_drift > 0.01  # forgetting eval() changed the running statistics
    assert single.accuracy is None and "Expected more than 1 value per channel" in single.note


# ---------------------------------------------------------------- the race


def test_race_yields_a_curve_per_chosen_init_and_separates_them():
    settings = race.RaceSettings(["zeros", "too_small", "kaiming_normal"], hidden_layers=3, width=64,
                                 epochs=1, steps_per_frame=20, seed=0)
    frames = list(race.race(settings))
    final = frames[-1]
    assert final.finished and final.step == final.total_steps == 63  # 4,000 digits / 64 (last batch 32)
    assert [f.step for f in frames[:-1]] == [20, 40, 60]
    assert [r.label for r in final.runners] == ["Zeros", "Too small: normal(0, 0.01²)", "Kaiming/He normal"]
    for runner in final.runners:
        assert len(runner.losses) == final.step and runner.steps == list(range(1, final.step + 1))
        assert runner.eval_steps[0] == 0 and runner.eval_steps[-1] == final.step
    zeros, _, kaiming = final.runners
    assert abs(np.mean(zeros.losses[-10:]) - math.log(10)) < 0.01  # a symmetric net cannot beat chance
    assert zeros.test_accuracy[-1] == pytest.approx(0.1)
    assert kaiming.test_accuracy[-1] > 0.75
    assert np.mean(kaiming.losses[-10:]) < 0.8


def test_race_with_and_without_bn_on_the_cnn():
    settings = race.RaceSettings(["kaiming_normal"], architecture="cnn", bn_mode="both", optimizer="Adam",
                                 learning_rate=1e-3, batch_size=256, epochs=1, steps_per_frame=8)
    final = list(race.race(settings))[-1]
    labels = [r.label for r in final.runners]
    assert labels == ["Kaiming/He normal", "Kaiming/He normal + BN"]
    assert all(len(r.losses) == final.step == 16 for r in final.runners)
    assert all(r.losses[-1] < r.losses[0] for r in final.runners)


def test_a_diverging_runner_stops_and_the_others_go_on():
    settings = race.RaceSettings(["too_large", "kaiming_normal"], hidden_layers=6, width=256, optimizer="SGD",
                                 learning_rate=1.0, epochs=1, steps_per_frame=10)
    final = list(race.race(settings))[-1]
    large, kaiming = final.runners
    assert large.diverged_at is not None and len(large.losses) < final.step
    assert all(math.isfinite(v) for v in large.losses)
    assert race.summary_rows(final)[0][3].startswith("diverged at step")


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(schemes=[]), "choose at least one init scheme"),
        (dict(schemes=["zeros", "too_small", "too_large", "orthogonal", "xavier_normal"]), "at most 4"),
        (dict(learning_rate=float("nan")), "learning rate must be a finite number"),
        (dict(hidden_layers=11), "hidden layers must be a whole number between 1 and 10"),
        (dict(batch_size=1), "batch size must be a whole number between 2 and 512"),
        (dict(architecture="rnn"), "unknown architecture"),
    ],
)
def test_race_bad_input_is_a_clear_message(overrides, message):
    settings = race.RaceSettings(**(dict(schemes=["zeros"]) | overrides))
    with pytest.raises(UserInputError, match=message):
        next(race.race(settings))


# ---------------------------------------------------------------- through the API (a real server)


def test_api_bad_input_is_a_clear_message_and_the_app_keeps_serving(client):
    with pytest.raises(Exception, match="greater than maximum value 50"):
        client.predict("relu", "kaiming_normal", 51, 256, 512, "gaussian", False, 0, api_name="/depth_view")
    with pytest.raises(Exception, match="learning rate must be between"):
        client.predict(["zeros"], "mlp", "off", "relu", 3, 64, "SGD", 0, 64, 1, 10, 0, api_name="/init_race")
    with pytest.raises(Exception, match="choose at least one init scheme"):
        client.predict([], "mlp", "off", "relu", 3, 64, "SGD", 0.1, 64, 1, 10, 0, api_name="/init_race")
    image, verdict, table = client.predict("relu", "xavier_normal", 30, 128, 128, "gaussian", False, 0,
                                           api_name="/depth_view")
    assert verdict.startswith("**Collapsed**")


def test_the_init_lab_pictures_say_their_measured_figures():
    """Each picture's alt text carries the figures its tab measures (the std beside the histogram, the last
    layer's std the depth table lists)."""
    from playground.tabs import init_lab as tab

    histogram, text = tab.show_weights("kaiming_normal", 256, 256, "relu", 0)
    measured = text.split("**Measured std ")[1].split("**")[0]
    assert f"measured std {measured}" in histogram["alt_text"] and "65,536 weights" in histogram["alt_text"]
    figure, _, rows = tab.show_depth("tanh", "xavier_uniform", 10, 64, 128, "gaussian", False, 0)
    assert "10 layers of tanh" in figure["alt_text"]
    assert f"{rows[-1][2]:.4g} at layer 10" in figure["alt_text"]  # the table's std of the last layer
