"""What protects every response and request: the security headers, the size of a request's
body, and the origin of a POST.

- Every response carries a Content-Security-Policy without inline scripts or remote
  sources (a response that must allow inline styles, the SOP document, sets its own),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, and pages are not
  kept in shared caches.
- A request body larger than its route allows stops being read (``BodyTooLarge``): the
  upload of a completion may carry ``MAX_FILES`` files of ``max_upload_mb``, any other
  form a little text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
DOCUMENT_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY"))


class BodyTooLarge(Exception):
    """The request's body is larger than its route accepts (it is not read further)."""


def body_limit(path: str, upload_limit: int, form_limit: int) -> int:
    """The most bytes a request to ``path`` may send: a completion carries files."""
    return upload_limit if path.endswith("/selesai") else form_limit


class SecurityMiddleware:
    """Sets the security headers on every response, and bounds every request's body."""

    def __init__(self, app: ASGIApp, upload_limit: int, form_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.form_limit = form_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.upload_limit, self.form_limit)
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        static = scope["path"].startswith("/static/")

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _value in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [h for h in HEADERS if h[0] not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, bounded, headed)


def origin_of(url: str) -> str:
    """``https://host:port`` of a URL (empty when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_origin(request: Request, base_url: str) -> bool:
    """Whether a POST comes from this app's own pages: its ``Origin`` header, when the
    browser sends one, is this server's address or ``[web] base_url``'s; a browser that
    says the request is cross-site is refused too."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {origin_of(str(request.base_url))}
    if base_url:
        own.add(origin_of(base_url))
    return origin.strip().lower() in own
