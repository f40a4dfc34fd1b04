"""The app's look on every screen: a theme whose text colours pass WCAG AA, and CSS for phones.

Gradio's Soft theme draws labels, the selected tab and primary buttons in indigo-500 (#6366f1)
and secondary text in grey-400 (#9ca3af): against their backgrounds those pairs measure 2.4–4.5:1,
below the 4.5:1 that small text needs (axe-core, 2026-12-07). The theme below keeps Soft and moves
those colours one or two shades darker (indigo-600/700, grey-600): 6–7:1.

The CSS lets the page fit a 390 px phone: the title wraps between words (never inside one), the
header's badge goes under it, pictures shrink to the width, and controls are at least 24 px tall
(WCAG 2.2 target size). Tab bars wrap onto a second row instead of hiding tabs behind Gradio's
"More tabs" menu (``wrap_every_tab_bar``).
"""

from __future__ import annotations

import gradio as gr


# The system's own fonts: Soft's Montserrat and IBM Plex Mono cost a phone 192 KiB before the first word
# shows (three woff2 files, measured with Lighthouse 2026-12-07).
SANS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "DejaVu Sans", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono", "monospace"]


def theme() -> gr.themes.Base:
    return gr.themes.Soft(font=SANS, font_mono=MONO).set(
        # Labels on their pale-indigo chips: indigo-700 on indigo-100 is 6.9:1 (indigo-500 was 3.6:1).
        block_label_text_color="*primary_700",
        block_title_text_color="*primary_700",
        # Secondary text (a slider's min and max, info lines, the footer): grey-600 on white is 7.6:1.
        body_text_color_subdued="*neutral_600",
        input_placeholder_color="*neutral_500",
        # White on indigo-600 is 6.3:1 (on indigo-500, 4.5:1 exactly missed it at 4.46).
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_border_color="*primary_600",
        button_primary_border_color_hover="*primary_700",
        checkbox_label_background_fill_selected="*primary_600",
        # The selected tab's label and links: indigo-600 on the page's grey-50 is 6.0:1.
        color_accent="*primary_600",
        link_text_color="*primary_700",
    )


CSS = """
.explainer { font-size: 0.95em; }
#device-badge { text-align: right; opacity: 0.9; }
#groups > .tab-wrapper button { font-size: 1.1em; font-weight: 600; }
/* A title breaks between words only. */
#app-title h1 { overflow-wrap: normal; word-break: normal; hyphens: none; }
/* Pictures and plots never make the page wider than the screen. */
.gradio-container img, .gradio-container canvas, .gradio-container svg { max-width: 100%; }
/* A plot's label says what it shows with its numbers (alt_text.plot): it sits above the plot, not over it. */
.block:has([data-testid=matplotlib]) > [data-testid=block-label] { position: static; }
/* Read by screen readers, not shown (the page's polite live region, see HEAD). */
.visually-hidden-status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
/* Icon buttons (download, full screen, copy) are touch targets of at least 24 px (WCAG 2.2). */
.icon-button-wrapper .icon-button, .icon-button-wrapper a { min-width: 24px; min-height: 24px; }
@media (max-width: 640px) {
  #app-header { flex-wrap: wrap; }
  #app-header > * { min-width: 100% !important; }
  #device-badge { text-align: left; }
  #app-title h1 { font-size: 1.6em; }
  /* Tab labels are touch targets: at least 44 px tall on a touch screen. */
  [role=tab] { min-height: 44px; }
}
"""


