"""CNN lab: train the seed notes' CNN live with the seed's loop, read your own digits with it,
look inside it, and measure it against SqueezeNext, SqueezeNet and MobileNet styles.

Compute lives in ``playground.cnn_lab``; this module only wires it to Gradio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import gradio as gr
import torch

from playground import alt_text, data, inference, live_ui, registry, weights
from playground.bench_rows import BenchCase
from playground.cnn_lab import render
from playground.cnn_lab.architectures import COLUMNS, CONTENDERS, SQUEEZENEXT_NOTE, architecture_rows
from playground.cnn_lab.inside import first_layer_filters, layer_table, stage_feature_maps
from playground.cnn_lab.live import (
    OPTIMIZERS, LabSession, LiveSettings, LiveUpdate, evaluate_session, mistake_gallery, train_live,
)
from playground.cnn_lab.predict import as_label_dict, digit_probabilities, sketch_to_digit, upload_to_digit
from playground.errors import TrainingDiverged, UserInputError, WeightsError
from playground.figures import history_table
from playground.nets.seed_cnn import SeedCNN
from playground.ui import HEAVY, SafeImage, SafeNumber, SafeSketchpad, explainer, friendly, show_on_first_visit

TITLE = "CNN lab"
SHIPPED = "mnist_cnn"
SESSION_MODEL = "session"  # dropdown value: this visitor's best checkpoint
LAYER_COLUMNS = ["layer", "output (H×W×C)", "receptive field", "parameters"]


# ---------------------------------------------------------------- compute glue (plain values)


def model_choices() -> list[tuple[str, str]]:
    """(label, value) pairs: every shipped MNIST classifier with its card's accuracy, then the session's."""
    choices = []
    for name in registry.list_models(task="mnist-classifier"):
        try:
            accuracy = weights.read_card(registry.spec(name).weights)["metrics"]["test_accuracy"]
            choices.append((f"{name} (shipped, {accuracy:.1%} on held-out digits)", name))
        except (WeightsError, KeyError, TypeError):
            continue  # registered but not trained yet: not offered
    return choices + [("this session's best checkpoint (train one first)", SESSION_MODEL)]


def resolve_model(choice: str, session: LabSession | None) -> torch.nn.Module:
    if choice == SESSION_MODEL:
        if session is None or not session.has_model():
            raise UserInputError("This session has no trained model yet: press Train first, or pick a shipped model.")
        return session.model()
    if choice not in registry.list_models(task="mnist-classifier"):
        raise UserInputError(f"unknown model {choice!r}; pick one from the list")
    return registry.get(choice)


def read_digit(model: torch.nn.Module, digit: np.ndarray):
    """Probabilities, what the network sees, and a look inside, for one (28, 28) digit."""
    probabilities = digit_probabilities(model, digit)
    maps = stage_feature_maps(model, digit)  # [(C, H, W)] per stage
    stage_pictures = [render.tile(m[:32], columns=8, cell=40) for m in maps]
    kernels = first_layer_filters(model)[:32]  # (N, kH, kW)
    filters = render.tile(kernels, columns=8, cell=40, diverging=True)
    gallery = [(picture, f"stage {i + 1}: {m.shape[1]}×{m.shape[2]}×{m.shape[0]}"
                + (" (first 32 channels)" if m.shape[0] > 32 else ""))
               for i, (picture, m) in enumerate(zip(stage_pictures, maps))]
    return (as_label_dict(probabilities), alt_text.picture(render.grayscale(digit), *reading_facts(probabilities)),
            gallery, alt_text.picture(filters, "First layer's filters (red +, blue −)",
                                      f"{len(kernels)} kernels of {kernels.shape[1]}×{kernels.shape[2]}"))


def reading_facts(probabilities: np.ndarray, shown: int = 3) -> tuple[str, ...]:
    """What the network's input picture shows a screen reader: the digit read, and how sure (the top guesses)."""
    order = np.argsort(probabilities)[::-1][:shown]
    guesses = [f"{digit} ({alt_text.percent(probabilities[digit], 1)})" for digit in order]
    return ("The network's 28×28 input", f"read as {guesses[0]}", "next: " + ", ".join(guesses[1:]))


