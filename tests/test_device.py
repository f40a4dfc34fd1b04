"""The device rule (playground/device.py): who decides where a model lives, and inputs follow the model.

On any machine: the rule checked in the source (only the policy places pick a device; nobody
reaches into the backbone's private submodules) and the helpers themselves. On a CUDA machine
(tests marked ``cuda``): the transfer train → predict → Grad-CAM path, the GAN paths and the
autoencoder paths run with the shared models on the GPU and agree with the CPU, with the
session models on the CPU (the policy) and on the GPU (inputs must follow them there too).
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from playground import data, device, registry
from playground.device import device_of, session_model, to_model

PACKAGE = Path(__file__).resolve().parent.parent / "playground"
# The only places that decide a device: the policy, and the factory of shared models.
POLICY = {"device.py", "registry.py"}
BACKBONE_PRIVATES = {"_conv_stem", "_bn0", "_blocks", "_conv_head", "_bn1", "_dropout", "_fc"}


# ---------------------------------------------------------------- the rule, in the source


def device_decisions(source: str) -> list[str]:
    """Lines of ``source`` that pick a device themselves instead of following a model."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "playground.device":
            found += [f"{node.lineno}: imports get_device" for alias in node.names if alias.name == "get_device"]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "get_device":
                found.append(f"{node.lineno}: calls get_device()")
            kind = node.args[0] if name == "device" and node.args else None
            if isinstance(kind, ast.Constant) and str(kind.value).startswith(("cuda", "mps")):
                found.append(f"{node.lineno}: hard-codes torch.device({kind.value!r})")
    patterns = {r"next\([^)]*parameters\(\)\)\.device": "next(….parameters()).device (use device_of)",
                r"device_info\(\)\.device": "device_info().device"}
    for pattern, what in patterns.items():
        found += [f"{source[:m.start()].count(chr(10)) + 1}: {what}" for m in re.finditer(pattern, source)]
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_the_checker_finds_a_module_that_picks_its_own_device():
    bad = (
        "from playground.device import get_device\n"
        "import torch\n"
        "def run(model, x):\n"
        "    y = x.to(get_device())\n"
        "    z = torch.zeros(1, device=next(model.parameters()).device)\n"
        "    return model(y.to(torch.device('cuda')))\n"
        "def where():\n"
        "    return device_info().device\n"
    )
    assert [line.split(":")[0] for line in device_decisions(bad)] == ["1", "4", "5", "6", "8"]
    good = "from playground.device import to_model\ndef run(model, x):\n    return model(to_model(model, x))\n"
    assert device_decisions(good) == []


def test_only_the_policy_places_decide_a_device():
    offenders = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in POLICY or path.parent != PACKAGE
        if (found := device_decisions(path.read_text()))
    }
    assert offenders == {}


def test_no_module_reaches_into_the_backbones_private_submodules():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "nets":  # the networks themselves
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in BACKBONE_PRIVATES:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
    assert offenders == []


# ---------------------------------------------------------------- the helpers


def test_inputs_follow_the_model_and_none_stays_none():
    model = torch.nn.Linear(3, 2)
    x = torch.ones(4, 3)
    assert to_model(model, x) is x  # already there: no copy
    moved, nothing = to_model(model, x, None)
    assert moved is x and nothing is None
    assert device_of(model) == torch.device("cpu")
    assert device_of(torch.nn.ReLU()) == torch.device("cpu")  # no weights: the CPU
    on_meta = torch.nn.Linear(3, 2, device="meta")
    assert device_of(on_meta).type == "meta" and to_model(on_meta, x).device.type == "meta"


def test_session_models_live_on_the_session_device():
    assert device.session_device() == torch.device("cpu")
    assert device_of(session_model(torch.nn.Linear(2, 2).double())) == device.session_device()
    assert device_of(registry.create("mnist_cnn", pretrained=False)) == device.session_device()


def test_the_transfer_classifier_is_a_session_model_in_one_place():
    from playground.transfer.head import TransferClassifier

    model = TransferClassifier(3, "linear", unfrozen_blocks=1)
    places = {tensor.device for tensor in [*model.parameters(), *model.buffers()]}
    assert places == {device.session_device()}


