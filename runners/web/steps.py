"""The step page: the SOP row of a task, who holds it and when it is due; completing it
(outcome, note, files, the time it really happened), handing it to another holder, and
downloading the files a completion carried."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import UploadFile
from starlette.responses import Response

from engine import services, task_reads
from engine.errors import AlurError, RunNotFound
from engine.evidence import Upload, check_size
from engine.ports import Store
from engine.services import Transition
from runners.i18n import _
from runners.web import statuses
from runners.web.page import Page, attachment

GONE = (task_reads.TaskNotFound, task_reads.NotYourUnit, RunNotFound)


class TimeUnreadable(ValueError):
    """The time it really happened, as typed, is not a date and time."""


def _ids(page: Page) -> tuple[int, int]:
    params = page.request.path_params
    return int(params["run_id"]), int(params["task_id"])


def _show(page: Page, run_id: int, task_id: int, status: int = 200, error: str = "",
          done: str = "") -> Response:
    web, person = page.web, page.person_id
    shown = web.read(lambda store: task_reads.task_page(store, web.env, run_id, task_id,
                                                        person))
    return page.render("step.html", status, step=shown, error=error, done=done,
                       max_mb=web.settings.max_upload_mb, tab="tugas",
                       given={"note": page.value("note"), "at": page.value("at")}
                       if page.form is not None else {"note": "", "at": ""})


def step_page(page: Page) -> Response:
    """GET /run/{run}/langkah/{task}: the task as the SOP writes it, and its form."""
    run_id, task_id = _ids(page)
    done = {"selesai": _("Done: the step is completed."),
            "alihkan": _("Done: the step now goes to its new holder.")}.get(page.value("ok"), "")
    return _show(page, run_id, task_id, done=done)


def _time(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    """The time typed in the form (``2026-01-05T09:30`` in the workspace's zone), if any."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise TimeUnreadable(value) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _upload(upload: UploadFile, limit: int) -> Upload:
    """A file sent with the form, measured first: one over ``limit`` bytes is refused
    (EvidenceRefused, with its real size) before it is read into memory."""
    name = upload.filename or ""
    upload.file.seek(0, 2)
    check_size(name, upload.file.tell(), limit)
    upload.file.seek(0)
    return Upload(name, upload.file.read(limit + 1))


def _act(page: Page, use_case: str) -> Response:
    """Run a use case on exactly the task the page showed; its refusal shown on the page."""
    run_id, task_id = _ids(page)
    web, person = page.web, page.person_id

    def on_task(store: Store) -> Transition:
        task_reads.seen_run(store, web.env, run_id, person)  # another unit's run: refused
        if use_case == "alihkan":
            return services.reassign_step(store, web.env, run_id, None, page.value("to"),
                                          person, task_id=task_id)
        uploads = [_upload(f, web.max_upload) for f in page.files("evidence")]
        return services.complete_step(
            store, web.env, run_id, None, person, page.value("outcome") or None,
            page.value("note").strip() or None, at, evidence=uploads,
            max_upload_bytes=web.max_upload, task_id=task_id)

    try:
        at = _time(page.value("at"), web.tz) if use_case == "selesai" else None
        web.write(on_task)
    except TimeUnreadable as exc:
        return _show(page, run_id, task_id, 400, _(
            "The time it really happened must be a date and a time, like 2026-01-05 09:30, "
            "not `{value}`; nothing was done.").format(value=exc.args[0]))
    except GONE as exc:
        return page.failure(exc)
    except AlurError as exc:
        status, _title = statuses.of(exc)
        return _show(page, run_id, task_id, status, statuses.message(exc, web))
    return page.redirect(f"/run/{run_id}/langkah/{task_id}?ok={use_case}")


def complete(page: Page) -> Response:
    """POST /run/{run}/langkah/{task}/selesai: complete the task shown, with its files."""
    return _act(page, "selesai")


def reassign(page: Page) -> Response:
    """POST /run/{run}/langkah/{task}/alihkan: hand the task to another holder (``to``)."""
    return _act(page, "alihkan")


def evidence(page: Page) -> Response:
    """GET /run/{run}/bukti/{file}: download a file of the run, never shown in the page."""
    params = page.request.path_params
    run_id, evidence_id = int(params["run_id"]), int(params["evidence_id"])
    web, person = page.web, page.person_id
    found, content = web.read(lambda store: task_reads.evidence_file(
        store, web.env, run_id, evidence_id, person))
    return page.finish(Response(content, media_type=found.mime or "application/octet-stream",
                                headers={"Content-Disposition": attachment(found.name),
                                         "X-Content-Type-Options": "nosniff"}))
