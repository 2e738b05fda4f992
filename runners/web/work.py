"""What waits: Tugas saya (the person's own tasks), Antrian bagian (the unit's tasks others
hold, and whom they wait for) and Akan datang (the steps that come to the person next)."""

from __future__ import annotations

from starlette.responses import Response

from engine import queues, task_reads
from runners.web.page import Page


def home(page: Page) -> Response:
    """GET /: the person's tasks (the login page for a visitor: see ``endpoint``)."""
    return page.redirect("/tugas")


def my_tasks(page: Page) -> Response:
    """GET /tugas: the active tasks the person may complete, overdue first."""
    web, person = page.web, page.person_id
    tasks = web.read(lambda store: task_reads.my_tasks(store, web.env, person))
    return page.render("tasks.html", tasks=tasks, tab="tugas")


def unit_queue(page: Page) -> Response:
    """GET /antrian: the unit's active tasks that others hold, with whom they wait for."""
    web, person = page.web, page.person_id
    queued = web.read(lambda store: queues.unit_queue(store, web.env, person))
    return page.render("queue.html", queued=queued, tab="antrian")


def upcoming(page: Page) -> Response:
    """GET /akan-datang: the steps of active runs that come to the person next."""
    web, person = page.web, page.person_id
    steps = web.read(lambda store: queues.upcoming(store, web.env, person))
    return page.render("upcoming.html", steps=steps, tab="akan-datang")