def layer_rows() -> list[list]:
    return [[row.layer, row.output_shape, row.receptive_field, row.parameters] for row in layer_table(SeedCNN())]  # shapes need no weights


def classify_sketch(sketch, choice: str, session: LabSession | None):
    return read_digit(resolve_model(choice, session), sketch_to_digit(sketch))


def classify_upload(image, choice: str, session: LabSession | None):
    return read_digit(resolve_model(choice, session), upload_to_digit(image))


def curves_frame(history: dict[str, list[float]]) -> pd.DataFrame:
    return history_table(history, {"train_loss": "training", "valid_loss": "validation"}, y="loss")


def status_text(update: LiveUpdate, session: LabSession) -> str:
    if update.diverged:
        head = f"**Training diverged** after {update.seconds:.1f} s: {update.diverged}."
    elif update.finished:
        head = f"**Done**: {update.epochs} epochs, {update.step} steps in {update.seconds:.1f} s."
    else:
        step_in_epoch = update.step - (update.epoch - 1) * update.steps_per_epoch
        head = (f"Epoch {update.epoch}/{update.epochs}, step {min(step_in_epoch, update.steps_per_epoch)}/"
                f"{update.steps_per_epoch}, training loss so far {update.train_loss:.4f} ({update.seconds:.1f} s)")
    if session.has_model():
        best = f"Best checkpoint: epoch {session.best_epoch}, validation loss {session.best_loss:.4f}."
    else:
        best = "No checkpoint saved yet."
    return f"{head}  \n{best}"


def evaluation_outputs(session: LabSession):
    evaluation = evaluate_session(session)
    pairs = ", ".join(f"{t} read as {p} ×{n}" for t, p, n in evaluation.most_confused_pairs(5)) or "none"
    summary = (f"**Test accuracy: {evaluation.accuracy:.2%}** on the 1,000 held-out digits "
               f"(mean NLL {evaluation.loss:.4f}).  \nMost-confused pairs: {pairs}.")
    confusion = alt_text.picture(render.confusion_image(evaluation.confusion),
                                 "Confusion matrix of the best checkpoint on the 1,000 held-out digits",
                                 f"test accuracy {alt_text.percent(evaluation.accuracy, 2)}",
                                 f"most confused: {pairs}")
    return summary, confusion, mistake_gallery(evaluation)


def train(optimizer, learning_rate, epochs, batch_size, dropout, augment, seed, valid_percent, digits, resume,
          session, job=None):
    """Generator handler: stream curves, the seed's log lines and the best checkpoint; evaluate at the end.
    Under the live runtime (``job``) each frame says how far the run is, for the waiting line's estimates."""
    session = session if isinstance(session, LabSession) else LabSession()
    settings = LiveSettings(optimizer, learning_rate, epochs, batch_size, dropout, seed, valid_percent, digits, augment,
                            resume=resume)
    settings = settings.validated()  # clear message before anything starts
    no_change = gr.skip()
    update = None
    for update in train_live(settings, session):
        if job is not None:
            job.report_progress(update.step, update.epochs * update.steps_per_epoch)
        yield (status_text(update, session), curves_frame(update.history), "\n".join(update.log),
               session.checkpoint_path, session, no_change, no_change, no_change)
    if update.diverged:
        raise TrainingDiverged(update.diverged)
    yield (status_text(update, session), curves_frame(update.history), "\n".join(update.log),
           session.checkpoint_path, session, *evaluation_outputs(session))


def evaluate(session):
    if not isinstance(session, LabSession) or not session.has_model():
        raise UserInputError("This session has no trained model yet: press Train first.")
    return evaluation_outputs(session)


