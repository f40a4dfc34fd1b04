"""Send the page itself compressed.

Gradio compresses its scripts and stylesheets (paths ending in .js, .css, .json, …) but not the
page at "/", whose HTML carries the whole app's config inline: 1.32 MB here, sent as it is. Its
JSON compresses about tenfold. ``CompressPages`` gzips every response whose path has no file
extension (the page, /config, the API's JSON answers) when the browser accepts gzip; paths with an
extension are left to Gradio (compressed there, or pictures that gain nothing). Starlette's
GZipMiddleware does the work: it leaves event streams and already-encoded responses alone.

Wire it with ``launch(app_kwargs={"middleware": [compress.middleware()]})``: FastAPI builds its
middleware stack from that list when the server starts.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# Smaller answers are sent as they are (gzip's header and the work would outweigh the saving).
MINIMUM_SIZE = 1024


def _has_extension(path: str) -> bool:
    return "." in path.rsplit("/", 1)[-1]


class CompressPages:
    """Gzip responses to paths without a file extension (``/``, ``/config``, ``/gradio_api/info``)."""

    def __init__(self, app: ASGIApp, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _has_extension(scope.get("path", "")):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def middleware() -> Middleware:
    return Middleware(CompressPages)