# ---------------------------------------------------------------- on a CUDA GPU, against the CPU

CUDA = torch.device("cuda")


@contextlib.contextmanager
def shared_models_on(kind: str):
    """The shared models reloaded on ``kind`` (as PLAYGROUND_DEVICE would put them), then as before."""
    before = os.environ.get("PLAYGROUND_DEVICE")
    os.environ["PLAYGROUND_DEVICE"] = kind
    device.device_info.cache_clear()
    registry.clear_loaded()
    try:
        assert device.get_device().type == kind
        yield
    finally:
        if before is None:
            os.environ.pop("PLAYGROUND_DEVICE", None)
        else:
            os.environ["PLAYGROUND_DEVICE"] = before
        device.device_info.cache_clear()
        registry.clear_loaded()


@pytest.fixture(params=["cpu", "cuda"], ids=["sessions-on-cpu", "sessions-on-cuda"])
def session_place(request, monkeypatch):
    """Session models where the policy puts them (the CPU), or on the GPU: inputs must follow either way."""
    place = torch.device(request.param)
    monkeypatch.setattr(device, "session_device", lambda: place)
    return place


def on_cpu_and_cuda(compute):
    """``compute()`` with the shared models on the CPU, then on the GPU: (cpu result, cuda result)."""
    results = []
    for kind in ("cpu", "cuda"):
        with shared_models_on(kind):
            results.append(compute())
    return results


def close(cpu, cuda, atol):
    assert np.asarray(cpu).shape == np.asarray(cuda).shape
    np.testing.assert_allclose(np.asarray(cuda, dtype=np.float64), np.asarray(cpu, dtype=np.float64), atol=atol)


@pytest.mark.cuda
@pytest.mark.parametrize("unfrozen", [0, 1])
def test_transfer_train_predict_and_grad_cam_agree_with_the_cpu(session_place, unfrozen):
    from playground.transfer import examples, gradcam, head
    from playground.transfer import workspace as ws

    picture = data.photo("coffee")

    def compute():
        workspace = ws.Workspace()
        sets = examples.example_set(examples.EXAMPLE_SETS[1], per_class=4, seed=0)
        ws.set_classes(workspace, "\n".join(sets))
        for name, pictures in sets.items():
            ws.add_images(workspace, name, pictures)
        settings = head.TrainSettings(unfrozen_blocks=unfrozen, epochs=3, seed=0)
        trained = list(head.train_classifier(workspace, settings))[-1].trained
        assert device_of(registry.get(head.BACKBONE)) == device.get_device()
        assert device_of(trained.model) == session_place
        predicted = head.predict(trained, picture)
        mine = gradcam.grad_cam(picture, trained)
        imagenet = gradcam.grad_cam(picture)
        early, late, _ = gradcam.feature_maps(picture)
        return ([predicted[name] for name in trained.class_names], mine.heat, imagenet.heat,
                imagenet.probability, np.asarray(early), np.asarray(late))

    cpu, cuda = on_cpu_and_cuda(compute)
    close(cpu[0], cuda[0], atol=2e-2)  # probabilities after 3 epochs on features that differ by float noise
    close(cpu[1], cuda[1], atol=5e-2)
    close(cpu[2], cuda[2], atol=1e-2)
    close(cpu[3], cuda[3], atol=1e-3)
    close(cpu[4], cuda[4], atol=3)  # mosaics: uint8 grey levels
    close(cpu[5], cuda[5], atol=3)


@pytest.mark.cuda
def test_transfer_experiment_agrees_with_the_cpu(session_place):
    from playground.transfer import experiment

    def compute():
        points = [p for p in experiment.run_experiment(2, sizes=(1, 2), test_per_class=10, seed=0)
                  if isinstance(p, experiment.ExperimentPoint)]
        return [p.pretrained_accuracy for p in points]

    cpu, cuda = on_cpu_and_cuda(compute)
    close(cpu, cuda, atol=0.11)  # one test digit of 20 may flip


