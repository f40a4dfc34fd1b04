"""The fast inference path (playground/inference.py) answers as eager PyTorch does.

For every registered pretrained network and every entry point its catalog entry names,
the shared model from ``registry.get`` is served by onnxruntime and agrees with the eager
method on the same inputs; batch and image sizes other than the exported ones work; the
ImageNet top-5 on the bundled photos is the same; and when the engine is missing, or a
network cannot be exported, or a shape does not fit the graph, the answer is eager's
with a log line. No timing here: ``python -m playground.bench`` measures the speed.
"""

from __future__ import annotations

import logging

import pytest
import torch
from torch import nn

from playground import data, inference, registry
from playground.device import get_device
from playground.inference import Example, FastPaths, seeded
from playground.nets import efficientnet_lite as lite


BACKBONE = "efficientnet_lite0_imagenet"
PRETRAINED = [name for name in registry.list_models() if registry.spec(name).weights is not None]
EXAMPLES = [
    pytest.param(name, index, id=f"{name}-{example.method}-{index}")
    for name in PRETRAINED
    for index, example in enumerate(registry.meta(name)["inference"].examples)
]


@pytest.fixture(autouse=True)
def cpu_only(request):
    """The fast path is for the CPU; on a GPU the shared models stay eager (the last test)."""
    if get_device().type != "cpu" and "gpu" not in request.node.name:
        pytest.skip("onnxruntime serves the CPU's models only")


def flat(result) -> list[torch.Tensor]:
    if isinstance(result, torch.Tensor):
        return [result]
    return list(result.values() if isinstance(result, dict) else result)


def assert_same(fast, eager) -> None:
    assert type(fast) is type(eager)
    if isinstance(eager, dict):
        assert list(fast) == list(eager)
    for got, want in zip(flat(fast), flat(eager), strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        scale = 1.0 + float(want.abs().max())
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4 * scale)


def both_engines(function, *args, **kwargs):
    """(fast answer, engine that gave it, eager answer) for one call."""
    with torch.inference_mode():
        function(*args, **kwargs)  # the first call of a shape checks it against eager
        function(*args, **kwargs)  # the second opens the shape's quick lane (positional calls)
        fast = function(*args, **kwargs)
        engine = function.last_engine
        with inference.eager_only():
            eager = function(*args, **kwargs)
    return fast, engine, eager


def test_every_pretrained_network_names_its_fast_paths():
    for name in PRETRAINED:
        paths = registry.meta(name).get("inference")
        assert isinstance(paths, FastPaths) and paths.examples, name
        model = registry.get(name)
        for method in paths.methods:
            assert isinstance(inference.method_of(model, method), inference.FastMethod), (name, method)


@pytest.mark.parametrize("name, index", EXAMPLES)
def test_fast_path_equals_eager(name, index):
    example = registry.meta(name)["inference"].examples[index]
    function = inference.method_of(registry.get(name), example.method)
    fast, engine, eager = both_engines(function, *example.inputs(), **example.options)
    assert engine == "onnxruntime"
    assert_same(fast, eager)