def checkpoint_info(session) -> str:
    """What the session holds (an API door to check that the best checkpoint survived)."""
    if not isinstance(session, LabSession) or not session.has_model():
        return "no checkpoint"
    return f"epoch {session.best_epoch}, validation loss {session.best_loss:.6f}"


def _discard_session(session) -> None:
    if isinstance(session, LabSession):
        session.discard()


def architecture_table(measure: bool) -> pd.DataFrame:
    return pd.DataFrame(architecture_rows(measure_latency=measure), columns=COLUMNS)


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**The CNN from the seed notes, trained and opened up in front of you.** Three 3×3 convolution + "
        "2×2 max-pool stages (16, 32, 64 channels), dropout 0.25, a 500-unit layer and log-softmax, trained "
        "with the notes' loop: each epoch trains, validates, and saves the model *only when the validation "
        "loss decreased*. Train it on 4,000 real MNIST digits (try L-BFGS as in the notes, then Adam), "
        "draw a digit and watch every stage's feature maps, and compare it with SqueezeNext and friends."
    )
    # One LabSession per visitor (made on their first Train); its checkpoint folder goes when the session does.
    session = gr.State(None, delete_callback=_discard_session)

    gr.Markdown("### 1 · Train the seed's CNN with the seed's loop")
    with gr.Row():
        with gr.Column(scale=1):
            optimizer = gr.Dropdown(list(OPTIMIZERS), value="Adam", label="Optimizer", elem_id="cnn-optimizer",
                                    info="L-BFGS evaluates each batch up to 20 times per step: give it big "
                                         "batches (512+) and learning rate 1, as in the seed.")
            learning_rate = SafeNumber(1e-3, label="Learning rate (the seed's L-BFGS uses 1)", elem_id="cnn-lr")
            epochs = gr.Slider(1, 30, value=5, step=1, label="Epochs", elem_id="cnn-epochs")
            batch_size = gr.Slider(8, 1024, value=64, step=8, label="Batch size")
            with gr.Row():
                dropout = gr.Checkbox(True, label="Dropout 0.25")
                augment = gr.Checkbox(True, label="Augment (shift, rotate)")
            resume = gr.Checkbox(False, label="Continue from my checkpoint (my last run's, or a room's copy)",
                                 elem_id="cnn-resume")
            seed = SafeNumber(0, label="Seed", precision=0)
            valid_percent = gr.Slider(5, 50, value=10, step=5, label="Validation share of the training digits (%)")
            digits = gr.Slider(200, 4000, value=4000, step=100, label="Training digits used (fewer = faster)",
                               elem_id="cnn-digits")
            with gr.Row():
                train_button = gr.Button("Train", variant="primary", elem_id="cnn-train")
                stop_button = gr.Button("Stop", variant="stop", elem_id="cnn-stop")
        with gr.Column(scale=2):
            status = gr.Markdown("Press **Train**. One epoch on 3,600 digits takes a few seconds on a CPU.",
                                 elem_id="cnn-status")
            curves = gr.LinePlot(curves_frame({}), x="epoch", y="loss", color="curve", height=260,
                                 label="Per-epoch loss", elem_id="cnn-curves")
            log = gr.Textbox(label="The seed's printed lines", lines=6, max_lines=12, elem_id="cnn-log")
            checkpoint = gr.File(label="Best checkpoint (safetensors, playground.nets.seed_cnn.SeedCNN)",
                                 elem_id="cnn-checkpoint")
            room = live_ui.room_panel("cnn_lab", copy=True)
    with gr.Row():
        with gr.Column():
            evaluate_button = gr.Button("Evaluate the best checkpoint on the test digits")
            accuracy = gr.Markdown(elem_id="cnn-accuracy")
            confusion = gr.Image(label="Confusion matrix (rows: true digit, columns: predicted)", height=380)
        mistakes = gr.Gallery(label="Most-confident mistakes on held-out digits", columns=6, height=380,
                              object_fit="contain")

    gr.Markdown("### 2 · Draw or upload a digit, and look inside")
    with gr.Row():
        with gr.Column():
            sketch = SafeSketchpad(label="Draw a digit", type="numpy", image_mode="RGBA", canvas_size=(280, 280),
                                  brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
                                  elem_id="cnn-sketch")
            choices = model_choices()
            model_choice = gr.Dropdown(choices, value=SHIPPED, label="Model", elem_id="cnn-model")
            classify_button = gr.Button("Read my drawing", variant="primary", elem_id="cnn-classify")
            upload = SafeImage(label="…or upload a photo of a digit", type="filepath", sources=["upload", "clipboard"],
                              height=160)
        with gr.Column():
            prediction = gr.Label(label="Prediction", num_top_classes=3, elem_id="cnn-prediction")
            seen = gr.Image(label="The network's 28×28 input", height=180)
            filters = gr.Image(label="First layer's filters (red +, blue −)", height=120)
    stages = gr.Gallery(label="Feature maps of every conv stage for this digit", columns=3, height=360,
                        object_fit="contain", elem_id="cnn-stages")
    gr.Dataframe(pd.DataFrame(layer_rows(), columns=LAYER_COLUMNS), label=(
        "Every layer's output and receptive field (the seed's comments: 32×32 → 16×16×16 → 8×8×32 → 4×4×64; "
        "receptive field r ← r + (k−1)·j, j ← j·stride)"), interactive=False)

    gr.Markdown("### 3 · Architecture table: the seed CNN against compact designs")
    table = gr.Dataframe(architecture_table(False), interactive=False, wrap=True, elem_id="cnn-arch-table")
    measure_button = gr.Button("Measure latency on this machine (CPU, eval mode)")
    gr.Markdown(
        "All four nets are trained by the same recipe (same 3,600 + 400 digits, augmentation, Adam 1e-3 "
        "decaying ×0.93 per epoch, batch 64, 30 epochs, save-best) and tested on the same 1,000 held-out digits. "
        "FLOPs = 2 × the multiply-accumulates of the conv and linear layers for one digit. Training wall times "
        "come from the cards and were taken on a shared, busy 2-core machine: compare them loosely. Latency is "
        f"measured when you press the button, in this server process on its CPU. {SQUEEZENEXT_NOTE}"
    )

    live_ui.play(train_button, train,
                 [optimizer, learning_rate, epochs, batch_size, dropout, augment, seed, valid_percent, digits, resume,
                  session],
                 [status, curves, log, checkpoint, session, accuracy, confusion, mistakes], panel="cnn_lab",
                 status=status, heavy=True, api_name="cnn_lab_train", show_progress="minimal")
    live_ui.stop(stop_button, panel="cnn_lab", api_name="cnn_lab_stop")

    def copy_of(host: LabSession):
        mine = host.copy()
        return mine, mine.checkpoint_path, (f"**Your copy** of the host's best checkpoint (epoch {mine.best_epoch}, "
                                            f"validation loss {mine.best_loss:.4f}): evaluate it or draw a digit below.")

    live_ui.wire_room(room, [status, curves, log, checkpoint, session, accuracy, confusion, mistakes],
                      private=(checkpoint,), copy=copy_of, copy_outputs=(session, checkpoint, status))
    evaluate_button.click(friendly(evaluate), inputs=[session], outputs=[accuracy, confusion, mistakes],
                          api_name="cnn_lab_evaluate", concurrency_id=HEAVY)
    reading = [prediction, seen, stages, filters]
    # A held-out digit already read and opened up, so section 2 never starts empty.
    show_on_first_visit(reading, lambda: classify_sketch(_drawn_digit_sketch(), SHIPPED, None))
    classify_button.click(friendly(classify_sketch), inputs=[sketch, model_choice, session], outputs=reading,
                          api_name="cnn_lab_read_drawing", concurrency_id=HEAVY)
    upload.upload(friendly(classify_upload), inputs=[upload, model_choice, session], outputs=reading,
                  api_name="cnn_lab_read_upload", concurrency_id=HEAVY)
    gr.Button(visible=False).click(friendly(checkpoint_info), inputs=[session], outputs=[gr.Textbox(visible=False)],
                                   api_name="cnn_lab_checkpoint_info")
    measure_button.click(friendly(lambda: architecture_table(True)), outputs=[table],
                         api_name="cnn_lab_measure_architectures", concurrency_id=HEAVY)