@pytest.mark.cuda
def test_gan_paths_agree_with_the_cpu(session_place):
    from playground.gans import pix2pix, quality, sampling
    from playground.gans.heldout import heldout_pairs
    from playground.gans.live_dcgan import LiveDCGAN

    inks, emoji = heldout_pairs()

    def compute():
        z = sampling.latent_vectors(3, 8, 64)
        digits = sampling.generate("dcgan_mnist", z, sampling.class_labels("dcgan_mnist", 8))
        assert device_of(registry.get("dcgan_mnist")) == device.get_device()
        scores = quality.digit_sample_quality(registry.get("dcgan_mnist").generator, count=50, seed=1)
        drawn = pix2pix.translate(inks[0], dropout=True, seed=2)
        l1 = pix2pix.heldout_l1(registry.get("pix2pix_emoji"), inks[:16], emoji[:16])["l1_pix2pix"]
        live = LiveDCGAN(seed=0)
        assert device_of(live.model) == session_place
        losses = [step.d_loss for step in live.train(2)]
        return digits, scores["asked_digit_agreement"], drawn, l1, losses, live.fixed_grid()

    cpu, cuda = on_cpu_and_cuda(compute)
    close(cpu[0], cuda[0], atol=3)  # uint8 pictures
    close(cpu[1], cuda[1], atol=0.05)
    close(cpu[2], cuda[2], atol=3)
    close(cpu[3], cuda[3], atol=1e-3)
    close(cpu[4], cuda[4], atol=1e-2)
    close(cpu[5], cuda[5], atol=8)


@pytest.mark.cuda
def test_cyclegan_paths_agree_with_the_cpu(session_place):
    from playground.gans import cyclegan, cyclegan_quality
    from playground.nets.cyclegan import CycleGAN

    digits = data.mnist_test().images[:16].astype(np.float32) / 255.0

    def compute():
        there, back = cyclegan.round_trip(digits[0], cyclegan.HANDWRITTEN_TO_TYPESET)
        model = registry.get(cyclegan.MODEL)
        assert device_of(model) == device.get_device()
        error = cyclegan_quality.cycle_error(model, digits, cyclegan.TYPESET_TO_HANDWRITTEN)
        mine = CycleGAN().to(session_place)  # a recipe's loop runs wherever its model is
        losses = cyclegan.train_cyclegan(mine, torch.zeros(8, 1, 28, 28), torch.zeros(8, 1, 28, 28),
                                         cyclegan.CycleSettings(steps=1, batch_size=2), log=lambda _: None)
        return there, back, error, losses[0].cycle

    cpu, cuda = on_cpu_and_cuda(compute)
    close(cpu[0], cuda[0], atol=1e-3)
    close(cpu[1], cuda[1], atol=1e-3)
    close(cpu[2], cuda[2], atol=1e-4)
    assert np.isfinite(cpu[3]) and np.isfinite(cuda[3])


@pytest.mark.cuda
def test_autoencoder_paths_agree_with_the_cpu(session_place):
    from playground.autoencoder import denoise, latent, live, noise

    clean = data.mnist_test().images[:16].astype(np.float32) / 255.0
    noisy = noise.corrupt(clean, "Gaussian", 0.5, seed=0)
    photo = np.asarray(data.photo("chelsea").resize((96, 64)), dtype=np.float32) / 255.0

    def compute():
        digits = denoise.denoise_digits(noisy)
        assert device_of(registry.get(denoise.DIGIT_DENOISER)) == device.get_device()
        photo_out = denoise.denoise_photo(np.clip(photo + 0.1, 0, 1), 0.1, max_tile=64)  # several tiles
        model = registry.get("autoencoder_mnist_z2")
        codes = latent.encode_digits(model, clean)
        rebuilt = latent.decode_codes(model, codes)
        config = live.LiveConfig(epochs=1, steps_per_frame=5, seed=0)
        frames = live.train_live(config)
        first = next(frames)
        frames.close()
        return digits, photo_out, codes, rebuilt, first.valid_curve[-1][1]

    cpu, cuda = on_cpu_and_cuda(compute)
    close(cpu[0], cuda[0], atol=1e-3)
    close(cpu[1], cuda[1], atol=1e-3)
    close(cpu[2], cuda[2], atol=1e-3)
    close(cpu[3], cuda[3], atol=1e-3)
    close(cpu[4], cuda[4], atol=1e-2)
