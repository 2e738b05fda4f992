"""How long the app took for a request, told in the response's ``Server-Timing`` header.

``Server-Timing: app;dur=12.3`` (milliseconds, from the moment the request reached the
app to the moment its answer starts) is what browsers' developer tools show next to the
network's own time, and what ``bench/bench_web.py`` reads: the server's share of a page,
apart from the network and the client. It says nothing about the page's content.
"""

from __future__ import annotations

import time

from runners.web.security import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    """Adds ``Server-Timing: app;dur=<ms>`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - began) * 1000
                message["headers"] = [*message.get("headers", []),
                                      (b"server-timing", f"app;dur={took:.1f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)