# ---------------------------------------------------------------- benchmark rows


def _drawn_digit_sketch() -> dict:
    """A held-out MNIST digit enlarged to a 280×280 Sketchpad layer (ink in the alpha)."""
    from PIL import Image

    digit = data.mnist_test().images[0]
    alpha = np.asarray(Image.fromarray(digit).resize((280, 280), Image.Resampling.BILINEAR))
    layer = np.zeros((280, 280, 4), dtype=np.uint8)
    layer[..., 3] = alpha
    return {"background": None, "layers": [layer], "composite": None}


def _bare_epoch():
    """The same epoch as a plain PyTorch loop (same digits, batches, augmentation, Adam, NLL loss
    and validation pass), without the live runtime, checkpoints or progress reports."""
    from playground.cnn_lab.digits import augment, split_indices

    settings = LiveSettings(optimizer="Adam", epochs=1, digits=4000)
    state = {}

    def run():
        if not state:
            images, labels = data.mnist_tensors("train")
            train, valid = split_indices(len(images), settings.valid_percent / 100, settings.seed)
            state.update(images=images, labels=labels, train=train, valid=valid)
        images, labels, train, valid = state["images"], state["labels"], state["train"], state["valid"]
        generator = torch.Generator().manual_seed(settings.seed)
        model = SeedCNN(dropout=0.25)
        optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
        order = train[torch.randperm(len(train), generator=generator)]
        model.train()
        for start in range(0, len(order), settings.batch_size):
            index = order[start : start + settings.batch_size]
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(model(augment(images[index], generator)), labels[index])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for start in range(0, len(valid), 500):
                index = valid[start : start + 500]
                torch.nn.functional.nll_loss(model(images[index]), labels[index])

    return run


