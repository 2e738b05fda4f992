"""The web app: what every request shares (``Web``), its routes, and ``create_app``.

The routes are those of spec/web.md's URL map; each handler lives in the module of its
pages (``auth``, ``work``, ``steps``, ``runs``, ``documents``) and is one use case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from runners.i18n import _
from runners.web.core import STATIC, Web
from runners.web.page import Handler, endpoint, plain_error
from runners.web.security import SecurityMiddleware
from runners.web.timing import ServerTiming

if TYPE_CHECKING:
    from runners.app import App


def _healthz(request: Request) -> Response:
    """200 ``ok`` when the database answers, 503 otherwise."""
    web: Web = request.app.state.web
    try:
        web.read(lambda store: store.audit_head())
    except Exception:
        return PlainTextResponse("unavailable", 503)
    return PlainTextResponse("ok")


def _routes() -> list[Route | Mount]:
    from runners.web import auth, documents, runs, steps, work

    def page(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",),
             login: bool = True, files: bool = False) -> Route:
        return Route(path, endpoint(handler, login, files), methods=list(methods))

    return [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        page("/", work.home),
        page("/masuk", auth.login_page, login=False),
        page("/masuk", auth.log_in, ("POST",), login=False),
        page("/keluar", auth.log_out, ("POST",), login=False),
        page("/masuk/tautan/{token}", auth.link_page, login=False),
        page("/masuk/tautan/{token}", auth.use_link, ("POST",), login=False),
        page("/tugas", work.my_tasks),
        page("/antrian", work.unit_queue),
        page("/akan-datang", work.upcoming),
        page("/run", runs.run_list),
        page("/run", runs.start, ("POST",)),
        page("/run/{run_id:int}", runs.run_page),
        page("/run/{run_id:int}/bagan", runs.flowchart),
        page("/run/{run_id:int}/batal", runs.cancel, ("POST",)),
        page("/run/{run_id:int}/langkah/{task_id:int}", steps.step_page),
        page("/run/{run_id:int}/langkah/{task_id:int}/selesai", steps.complete, ("POST",),
             files=True),
        page("/run/{run_id:int}/langkah/{task_id:int}/alihkan", steps.reassign, ("POST",)),
        page("/run/{run_id:int}/bukti/{evidence_id:int}", steps.evidence),
        page("/sop", documents.sop_list),
        page("/sop/{sop_id}.pdf", documents.sop_pdf),
        page("/sop/{sop_id}.bpmn", documents.sop_bpmn),
        page("/sop/{sop_id}", documents.sop_document),
        page("/laporan/{run_id:int}.xlsx", documents.report_xlsx),
        page("/laporan/{run_id:int}.csv", documents.report_csv),
        page("/laporan/{run_id:int}", documents.report_page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(app: App) -> Starlette:
    """The ASGI app of a workspace (what `alur web` serves)."""
    web = Web(app)

    def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status in (404, 405):
            return plain_error(web, request, status)
        return HTMLResponse(_("Something went wrong."), status)

    def server_error(request: Request, exc: Exception) -> Response:
        return HTMLResponse(web.render("error.html", page=None, person=None, csrf="",
                                       title=_("Something went wrong"), message=_(
                                           "Alur could not finish this because of an internal "
                                           "error. Tell the operator the time it happened.")),
                            500)

    site = Starlette(routes=_routes(), exception_handlers={
        HTTPException: http_error, Exception: server_error},
        middleware=[Middleware(ServerTiming),
                    Middleware(SecurityMiddleware, upload_limit=web.upload_limit,
                               form_limit=web.form_limit)])
    site.state.web = web
    return site
