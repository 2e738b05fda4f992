"""One request, one use case: the endpoint wrapper, the page it renders, and the refusals.

Every route is a plain function ``handler(page) -> Response`` run in a worker thread (the
database is used synchronously). ``endpoint`` reads a POST's form first (its size bounded),
then, in the thread: finds the person of the session cookie, sends a visitor to the login
page, refuses a POST without its CSRF token or from another origin (403, nothing changed),
and turns every Alur error into a page that says what went wrong, with the fitting status.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from engine import accounts
from engine.errors import AlurError, RunNotFound
from runners.i18n import _, say_error
from runners.web import statuses
from runners.web.core import MAX_FILES, Web
from runners.web.security import BodyTooLarge, same_origin

if TYPE_CHECKING:
    from engine.roster import Person

log = logging.getLogger("alur.web")

SESSION_COOKIE = "alur_session"
CSRF_COOKIE = "alur_csrf"  # before login: the login and login-link forms' token
MAX_FIELDS = 200
HTMX_STOP = 286  # htmx stops polling on this status
LARGEST_ID = 2**31 - 1  # of a row id (a larger one in a URL names nothing)
Handler = Callable[["Page"], Response]


@dataclass
class Page:
    """One request as a handler sees it: who asks, their form, and how to answer."""

    request: Request
    web: Web
    form: FormData | None = None
    person: Person | None = None
    secret: str | None = None  # the session cookie's secret, while its session lives
    stale: bool = False  # a session cookie came whose session has ended
    units: tuple[str, ...] = ()
    _csrf_cookie: str | None = None  # a new pre-login CSRF cookie to set
    _set: list[tuple[str, str | None]] = field(default_factory=list)

    # -- who asks ------------------------------------------------------------------------

    def identify(self) -> None:
        """The person of the session cookie, if its session lives (its use noted)."""
        from engine.queues import visible_units

        secret = self.request.cookies.get(SESSION_COOKIE)
        if not secret:
            return
        web = self.web
        session = web.write(lambda store: accounts.session_of(
            store, web.env, secret, web.settings.session_hours))
        person = web.person(session.person_id) if session is not None else None
        if session is None or person is None:
            self.stale = True
            self._set.append((SESSION_COOKIE, None))
            return
        self.person, self.secret = person, secret
        self.units = visible_units(web.env.roster, person.id)

    @property
    def person_id(self) -> str:
        """The logged-in person's id (handlers behind the login only)."""
        assert self.person is not None
        return self.person.id

    # -- forms ---------------------------------------------------------------------------

    @property
    def csrf(self) -> str:
        """The token this page's forms carry: the session's, else the pre-login cookie's."""
        if self.secret is not None:
            return accounts.csrf_token(self.secret)
        return accounts.csrf_token(self._pre_login_secret())

    def _pre_login_secret(self) -> str:
        given = self.request.cookies.get(CSRF_COOKIE)
        if given and len(given) >= 32:
            return given
        if self._csrf_cookie is None:
            self._csrf_cookie = secrets.token_urlsafe(32)
        return self._csrf_cookie

    def post_allowed(self) -> bool:
        """A POST from this app's own page: the right origin and the right CSRF token."""
        if not same_origin(self.request, self.web.settings.base_url):
            return False
        token = self.value("csrf")
        if self.secret is not None:
            return accounts.csrf_ok(self.secret, token)
        return accounts.csrf_ok(self.request.cookies.get(CSRF_COOKIE), token)

    def value(self, name: str) -> str:
        """A text field of the form (query string for a GET), "" when missing."""
        source: Any = self.form if self.form is not None else self.request.query_params
        found = source.get(name)
        return found if isinstance(found, str) else ""

    def files(self, name: str) -> list[UploadFile]:
        """The files of a file field that were chosen (an empty input sends none)."""
        if self.form is None:
            return []
        return [f for f in self.form.getlist(name)
                if isinstance(f, UploadFile) and (f.filename or f.size)]

    # -- answers -------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        """A page from a template, with what every page shows."""
        html = self.web.render(template, page=self, person=self.person, csrf=self.csrf,
                               **values)
        return self.finish(HTMLResponse(html, status))

    def redirect(self, url: str) -> Response:
        """See Other: to a page after a POST (or to the login page)."""
        return self.finish(RedirectResponse(url, 303))

    def refuse(self, status: int, title: str, message: str) -> Response:
        """A page saying why nothing was done."""
        return self.render("error.html", status, title=title, message=message)

    def failure(self, exc: AlurError) -> Response:
        """The page of an Alur error: what went wrong, with its status."""
        status, title = statuses.of(exc)
        return self.refuse(status, title, statuses.message(exc, self.web))

    def set_session(self, secret: str | None) -> None:
        """Set (or, with None, remove) the session cookie on the answer."""
        self._set.append((SESSION_COOKIE, secret))

    def finish(self, response: Response) -> Response:
        """The cookies this request sets or removes."""
        secure = self.web.secure(self.request)
        for name, value in self._set:
            if value is None:
                response.delete_cookie(name, path="/", secure=secure, httponly=True,
                                       samesite="lax")
            else:
                response.set_cookie(name, value, path="/", secure=secure, httponly=True,
                                    samesite="lax")
        if self._csrf_cookie is not None:
            response.set_cookie(CSRF_COOKIE, self._csrf_cookie, path="/", secure=secure,
                                httponly=True, samesite="lax")
        return response

    def login_url(self) -> str:
        """The login page, coming back here afterwards."""
        here = self.request.url.path + (f"?{self.request.url.query}"
                                        if self.request.url.query else "")
        asked = [f"next={quote(here, safe='')}"] if here != "/" else []
        if self.stale:
            asked.append("sesi=habis")
        return "/masuk" + ("?" + "&".join(asked) if asked else "")


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this app (``/run/7``), else None: ``next`` never leads
    away (no ``//host``, no scheme, no backslash tricks, no control characters)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def endpoint(handler: Handler, login: bool = True,
             files: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a handler (see the module's docstring)."""

    async def answer(request: Request) -> Response:
        web: Web = request.app.state.web
        form: FormData | None = None
        problem: tuple[int, str, str] | None = None
        declared = request.headers.get("content-length", "")
        limit = web.upload_limit if files else web.form_limit
        if request.method == "POST" and declared.isdigit() and int(declared) > limit:
            problem = (413, _("Too much at once"), web.too_big_message(files))
        elif request.method == "POST":
            try:
                form = await request.form(max_files=MAX_FILES if files else 0,
                                          max_fields=MAX_FIELDS,
                                          max_part_size=web.form_limit)
            except BodyTooLarge:
                problem = (413, _("Too much at once"), web.too_big_message(files))
            except Exception as exc:  # a form the multipart parser cannot read
                problem = (400, _("The form could not be read"), _(
                    "The form sent was not one of this app's forms ({error}). Go back, "
                    "reload the page and try again.").format(error=type(exc).__name__))
        try:
            return await run_in_threadpool(serve, web, request, handler, form, login, problem)
        finally:
            if form is not None:
                await form.close()

    return answer


def serve(web: Web, request: Request, handler: Handler, form: FormData | None, login: bool,
          problem: tuple[int, str, str] | None) -> Response:
    """Run one request's handler in a worker thread (``Web.serve``)."""
    page = Page(request, web, form)
    try:
        page.identify()
        if problem is not None:
            return page.refuse(*problem)
        if any(isinstance(v, int) and v > LARGEST_ID for v in request.path_params.values()):
            run_id = request.path_params.get("run_id", 0)
            if run_id > LARGEST_ID:  # no database row has such an id (PostgreSQL's integer)
                raise RunNotFound(str(run_id))
            return plain_error(web, request, 404)
        if login and page.person is None:
            if request.headers.get("hx-request"):
                return Response(status_code=HTMX_STOP)  # a page's polling stops quietly
            if request.method == "GET":
                return page.redirect(page.login_url())
            return page.refuse(403, _("Please log in again"), _(
                "Your session has ended, so nothing was done. Log in again, then repeat what "
                "you were doing.") if page.stale else _(
                "Log in first: only people of the roster may do this."))
        if request.method == "POST" and not page.post_allowed():
            return page.refuse(403, _("Refused"), _(
                "This form did not come from this app's own page (its security token is "
                "missing or wrong, or it was sent from another site), so nothing was done. "
                "Reload the page and try again."))
        return handler(page)
    except AlurError as exc:
        return page.failure(exc)
    except Exception:
        log.exception("%s %s failed", request.method, request.url.path)
        return page.refuse(500, _("Something went wrong"), _(
            "Alur could not finish this because of an internal error; nothing was changed. "
            "Tell the operator the time it happened; the details are in the server's log."))


def said(exc: AlurError) -> str:
    """An Alur error's message in the language in use."""
    return say_error(exc)


def plain_error(web: Web, request: Request, status: int) -> Response:
    """The page of a URL that names nothing (404) or a method it does not take (405)."""
    page = Page(request, web)
    if status == 405:
        return page.refuse(405, _("Not here"), _("This address does not take that kind of "
                                                 "request."))
    return page.refuse(404, _("Not found"), _("There is no page at this address. Check the "
                                              "link, or start from your tasks."))


def attachment(name: str) -> str:
    """A Content-Disposition that downloads a file under its name (an ASCII stand-in for
    old browsers, the name itself in UTF-8 for the others)."""
    plain = re.sub(r"[^A-Za-z0-9._ ()-]", "_", name).strip() or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