def bench_cases() -> list[BenchCase]:
    sketch = _drawn_digit_sketch()

    def one_epoch():
        for _ in train_live(LiveSettings(optimizer="Adam", epochs=1, digits=4000), LabSession()):
            pass

    def predict_drawn():
        return digit_probabilities(registry.get(SHIPPED), sketch_to_digit(sketch))

    cases = [
        BenchCase("CNN lab: one training epoch of the seed CNN on 4,000 digits (3,600 train + 400 valid, Adam)",
                  run=one_epoch, repeats=3, warmup=1, reference=_bare_epoch(), reference_label="bare PyTorch loop"),
        BenchCase("CNN lab: read one drawn digit (sketch → MNIST-style 28×28 → seed CNN)",
                  run=predict_drawn, setup=lambda: registry.get(SHIPPED), target_ms=30,
                  reference=inference.onnxruntime_reference(SHIPPED, "forward", inference.seeded((1, 1, 28, 28))())),
        BenchCase("CNN lab: draw + look inside (prediction, feature maps, filters)",
                  run=lambda: classify_sketch(sketch, SHIPPED, None), setup=lambda: registry.get(SHIPPED)),
    ]
    for item in CONTENDERS:
        model = item.builder().eval()
        batch = torch.rand(1, 1, 28, 28)

        def forward(model=model, batch=batch):
            with torch.inference_mode():
                return model(batch)

        cases.append(BenchCase(f"CNN lab latency column: {item.label}, one digit (CPU forward)", run=forward,
                               repeats=30, warmup=5))
    return cases
