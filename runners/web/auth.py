"""Logging in and out: the login page, the session cookie, and single-use login links.

A GET never changes anything (link previews fetch links before people click): the page
of a login link only shows one button, and its POST consumes the token.
"""

from __future__ import annotations

from starlette.responses import Response

from engine import accounts
from engine.errors import AccountLocked, LoginFailed, LoginLinkUnusable
from runners.i18n import _
from runners.web import statuses
from runners.web.page import Page, local_path

HOME = "/tugas"


def _address(page: Page) -> str | None:
    client = page.request.client
    return client.host if client is not None else None


def _next(page: Page) -> str:
    return local_path(page.value("next")) or HOME


def login_page(page: Page) -> Response:
    """GET /masuk: the login form (or on to ``next`` for a person logged in already)."""
    if page.person is not None:
        return page.redirect(_next(page))
    notice = ""
    if page.value("keluar"):
        notice = _("You are logged out.")
    elif page.value("sesi") or page.stale:
        notice = _("Your session has ended; please log in again.")
    return page.render("login.html", next=local_path(page.value("next")) or "", notice=notice,
                       error="", username="")


def log_in(page: Page) -> Response:
    """POST /masuk: check the name and password, start the session, go on to ``next``."""
    username, password = page.value("username"), page.value("password")
    web = page.web
    try:
        secret, _session = web.write(lambda store: accounts.log_in(
            store, web.env, username, password, web.hasher, _address(page)))
    except (LoginFailed, AccountLocked) as exc:
        status, _title = statuses.of(exc)
        error = _("The name or password is wrong.") if isinstance(exc, LoginFailed) else \
            statuses.message(exc, web)
        return page.render("login.html", status, next=local_path(page.value("next")) or "",
                           notice="", error=error, username=username)
    page.set_session(secret)
    return page.redirect(_next(page))


def log_out(page: Page) -> Response:
    """POST /keluar: end the session and forget its cookie."""
    web = page.web
    if page.secret is not None:
        secret = page.secret
        web.write(lambda store: accounts.log_out(store, web.env, secret))
    page.set_session(None)
    return page.redirect("/masuk?keluar=1")


def link_page(page: Page) -> Response:
    """GET /masuk/tautan/{token}: one button that logs in (the GET itself changes nothing)."""
    web = page.web
    token = page.request.path_params["token"]
    link = web.read(lambda store: accounts.peek_login_link(store, web.env, token))
    if link is None:
        return page.refuse(410, _("This link cannot be used"), _(
            "This login link was used already, has expired, or is not known. A link logs in "
            "once: ask for a new one, or log in with your password."))
    person = web.person(link.person_id)
    return page.render("link.html", token=token, next=local_path(page.value("next")) or "",
                       who=person.name if person is not None else link.person_id,
                       until=link.expires_at)


def use_link(page: Page) -> Response:
    """POST /masuk/tautan/{token}: consume the token, start the session, go on to ``next``."""
    web = page.web
    token = page.request.path_params["token"]
    try:
        secret, _session = web.write(lambda store: accounts.use_login_link(
            store, web.env, token, _address(page)))
    except LoginLinkUnusable as exc:
        return page.failure(exc)
    if page.secret is not None:  # another person's session in this browser ends
        old = page.secret
        web.write(lambda store: accounts.log_out(store, web.env, old))
    page.set_session(secret)
    return page.redirect(_next(page))