@pytest.mark.parametrize(
    "name, method, inputs, options",
    [
        (BACKBONE, "pooled_features", seeded((3, 3, 256, 256), low=-1, high=1), {}),  # batch 3, another even size
        (BACKBONE, "pooled_features", seeded((5, 3, 48, 48), low=-1, high=1), {}),  # the digit experiment's size
        (BACKBONE, "forward_features", seeded((1, 3, 304, 456), low=-1, high=1), {"upto": 4, "keep": True}),
        # the shipped pair's two decoders: reconstruction (blocks 4, 2, 0) and painting (and block 8)
        ("adain_decoder", "reconstruct.forward", seeded((1, 40, 38, 57), (1, 24, 76, 114), (1, 16, 152, 228), high=4), {}),
        ("adain_decoder", "paint.forward",
         seeded((1, 40, 38, 57), (1, 24, 76, 114), (1, 16, 152, 228), (1, 112, 19, 29), high=4), {}),
        ("autoencoder_photo_denoiser", "forward", seeded((4, 3, 168, 200), (4,)), {}),
        ("autoencoder_mnist_denoiser", "forward", seeded((100, 1, 28, 28)), {}),
        ("autoencoder_mnist_z2", "decode", seeded((400, 2), low=-3, high=3), {}),
        ("mnist_cnn", "forward", seeded((32, 1, 28, 28)), {}),
        ("dcgan_emoji", "generator.forward", lambda: (seeded((9, 100), low=-2, high=2)()[0], torch.arange(9) % 8), {}),
        ("pix2pix_emoji", "generator.forward", seeded((3, 1, 96, 96), low=-1, high=1), {"mirror": True}),  # as the app
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_other_batch_and_image_sizes(name, method, inputs, options):
    function = inference.method_of(registry.get(name), method)
    fast, engine, eager = both_engines(function, *inputs(), **options)
    assert engine == "onnxruntime"
    assert_same(fast, eager)


def test_conditional_generator_takes_digits_and_soft_labels():
    generator = registry.get("dcgan_mnist").generator.forward
    z = torch.randn(10, 64, generator=torch.Generator().manual_seed(3))
    soft = torch.softmax(torch.randn(10, 10, generator=torch.Generator().manual_seed(4)), dim=1)
    for labels in (torch.arange(10), soft):
        fast, engine, eager = both_engines(generator, z, labels)
        assert engine == "onnxruntime"
        assert_same(fast, eager)


def test_the_lane_of_two_tensors_hands_on_what_it_must_not_take():
    generator = registry.get("dcgan_mnist").generator.forward
    z = torch.randn(4, 64, generator=torch.Generator().manual_seed(5))
    labels = torch.tensor([1, 3, 5, 7])
    fast, engine, eager = both_engines(generator, z, labels)  # the third call ran through the lane
    assert engine == "onnxruntime" and ((z.dtype, z.shape), (labels.dtype, labels.shape)) in generator.lanes
    strided = torch.randn(4, 128)[:, ::2].copy_(z)  # onnxruntime copies it contiguous itself
    with torch.inference_mode():
        assert_same(generator(strided, labels), eager)
    assert generator.last_engine == "onnxruntime"
    wanting = z.clone().requires_grad_(True)  # numpy() refuses it: eager answers, and the gradient flows
    generator(wanting, labels).sum().backward()
    assert generator.last_engine == "eager" and float(wanting.grad.abs().sum()) > 0


@pytest.mark.parametrize("photo", ["coffee", "chelsea", "astronaut", "rocket", "horse", "grace_hopper"])
def test_classifier_top5_identical_on_bundled_photos(photo):
    from playground.classifier.predict import classify

    picture = data.photo(photo)
    fast = classify(picture)
    assert registry.get(BACKBONE).pooled_features.last_engine == "onnxruntime"  # forward = pooled + eager fc
    with inference.eager_only():
        eager = classify(picture)
    assert list(fast) == list(eager)  # the same five labels in the same order
    for label in eager:
        assert fast[label] == pytest.approx(eager[label], abs=1e-4)


def test_gradients_still_flow_through_the_shared_backbone():
    # Gatys optimises the image through the frozen network: that call must stay eager.
    model = registry.get(BACKBONE)
    pixels = torch.rand(1, 3, 64, 64, requires_grad=True)
    maps = model.forward_features(pixels, upto=3, keep=True)
    assert model.forward_features.last_engine == "eager"
    maps[3].pow(2).mean().backward()
    assert pixels.grad is not None and float(pixels.grad.abs().sum()) > 0


def test_dropout_noise_runs_eager_and_stays_seeded():
    generator = registry.get("pix2pix_emoji").generator
    drawing = seeded((1, 1, 128, 128), low=-1, high=1)()[0]
    with torch.inference_mode():
        first = generator(drawing, noise=torch.Generator().manual_seed(1))
        assert generator.forward.last_engine == "eager"
        again = generator(drawing, noise=torch.Generator().manual_seed(1))
    assert torch.equal(first, again)


def fresh(name: str) -> nn.Module:
    """An eager copy of a registered pretrained model, as ``registry.get`` builds it."""
    return registry.create(name).eval().requires_grad_(False)


def test_without_onnxruntime_the_model_stays_eager_and_says_so(monkeypatch, caplog):
    monkeypatch.setenv("PLAYGROUND_WITHOUT", "onnxruntime")
    model = fresh("mnist_cnn")
    with caplog.at_level(logging.WARNING, logger="playground.inference"):
        accelerated = inference.accelerate(model, "mnist_cnn", registry.meta("mnist_cnn")["inference"], card="mnist_cnn")
    assert accelerated is model and not inference.fast_methods(model)
    assert [record for record in caplog.records if "onnxruntime unavailable" in record.getMessage()]
    digits = seeded((4, 1, 28, 28))()[0]
    with torch.inference_mode():
        assert torch.equal(accelerated(digits), registry.get("mnist_cnn").forward.eager(digits))


def test_eager_switch_keeps_the_model_untouched(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_INFERENCE", "eager")
    model = fresh("pix2pix_emoji")
    assert inference.accelerate(model, "pix2pix_emoji", registry.meta("pix2pix_emoji")["inference"]) is model
    assert not inference.fast_methods(model)


class Spectrum(nn.Module):
    """A real network the ONNX exporter cannot take (it has no FFT operator)."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Conv2d(1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.fft.rfft2(self.scale(x)).abs()


def test_a_network_that_cannot_be_exported_runs_eager_with_a_log_line(caplog, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path))
    model = Spectrum().eval().requires_grad_(False)
    paths = FastPaths((Example("forward", seeded((2, 1, 8, 8)), warm=True),))
    with caplog.at_level(logging.WARNING, logger="playground.inference"):
        inference.accelerate(model, "spectrum", paths)
    assert [record for record in caplog.records if "no onnxruntime session" in record.getMessage()]
    x = seeded((2, 1, 8, 8))()[0]
    with torch.inference_mode():
        got = model(x)
        assert model.forward.last_engine == "eager"
        assert torch.equal(got, model.forward.eager(x))


def test_a_shape_the_graph_does_not_fit_runs_eager(caplog):
    # Without its shape key, Lite0's graph exported at 224 px bakes in the even-size padding:
    # a 225 px input must not get that graph's (shifted) answer.
    model = fresh(BACKBONE)
    paths = FastPaths((Example("forward", seeded((1, 3, 224, 224), low=-1, high=1), warm=True),))
    inference.accelerate(model, BACKBONE + "-no-shape-key", paths, card=BACKBONE)
    odd = seeded((1, 3, 225, 225), low=-1, high=1)()[0]
    with torch.inference_mode(), caplog.at_level(logging.WARNING, logger="playground.inference"):
        first, second = model(odd), model(odd)
        assert model.forward.last_engine == "eager"
        reference = model.forward.eager(odd)
    assert torch.equal(first, reference) and torch.equal(second, reference)
    assert [record for record in caplog.records if "225" in record.getMessage()]


def test_the_shape_key_separates_odd_and_even_sizes():
    even = lite.padding_signature((torch.zeros(1, 3, 224, 224),))
    assert even == lite.padding_signature((torch.zeros(2, 3, 256, 256),))
    assert even != lite.padding_signature((torch.zeros(1, 3, 225, 224),))


def test_an_exported_graph_is_cached_on_disk_and_reused(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path))
    paths = registry.meta("mnist_squeezenet")["inference"]
    stale = tmp_path / "mnist_squeezenet.0123456789ab.forward.0123456789abcdef.onnx"  # older weights or torch
    stale.write_bytes(b"old")
    with caplog.at_level(logging.INFO, logger="playground.inference"):
        inference.accelerate(fresh("mnist_squeezenet"), "mnist_squeezenet", paths, card="mnist_squeezenet")
    files = sorted(tmp_path.glob("mnist_squeezenet.*.forward.*.onnx"))
    assert len(files) == 1 and [r for r in caplog.records if "exported" in r.getMessage()]
    assert not stale.exists()
    stamp = files[0].stat().st_mtime_ns
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="playground.inference"):
        again = inference.accelerate(fresh("mnist_squeezenet"), "mnist_squeezenet", paths, card="mnist_squeezenet")
    assert not [r for r in caplog.records if "exported" in r.getMessage()]  # loaded, not exported again
    assert files[0].stat().st_mtime_ns == stamp
    assert again.forward.last_engine == "onnxruntime"


def test_an_open_lane_still_hands_eager_the_calls_it_must_not_take():
    model = registry.get("mnist_cnn")
    x = seeded((1, 1, 28, 28), seed=4)()[0]
    fast, engine, eager = both_engines(model.forward, x)
    assert engine == "onnxruntime" and ((x.dtype, x.shape),) in model.forward.lanes  # the lane is open for this shape
    # a list of maps through the lane: the same list as eager's
    maps, maps_engine, eager_maps = both_engines(model.features, x)
    with torch.inference_mode():
        assert_same(model.features(x), eager_maps)
    assert maps_engine == "onnxruntime" and model.features.last_engine == "onnxruntime"
    assert model.features.lanes and isinstance(maps, list) and len(maps) == 3
    # inside eager_only (the tests' reference): eager, lane or not
    with torch.inference_mode(), inference.eager_only():
        assert_same(model.forward(x), eager)
    assert model.forward.last_engine == "eager"
    # a view with other strides: the lane makes it contiguous and answers alike
    strided = torch.rand(1, 1, 28, 56)[..., ::2].copy_(x)
    assert not strided.is_contiguous()
    with torch.inference_mode():
        assert_same(model.forward(strided), eager)
    assert model.forward.last_engine == "onnxruntime"
    # a gradient wanted: eager, and it flows
    wanting = x.clone().requires_grad_(True)
    model.forward(wanting).sum().backward()
    assert model.forward.last_engine == "eager" and float(wanting.grad.abs().sum()) > 0
    # a tensor that could want gradients, inside no_grad: numpy() refuses it in the lane, the next path serves it
    with torch.no_grad():
        assert_same(model.forward(wanting), eager)
    assert model.forward.last_engine == "onnxruntime"
    # something that is not a tensor: the eager method's own error
    with pytest.raises((TypeError, AttributeError)):
        model.forward(x.numpy())


def test_a_negative_bit_view_is_answered_like_eager_and_keeps_the_session():
    # torch._neg_view(-x) means x, but its memory holds -x and numpy() refuses it. Such a call once made the
    # session fail at that shape, which then ran eager for every visitor.
    function = registry.get("mnist_cnn").forward
    x = seeded((1, 1, 28, 28), seed=30)()[0]
    with torch.inference_mode():
        function(x), function(x)
        with inference.eager_only():
            want = function(x)
        assert_same(function(torch._neg_view(-x)), want)
        assert function.last_engine == "onnxruntime"
        function(x)
        assert function.last_engine == "onnxruntime"


def test_threads_calling_one_shape_get_their_own_answers():
    import threading

    function = registry.get("mnist_cnn").forward
    inputs = [seeded((1, 1, 28, 28), seed=100 + i)()[0] for i in range(64)]
    with torch.inference_mode():
        function(inputs[0]), function(inputs[0])
        with inference.eager_only():
            eager = [function(x) for x in inputs]
    answers: dict[int, torch.Tensor] = {}
    start = threading.Barrier(4)

    def work(offset: int) -> None:
        start.wait()
        with torch.inference_mode():
            for index in range(offset, len(inputs), 4):
                for _ in range(5):  # many calls of this one shape in flight at once
                    answers[index] = function(inputs[index])

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(len(inputs)))
    for index, want in enumerate(eager):
        assert_same(answers[index], want)


def test_live_training_copies_stay_eager():
    model = registry.create("mnist_cnn")
    assert not inference.fast_methods(model)
    assert model.training and all(p.requires_grad for p in model.parameters())


def test_hooks_look_inside_a_shared_model_through_eager_only():
    # A served call runs none of the network's modules; inside eager_only every module runs and its hooks see it,
    # also for a shape whose lane is open and a hook deep inside the digit SqueezeNext.
    model = registry.get("mnist_squeezenext")
    x = seeded((1, 1, 28, 28), seed=5)()[0]
    with torch.inference_mode():
        model.forward(x), model.forward(x)
    assert model.forward.last_engine == "onnxruntime" and ((x.dtype, x.shape),) in model.forward.lanes
    deepest = list(model.modules())[-1]
    seen = []
    for register in (deepest.register_forward_hook, deepest.register_forward_pre_hook):
        handle = register(lambda *_, name=register.__name__: seen.append(name))
        try:
            with torch.inference_mode(), inference.eager_only():
                model.forward(x)
        finally:
            handle.remove()
        assert model.forward.last_engine == "eager" and seen[-1] == register.__name__
        with torch.inference_mode():
            model.forward(x)
        assert model.forward.last_engine == "onnxruntime"


def test_hooks_on_an_own_copy_see_every_module_run():
    model = fresh("mnist_cnn")
    seen = []
    hook = model.conv2.register_forward_hook(lambda *_: seen.append("conv2"))
    try:
        with torch.inference_mode():
            model(seeded((1, 1, 28, 28))()[0])
    finally:
        hook.remove()
    assert seen == ["conv2"] and not inference.fast_methods(model)


def test_calls_with_other_options_stay_eager(caplog):
    # Only the catalog's option values get a session: keep=True maps (as Gatys asks) run eager, with one log
    # line (upto=7: no other test asks for it, so the shared model has not said it yet).
    model = registry.get(BACKBONE)
    x = seeded((1, 3, 64, 64), low=-1, high=1)()[0]
    with torch.inference_mode(), caplog.at_level(logging.INFO, logger="playground.inference"):
        maps = model.forward_features(x, upto=7, keep=True)
        assert model.forward_features.last_engine == "eager"
        model.forward_features(x, keep=True, upto=7)  # the same options: no second line
    said = [r.getMessage() for r in caplog.records if "no session for options" in r.getMessage()]
    assert said == [f"{model.forward_features.label}: no session for options {{'upto': 7, 'keep': True}} "
                    "(not a catalog example); such calls run eager PyTorch"]
    with torch.inference_mode():
        logits = model(x)  # forward: the fast pooled features + the eager linear layer
        assert model.pooled_features.last_engine == "onnxruntime"
        with inference.eager_only():
            assert_same(maps, model.forward_features(x, upto=7, keep=True))
            assert_same(logits, model(x))


@pytest.mark.parametrize("options", [
    {"mirror": True},  # the catalog's example
    {"skips": True, "noise": None, "mirror": True},  # pix2pix.translate's call: defaults spelled out, another order
    {"noise": None, "mirror": True, "skips": True},
])
def test_keywords_in_any_order_reach_the_same_session(options):
    function = registry.get("pix2pix_emoji").generator.forward
    fast, engine, eager = both_engines(function, seeded((1, 1, 128, 128), low=-1, high=1)()[0], **options)
    assert engine == "onnxruntime"
    assert_same(fast, eager)


def test_the_pix2pix_tab_is_served_by_the_session():
    from playground.gans import pix2pix

    strokes = torch.rand(pix2pix.SIZE, pix2pix.SIZE, generator=torch.Generator().manual_seed(0)) > 0.9
    ink = strokes.float().numpy()  # any drawing of the generator's size
    for _ in range(3):  # the first call of the shape checks it against eager
        picture = pix2pix.translate(ink)
    assert registry.get("pix2pix_emoji").generator.forward.last_engine == "onnxruntime"
    with inference.eager_only():
        want = pix2pix.translate(ink)
    assert picture.shape == want.shape == (128, 128, 3)
    assert abs(picture.astype(int) - want.astype(int)).max() <= 1  # uint8 rounding of equal floats


@pytest.mark.skipif(get_device().type == "cpu", reason="needs PLAYGROUND_DEVICE=cuda or mps")
def test_on_a_gpu_the_shared_models_stay_eager():
    for name in PRETRAINED:
        model = registry.get(name)
        assert not inference.fast_methods(model)
        assert next(model.parameters()).device.type == get_device().type


def test_a_deep_copy_of_a_shared_model_is_plain_pytorch():
    import copy

    mine = copy.deepcopy(registry.get("mnist_cnn")).train().requires_grad_(True)
    assert not inference.fast_methods(mine)
    loss = mine(seeded((4, 1, 28, 28))()[0]).mean()
    loss.backward()
    assert mine.conv1.weight.grad is not None
