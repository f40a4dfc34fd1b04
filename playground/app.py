"""The app shell: a header that says where the models run, then the groups of tabs (``playground.tabs``)."""

from __future__ import annotations

import logging
import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from playground import compress, deferred, first_screen, health, live_ui, look, malloc, ui  # noqa: E402
from playground.device import device_info  # noqa: E402
from playground.tabs import GROUPS, Group, load_tab, load_topics, tab_id  # noqa: E402

# Heavy work (anything that runs a network) shares one queue slot group; on a 2-core
# host two heavy jobs at once is the most that helps (1 torch thread each).
HEAVY_CONCURRENCY = int(os.environ.get("PLAYGROUND_HEAVY_CONCURRENCY", "2"))
MAX_FILE_SIZE = "25mb"
# Room in Gradio's queue for a class: every visitor's live stream plus their one-shot requests.
QUEUE_SIZE = 4 * live_ui.TRAINING_CONCURRENCY
# Gradio runs each handler call (each frame of a stream) in a worker thread: enough for every
# live stream waiting for its turn plus the one-shot requests.
MAX_THREADS = 2 * live_ui.TRAINING_CONCURRENCY + 16

CSS = look.CSS


def _build_group(group: Group) -> None:
    """A group's tabs: the second and last level of tabs on a visitor's path."""
    with gr.Tabs(elem_id=f"tabs-{group.id}"):
        for name in group.modules:
            with gr.Tab(load_tab(name).TITLE, id=tab_id(name), elem_id=f"tab-{tab_id(name)}"):
                load_tab(name).build()


def build_app() -> gr.Blocks:
    with gr.Blocks(title="Deep Learning Playground", analytics_enabled=False) as app:
        # Events registered with concurrency_id=ui.HEAVY share one limit: at most
        # HEAVY_CONCURRENCY such jobs run at once, the rest wait in the queue. Live streams are
        # all admitted (live_ui.LIVE) and share the CPU through the live runtime instead.
        # Set before the tabs exist: Gradio's queue() rebuilds its web app around every block
        # there is, and launch() builds it again anyway (build_app: 3.06 s instead of 3.28 s,
        # medians of 5, 2-core host); the queue reads its limits when events arrive, not here.
        app.queue(default_concurrency_limit=HEAVY_CONCURRENCY, max_size=QUEUE_SIZE)
        with gr.Row(elem_id="app-header"):
            gr.Markdown("# Deep Learning Playground\nLearn deep learning by touching it — real PyTorch, live.",
                        elem_id="app-title")
            gr.Markdown(f"Models run on: **{device_info().description}**", elem_id="device-badge")
        with gr.Tabs(elem_id="groups"):
            group_tabs = []
            for group in GROUPS:
                with gr.Tab(group.title, id=group.id, elem_id=f"group-{group.id}") as group_tab:
                    _build_group(group)
                group_tabs.append(group_tab)
        # The page opens on the first group: what it does not show yet fetches its scripts when opened.
        deferred.reveal_closed_accordions(app)
        for group, group_tab in zip(GROUPS[1:], group_tabs[1:]):
            deferred.reveal_on_first_open(group_tab, key=group.id)
        ui.attach_first_visit(app)
        live_ui.hidden_page_pause(app)
    look.wrap_every_tab_bar(app)
    look.name_every_picture(app)
    return app


def launch(app: gr.Blocks | None = None, **overrides):
    """Launch with safe defaults (no SSR, no run history, bounded uploads)."""
    malloc.limit_arenas()  # before the server's threads exist (playground/malloc.py says why)
    app = app or build_app()
    settings = dict(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        ssr_mode=False,  # CVE-2026-134825 needs SSR
        run_history=False,
        max_threads=MAX_THREADS,
        max_file_size=MAX_FILE_SIZE,
        footer_links=["api", "gradio"],
        css=CSS,
        theme=look.theme(),
        # /healthz and /readyz for load balancers and probes; the page itself goes out gzipped, and carries a
        # copy of its first screen that shows while Gradio builds the app (gzip wraps the page with it)
        app_kwargs={"routes": health.routes(),
                    "middleware": [compress.middleware(), first_screen.middleware(first_screen.html(app))]},
        # the page's accessibility helpers, and its "server restarted" notice
        head=look.HEAD + health.page_head(),
    )
    settings.update(overrides)
    # The first-visit examples and the tabs' one-time costs (first optimizer step, first drawing) are
    # paid in the background now, not by the first visitor; /readyz answers 200 once they are.
    threading.Thread(target=_warm_up, args=(app,), name="warm-up", daemon=True).start()
    return app.launch(**settings)


def _warm_up(app: gr.Blocks) -> None:
    try:
        ui.compute_first_visit(app)
    except Exception:  # noqa: BLE001 - the first visitor then computes them (ui._FirstVisit)
        logging.getLogger("playground").exception("first-visit examples failed")
    for topic in load_topics():
        warm_up = getattr(topic, "warm_up", None)
        if warm_up is not None:
            try:
                warm_up()
            except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
                logging.getLogger("playground").exception("warm-up of %s failed", topic.__name__)
    health.mark_ready()
