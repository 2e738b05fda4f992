"""Runs: the list (filters: SOP, status, period, unit, text), starting one, a run's page
(its flowchart painted, every task, the timeline of its audit trail, its files) and
cancelling it with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import HTMLResponse, Response

from engine import corrections, services, task_reads
from engine.errors import AlurError, NotAllowed
from engine.loader import LoadedSop
from engine.ports import RunFilter, Store
from engine.runs import RUN_STATUSES
from engine.spec import END, SopSpec
from engine.text import Text
from runners.i18n import _
from runners.web import statuses
from runners.web.page import Page
from runners.web.security import DOCUMENT_CSP

SHOWN = 200  # runs listed at most (a filter narrows the rest)
FIELD = "field."


@dataclass(frozen=True, slots=True)
class FlowBox:
    """One activity of the painted flowchart on a run's page."""

    no: int
    name: str
    actors: str
    state: str  # done, active, overdue, not_reached
    decision: str | None  # the question of a decision
    exits: tuple[tuple[str, str], ...]  # (outcome label, where it leads) of a decision
    branches: tuple[str, ...]  # the steps a split starts at once


def _target(spec: SopSpec, target: str) -> str:
    if target == END:
        return _("end")
    activity = next((a for a in spec.activities if a.id == target), None)
    return f"{activity.no}. {activity.name}" if activity is not None else target


def flow_boxes(spec: SopSpec, states: dict[str, str]) -> list[FlowBox]:
    """The SOP's activities in order, each with its state in the run."""
    return [FlowBox(a.no, a.name, " / ".join(spec.actor(x).title for x in a.acting),
                    states.get(a.id, "not_reached"), a.question if a.is_decision else None,
                    tuple((o.label or "", _target(spec, o.target)) for o in a.outcomes)
                    if a.is_decision else (),
                    tuple(_target(spec, b) for b in a.branches))
            for a in spec.activities]


def _filter(page: Page) -> RunFilter:
    status = page.value("status")
    return RunFilter(page.value("sop") or None, status if status in RUN_STATUSES else None,
                     page.value("period").strip() or None, page.value("unit") or None,
                     page.value("q").strip() or None)


def _list(page: Page, status: int = 200, error: str = "",
          starting: LoadedSop | None = None) -> Response:
    web, person = page.web, page.person_id
    where = _filter(page) if page.form is None else RunFilter()  # after a start: all
    items = web.read(lambda store: task_reads.runs_of(store, web.env, person, where))
    chosen = page.value("mulai") or (page.value("sop") if page.form is not None else "")
    if starting is None and chosen:
        try:
            starting = web.sop(chosen)
        except AlurError as exc:
            error = error or statuses.message(exc, web)
    given = {k: v for k, v in (page.form or {}).items() if isinstance(v, str)}
    sops = web.sops()
    return page.render("runs.html", status, items=items[:SHOWN], total=len(items),
                       where=where, sops=sops, titles={s.spec.id: s.spec.title for s in sops},
                       error=error, starting=starting,
                       given=given, statuses=RUN_STATUSES, tab="run")


def run_list(page: Page) -> Response:
    """GET /run: the runs of the person's units, newest first (and the start form, with
    ``mulai=SOP``)."""
    return _list(page)


def start(page: Page) -> Response:
    """POST /run: start a run of an SOP (``sop``, ``period``, ``unit``, ``field.<key>``,
    ``received``) and go to its page."""
    web, person = page.web, page.person_id
    loaded: LoadedSop | None = None
    try:
        loaded = web.sop(page.value("sop"))
        spec = loaded.spec
        fields = {key[len(FIELD):]: value for key, value in (page.form or {}).items()
                  if key.startswith(FIELD) and isinstance(value, str) and value.strip()}
        period = page.value("period").strip() or None
        if period is None and not spec.registered:
            from engine.periods import default_period

            period = default_period(spec, web.now().astimezone(web.tz))
        unit = page.value("unit") or (page.units[0] if len(page.units) == 1 else None)
        if unit is not None and unit not in page.units:
            raise NotAllowed(Text("you can start runs only for your own units"))
        chosen = loaded
        done = web.write(lambda store: services.start_run(
            store, web.env, chosen, unit, period, person, fields=fields,
            received=bool(page.value("received"))))
    except AlurError as exc:
        status, _title = statuses.of(exc)
        return _list(page, status, statuses.message(exc, web), loaded)
    return page.redirect(f"/run/{done.run.id}")


def _run(page: Page, run_id: int, status: int = 200, error: str = "") -> Response:
    from runners.render_run import paint_of

    web, person = page.web, page.person_id
    shown = web.read(lambda store: task_reads.run_page(store, web.env, run_id, person))
    paint = paint_of(shown.view, web.now())
    return page.render("run.html", status, shown=shown, view=shown.view,
                       flow=flow_boxes(shown.view.spec, dict(paint.states)),
                       tasks=list(zip(shown.task_ids, shown.view.tasks, strict=True)),
                       error=error, tab="run")


def run_page(page: Page) -> Response:
    """GET /run/{run}: the run's facts, painted flowchart, tasks, timeline and files."""
    return _run(page, int(page.request.path_params["run_id"]))


def flowchart(page: Page) -> Response:
    """GET /run/{run}/bagan: the SOP's official flowchart with the run painted on it (as
    `alur run show --format html`), under a policy that allows its inline styles."""
    from engine.logo import logo_data_uri
    from runners.render import render
    from runners.render_run import paint_of

    run_id = int(page.request.path_params["run_id"])
    web, person = page.web, page.person_id
    shown = web.read(lambda store: task_reads.run_page(store, web.env, run_id, person))
    spec = shown.view.spec
    logo = logo_data_uri(spec.organization.logo, (web.app.sops_dir, web.app.workspace))
    html = render(spec, "html", paint_of(shown.view, web.now()), logo)
    return page.finish(HTMLResponse(str(html), headers={"Content-Security-Policy":
                                                        DOCUMENT_CSP}))


def cancel(page: Page) -> Response:
    """POST /run/{run}/batal: cancel the run with its reason (``reason``)."""
    run_id = int(page.request.path_params["run_id"])
    web, person = page.web, page.person_id
    reason = page.value("reason")

    def cancelling(store: Store) -> object:
        task_reads.seen_run(store, web.env, run_id, person)
        return corrections.cancel_run(store, web.env, run_id, reason, person)

    try:
        web.write(cancelling)
    except (task_reads.NotYourUnit, LookupError) as exc:
        assert isinstance(exc, AlurError)
        return page.failure(exc)
    except AlurError as exc:
        status, _title = statuses.of(exc)
        return _run(page, run_id, status, statuses.message(exc, web))
    return page.redirect(f"/run/{run_id}")