# Runs once in the page (``launch(head=...)``): names what Gradio leaves unnamed for a screen reader,
# and reads live statuses out politely.
# - An example picture is a button holding an <img alt="">: it is named after its file
#   ("Example: coffee" for coffee_512.jpg).
# - An empty output is a <div aria-label="Empty value"> with no role, which ARIA forbids: it becomes an image.
# - A plot's empty layer (Vega's hover marks: <g role="graphics-symbol"> with nothing in it, and no name)
#   is hidden from screen readers.
# - A matplotlib plot is an <img> whose alt Gradio fixes ("… plot visualising provided data"): it gets its
#   plot's label, which a handler writes with the numbers the plot shows (``alt_text.plot``). It is copied
#   at once, whenever anything the copy reads changes inside the plot's block: the label's text (Gradio
#   rewrites its text node in place), a new <img> (a new figure replaces it) or the <img>'s alt or src.
# - Every status (an element whose id ends in "-status", e.g. #cnn-status) of the open tab is read out
#   through one polite live region, at most once every ANNOUNCE_MS: a run streaming 10 frames a second is
#   heard as "Epoch 3/30 …" every few seconds, and its last words ("Stopped", "Done") always arrive.
# The rest is looked at again 250 ms after the page changes (not on every streamed frame: the page stays idle).
ANNOUNCE_MS = 4000
HEAD = """<script>
(() => {
  const ANNOUNCE_MS = %d, LOOK_AGAIN_MS = 250;
  const nameFromFile = (src) => decodeURIComponent(src.split('/').pop().split('?')[0])
    .replace(/\\.[a-z0-9]+$/i, '').replace(/[_-]+/g, ' ').replace(/\\b\\d+\\b/g, '').trim();
  let region = null, lastSaid = '', lastAt = 0, pending = null;
  const say = (text) => {
    if (!region) {
      region = document.createElement('div');
      region.id = 'live-announcer';
      region.className = 'visually-hidden-status';
      region.setAttribute('role', 'status');
      region.setAttribute('aria-live', 'polite');
      document.body.append(region);
    }
    region.textContent = text;
    lastSaid = text;
    lastAt = performance.now();
  };
  const announce = () => {
    const statuses = [...document.querySelectorAll('[id$="-status"]')].filter((node) => node.offsetParent !== null);
    const text = statuses.map((node) => (node.querySelector('textarea')?.value || node.innerText || '').trim())
      .filter(Boolean).join('. ').slice(0, 300);
    if (!text || text === lastSaid) return;
    clearTimeout(pending);
    const wait = ANNOUNCE_MS - (performance.now() - lastAt);
    if (wait <= 0) say(text); else pending = setTimeout(announce, wait);
  };
  const labelPlot = (plot) => {
    const picture = plot.querySelector('img');
    const label = plot.closest('.block')?.querySelector('[data-testid=block-label]')?.textContent.trim();
    if (picture && label && picture.alt !== label) picture.alt = label;
  };
  // The plots a change touched: those in the block it happened in, and those in what it added.
  const plotsTouched = (record, plots) => {
    const element = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    element?.closest('.block')?.querySelectorAll('[data-testid=matplotlib]').forEach((plot) => plots.add(plot));
    for (const node of record.addedNodes) {
      if (node.nodeType === 1) node.querySelectorAll('[data-testid=matplotlib]').forEach((plot) => plots.add(plot));
    }
  };
  const fix = () => {
    scheduled = false;
    for (const button of document.querySelectorAll('button.gallery-item:not([aria-label])')) {
      const picture = button.querySelector('img[src]');
      if (picture && !button.innerText.trim()) button.setAttribute('aria-label', `Example: ${nameFromFile(picture.src)}`);
    }
    for (const box of document.querySelectorAll('.empty[aria-label]:not([role])')) box.setAttribute('role', 'img');
    for (const mark of document.querySelectorAll('g[role=graphics-symbol]:not([aria-label]):empty')) mark.setAttribute('aria-hidden', 'true');
    document.querySelectorAll('[data-testid=matplotlib]').forEach(labelPlot);
    announce();
  };
  let scheduled = false;
  const schedule = () => { if (!scheduled) { scheduled = true; setTimeout(fix, LOOK_AGAIN_MS); } };
  new MutationObserver((records) => {
    const plots = new Set();
    for (const record of records) plotsTouched(record, plots);
    plots.forEach(labelPlot);
    // Text changing in place (a status's timer ticks every 100 ms) does not wake the rest.
    if (records.some((record) => record.type !== 'characterData')) schedule();
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
                                         attributes: true, attributeFilter: ['src', 'alt']});
})();
</script>""" % ANNOUNCE_MS


def name_every_picture(app: gr.Blocks) -> None:
    """Every picture output gets a text alternative: its label, until a handler sends a better one
    with the numbers the picture shows (``alt_text.picture``: a ``gr.update`` that only the page gets).
    Without one, Gradio draws the picture inside a button that a screen reader announces as just "button"."""
    for block in app.blocks.values():
        if isinstance(block, gr.Image) and not block.alt_text:
            block.alt_text = block.label or "Picture"


def wrap_every_tab_bar(app: gr.Blocks) -> None:
    """Every ``gr.Tabs`` of the built app wraps its tab labels onto more rows when they do not fit,
    instead of hiding them behind a "More tabs" menu (Gradio's default, ``overflow_behavior="menu"``).
    Called once on the whole app, so tabs built by any module (or implicitly by a ``gr.Tab``) follow."""
    for block in app.blocks.values():
        if isinstance(block, gr.Tabs):
            block.overflow_behavior = "wrap"
