"""Images › Compress: digits squeezed through 32, 8 or 2 numbers, and the 2-D latent plane, where a click decodes
any point; the visitor's own live-trained autoencoder (Autoencoder live) joins the comparison."""

from __future__ import annotations

import gradio as gr

from playground.autoencoder import latent
from playground.tabs.autoencoder import LIVE_MODEL, compression_view, decode_latent_pixel, plane_click, plane_pictures
from playground.ui import FIRST_VISIT, HEAVY, SafeNumber, current_app, friendly, shared_state, show_on_first_visit

TITLE = "Compress"


def build() -> None:
    live_model = shared_state(LIVE_MODEL)  # this visitor's live-trained autoencoder (Autoencoder live)
    gr.Markdown(
        "A digit has 784 pixels. These autoencoders keep only 32, 8 or 2 numbers in their middle and rebuild "
        "the digit from them. With **2 numbers** every digit is a point in a plane: below, the 1,000 held-out "
        "test digits, coloured by class. **Click anywhere on the plane** to decode that point."
    )
    with gr.Row():
        with gr.Column():
            plane = gr.Image(format="png", label="Latent plane (z1 → right, z2 → up): click a point",
                             interactive=False, height=latent.PLANE_SIZE + 40, elem_id="ae-plane",
                             elem_classes=[FIRST_VISIT])
            gr.HTML(latent.legend_html())
        with gr.Column():
            decoded = gr.Image(format="png", label="Decoded point", interactive=False, height=240, elem_id="ae-decoded")
            decoded_text = gr.Markdown("Click the plane.", elem_id="ae-decoded-text")
            manifold = gr.Image(format="png", label="What the decoder draws across the plane", interactive=False,
                                height=340, elem_classes=[FIRST_VISIT])
    with gr.Row():
        compress_seed = SafeNumber(0, precision=0, label="Which test digits (seed)")
        compress_button = gr.Button("Compare bottlenecks", variant="primary", elem_id="ae-compress-button")
    compress_picture = gr.Image(format="png", label="Original, then 32, 8, 2 numbers (and your live model)", interactive=False)
    compress_table = gr.Markdown(elem_id="ae-compress-table")

    # ---- events
    def on_plane_select(event: gr.SelectData):
        x, y = event.index
        return plane_click(x, y)

    plane.select(friendly(on_plane_select), None, [plane, decoded, decoded_text], api_visibility="undocumented",
                 concurrency_id=HEAVY)
    # The same action by pixel coordinates, for the API (a click has no API form).
    gr.api(friendly(decode_latent_pixel), api_name="decode_latent_pixel", concurrency_id=HEAVY)
    show_on_first_visit([compress_picture, compress_table], lambda: compression_view(0))
    compress_button.click(friendly(compression_view), [compress_seed, live_model], [compress_picture, compress_table],
                          api_name="compress", concurrency_id=HEAVY)
    # The plane and the decoder's map are drawn when the page opens (cached: the model is shared).
    current_app().load(friendly(plane_pictures), None, [plane, manifold], api_name="latent_plane", concurrency_id=HEAVY)
