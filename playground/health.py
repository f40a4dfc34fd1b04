"""Health of one app process, for a load balancer, a container runtime and the visitor's page.

- ``/healthz`` (liveness) answers 200 while the process serves HTTP at all, with which replica and which
  boot of it this is: ``{"status": "live", "replica": "A", "boot": "3f…"}``.
- ``/readyz`` (readiness) answers 200 only once the process can serve a visitor at once: every model is
  registered (the tabs are built) and the examples a first visit shows are computed (``mark_ready``, called
  by ``playground.app`` when its warm-up is done); 503 before that. HAProxy, Docker's HEALTHCHECK and
  Kubernetes' probes send visitors only to a ready replica.
- ``page_head()`` is a small script for the page: every few seconds it asks ``/healthz`` which boot answers.
  When another process answers than the one that served the page (the replica died and the balancer sent
  the question elsewhere, or the server restarted), the visitor's sessions are gone, and the page says so
  plainly with a Reload button instead of leaving spinners turning.

A replica's name comes from ``PLAYGROUND_REPLICA`` (one letter of ``rooms.CODE_LETTERS``; the deploy
runner, compose and the Kubernetes manifests set it); the boot is new at every start.
"""

from __future__ import annotations

import json
import secrets
import threading

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from playground.rooms import replica  # this process's replica letter (PLAYGROUND_REPLICA)

LIVE_PATH = "/healthz"
READY_PATH = "/readyz"
RESTARTED_MESSAGE = "The server restarted — please reload the page."
POLL_SECONDS = 3  # how often a page asks which boot answers

BOOT = secrets.token_hex(8)  # this process
_ready = threading.Event()


def mark_ready() -> None:
    _ready.set()


def is_ready() -> bool:
    return _ready.is_set()


def _identity(status: str) -> dict:
    return {"status": status, "replica": replica(), "boot": BOOT}


async def _live(request: Request) -> JSONResponse:
    return JSONResponse(_identity("live"), headers={"Cache-Control": "no-store"})


async def _ready_or_not(request: Request) -> JSONResponse:
    ready = is_ready()
    return JSONResponse(_identity("ready" if ready else "starting"), status_code=200 if ready else 503,
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """The two endpoints, as routes for the app's FastAPI (``launch(app_kwargs={"routes": ...})``)."""
    return [Route(LIVE_PATH, _live, methods=["GET", "HEAD"]),
            Route(READY_PATH, _ready_or_not, methods=["GET", "HEAD"])]


_PAGE_SCRIPT = """
<script>
(() => {
  const boot = %(boot)s, message = %(message)s, every = %(every)d * 1000;
  function tell() {
    if (document.getElementById("server-restarted")) return;
    const box = document.createElement("div");
    box.id = "server-restarted";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;padding:14px 18px;" +
      "background:#b91c1c;color:#fff;font:600 17px system-ui,sans-serif;text-align:center";
    box.textContent = message + " ";
    const button = document.createElement("button");
    button.textContent = "Reload";
    button.style.cssText = "margin-left:12px;padding:4px 14px;font:inherit;color:#b91c1c;background:#fff;" +
      "border:0;border-radius:6px;cursor:pointer";
    button.onclick = () => window.location.reload();
    box.appendChild(button);
    document.body.appendChild(box);
  }
  async function check() {
    try {
      const answer = await fetch(new URL("healthz", document.baseURI), {cache: "no-store"});
      if (answer.ok && (await answer.json()).boot !== boot) { tell(); return; }
    } catch (error) { /* unreachable for a moment: Gradio shows its own "connection lost" */ }
    setTimeout(check, every);
  }
  setTimeout(check, every);
})();
</script>
"""


def page_head() -> str:
    """The ``<head>`` script that tells a visitor their server restarted (see the module's docstring)."""
    return _PAGE_SCRIPT % {"boot": json.dumps(BOOT), "message": json.dumps(RESTARTED_MESSAGE),
                           "every": POLL_SECONDS}
