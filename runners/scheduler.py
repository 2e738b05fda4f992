"""The reminder and auto-start daemon (`alur scheduler`), on APScheduler 3.x.

The database is the truth about what is due (the reminders table); the
scheduler is only the clock that drives two kinds of jobs: a sweep every
``sweep_seconds`` that claims due reminders and sends them, and one job per
SOP with a ``start:`` block that starts its runs. Jobs name module-level
functions as text and take JSON-safe arguments; the daemon they act on is
this process's ``Daemon``. What it prints, and the reminders it sends, are in
the language in use (the daemon's ALUR_LANG or ``--lang``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import AlurError
from runners.i18n import N_, _, ngettext, say, say_error, use_language
from runners.i18n import language as language_in_use

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from engine.autostart import ScheduledStart
    from engine.loader import LoadedSop
    from engine.notify import ReminderMessage
    from engine.runs import Delivery
    from runners.app import App
    from runners.channel_base import Channel
    from runners.reminder_links import ReminderLinks

log = logging.getLogger("alur.scheduler")
BATCH = 200
_DAEMON: Daemon | None = None
SAID_STATUS = {"sent": N_("sent"), "failed": N_("failed"), "pending": N_("pending"),
               "retired": N_("retired")}  # a reminder's status in the daemon's lines


@dataclass
class Daemon:
    """One scheduler process: claims and sends reminders, starts scheduled runs."""

    app: App
    channels: list[Channel]
    echo: Callable[[str], None] = field(default=log.info)
    me: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:"
                                            f"{uuid.uuid4().hex[:6]}")
    language: str = field(default_factory=language_in_use)  # of its lines and reminders, in every
    # thread (the scheduler's jobs run in threads of their own)

    def __post_init__(self) -> None:
        from engine.services import BY_SCHEDULER

        if self.app.channel != BY_SCHEDULER:  # however it was started, its events say so
            self.app.channel = BY_SCHEDULER
            self.app.__dict__.pop("env", None)  # the Env made before knew another channel
        self.lock = self.app.db.lease(self.me)
        self.counts: dict[str, int] = {}  # reminders handled by their outcome

    def open(self) -> None:
        """Take the lease and give back what a dead daemon had claimed."""
        from engine import reminders

        self.lock.acquire()
        released = self.app.write(lambda s: reminders.release_orphans(s, self.me,
                                                                      self.lock.alive))
        if released:
            self.echo(ngettext("took back {n} reminder a stopped scheduler had claimed",
                               "took back {n} reminders a stopped scheduler had claimed",
                               released).format(n=released))

    def close(self) -> None:
        """Release the lock."""
        self.lock.release()

    def sweep(self) -> int:
        """Send every due reminder (only in working time); return how many were handled."""
        from engine import reminders

        now = self.app.now()
        if self.app.calendar.next_working_instant(now) != now:
            return 0  # nothing is sent at night, on weekends or holidays
        self.app.write(lambda s: reminders.release_orphans(s, self.me, self.lock.alive))
        handled = 0
        while True:
            ids = self.app.write(lambda s: reminders.claim_due(s, now, self.me, BATCH))
            for reminder_id in ids:
                handled += self._send(reminder_id, now)
            if len(ids) < BATCH:
                return handled

    def _send(self, reminder_id: int, now: dt.datetime) -> int:
        """Prepare, deliver and record one claimed reminder; 1 if it was sent or failed."""
        from engine import reminders

        env = self.app.env
        outgoing = self.app.write(lambda s: reminders.prepare(s, env, reminder_id, self.me, now))
        if outgoing is None:
            return 0
        links = self.links()
        if links is not None:  # the message leads to the step's page on the web
            outgoing = dataclasses.replace(outgoing, message=links.with_page(
                outgoing.message, outgoing.reminder.step_run_id))
        tries = self.deliver(outgoing)
        done = self.app.write(lambda s: reminders.record(s, env, outgoing, tries, self.me,
                                                         self.app.now()))
        who = ", ".join(p.id for p in outgoing.recipients) or _("nobody")
        error = say(done.last_error or "")
        outcome = done.status
        if done.status == "pending":  # a try failed; another comes later
            outcome = "retry"
            status = _("not delivered ({error}); try {attempt} of {tries}, next at {time}").format(
                error=error, attempt=done.attempts, tries=reminders.MAX_ATTEMPTS,
                time=self.app.local(done.due_at))
        elif done.status == "failed":
            status = _("FAILED for good ({error})").format(error=error)
        else:
            status = _(SAID_STATUS.get(done.status, done.status)) + (
                f" ({error})" if error else "")
        places = {"id": done.id, "level": outgoing.message.level,
                  "run": outgoing.message.run_id, "step": outgoing.message.step_no or "-",
                  "task": outgoing.message.task, "who": who, "status": status}
        self.echo((_("escalation {id} (level {level}) run {run} step {step} {task} -> {who}: "
                     "{status}") if outgoing.message.level else
                   _("reminder {id} (level {level}) run {run} step {step} {task} -> {who}: "
                     "{status}")).format(**places))
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if done.status == "failed":
            self.alert(outgoing, done.last_error or "")
        return 1

    def alert(self, outgoing: Any, error: str) -> None:
        """A reminder failed for good: tell the operator (`[reminders] operator`), loudly."""
        from engine.runs import Delivery

        operator = self.app.settings.reminders.operator
        if not operator:
            self.echo(_("reminder {id} FAILED for good: {error} (set [reminders] operator in "
                        "alur.toml to be told)").format(id=outgoing.reminder.id,
                                                        error=say(error)))
            return
        person = next((p for u in self.app.roster.units for p in u.people
                       if p.id == operator), None)
        if person is None:
            self.echo(_("reminder {id} FAILED for good: {error}; the operator `{operator}` is "
                        "not in the roster").format(id=outgoing.reminder.id, error=say(error),
                                                    operator=operator))
            return
        message = dataclasses.replace(outgoing.message, failure=error)
        for channel in self.channels:
            if not channel.applies_to(person):
                continue
            try:
                detail, ok = channel.send(message, person), True
            except Exception as exc:  # the operator's own channel failing: say so, go on
                detail, ok = f"{type(exc).__name__}: {exc}", False
            self._record_delivery(Delivery(outgoing.reminder.id, f"operator:{person.id}",
                                           channel.name, self.app.now(), ok, detail))

    def deliver(self, outgoing: Any) -> list[Delivery]:
        """Try every channel for every recipient not yet reached; record each try at once."""
        from engine.runs import Delivery
        from runners.channel_base import ChannelError

        tries: list[Delivery] = []
        for person in outgoing.recipients:
            channels = [c for c in self.channels if (person.id, c.name) not in outgoing.done
                        and c.applies_to(person)]
            message = self.message_for(outgoing.message, person.id, channels)
            for channel in channels:
                try:
                    detail = channel.send(message, person)
                    ok = True
                except ChannelError as exc:
                    detail, ok = str(exc), False
                except Exception as exc:  # a broken channel must not stop the others
                    detail, ok = f"{type(exc).__name__}: {exc}", False
                delivery = Delivery(outgoing.reminder.id, person.id, channel.name,
                                    self.app.now(), ok, detail)
                if not ok:
                    self.echo("  " + _("could not reach {person} by {channel}: {detail}").format(
                        person=person.id, channel=channel.name, detail=detail))
                self._record_delivery(delivery)
                tries.append(delivery)
        return tries

    def links(self) -> ReminderLinks | None:
        """The links of this office's reminders: None unless [web] base_url is set."""
        from runners.reminder_links import ReminderLinks

        web = self.app.settings.web
        if not web.base_url:
            return None
        return ReminderLinks(web.base_url, self._login_token if web.login_links else None)

    def _login_token(self, person_id: str) -> str:
        """A new login link's token for the person, in a transaction of its own."""
        from engine.accounts import make_login_link

        return self.app.write(lambda s: make_login_link(s, self.app.env, person_id))

    def message_for(self, message: ReminderMessage, person_id: str,
                    channels: list[Channel]) -> ReminderMessage:
        """The message as one recipient gets it: with a login link of their own when login
        links are on and a channel reaches them in person (the console only writes a log
        line); without one, if it cannot be made (the page's own address then)."""
        links = self.links()
        if links is None or not any(c.name != "console" for c in channels):
            return message
        try:
            return links.for_person(message, person_id)
        except AlurError as exc:
            self.echo("  " + _("no login link for {person}: {error}").format(
                person=person_id, error=say_error(exc)))
            return message

    def _record_delivery(self, delivery: Delivery) -> None:
        from engine import reminders

        self.app.write(lambda s: reminders.record_delivery(s, delivery))

    def start_runs(self) -> list[tuple[str, str, str, int]]:
        """Start the runs the SOPs' `start:` blocks ask for now (never twice)."""
        from engine.autostart import latest_start
        from engine.catalog import load_catalog

        started = []
        now = self.app.now()
        for loaded in load_catalog([self.app.sops_dir]).loaded:
            if loaded.spec.start is None:
                continue
            plan = latest_start(loaded.spec.start, self.app.calendar, now)
            if plan is None:
                continue
            for unit in self.app.roster.units:
                run_id = self._start(loaded, unit.slug, plan)
                if run_id is not None:
                    started.append((loaded.spec.id, unit.slug, plan.period, run_id))
        return started

    def _start(self, loaded: LoadedSop, unit: str, plan: ScheduledStart) -> int | None:
        """Start one scheduled run unless it exists; its id, or None."""
        from engine import services
        from engine.errors import DuplicateRun

        sop = loaded.spec.id
        try:
            done = self.app.write(lambda s: services.start_run(
                s, self.app.env, loaded, unit, plan.period, None, plan.at, automatic=True))
        except DuplicateRun:
            return None  # started before (by us, by hand, or by another daemon just now)
        except AlurError as exc:  # a bad roster or SOP: say so, keep the daemon going
            self.echo(_("could not start {sop} for {unit}: {error}").format(
                sop=sop, unit=unit, error=say_error(exc)))
            return None
        self.echo(_("started run {run}: {sop} for {unit}, period {period} (from {time})").format(
            run=done.run.id, sop=sop, unit=unit, period=plan.period,
            time=self.app.local(plan.at)))
        return done.run.id

    def once(self) -> int:
        """All due work, then return: scheduled starts, then reminders."""
        self.start_runs()
        return self.sweep()

    def serve(self, scheduler: BaseScheduler | None = None) -> None:
        """Run until SIGINT/SIGTERM: the sweep job and one start job per SOP."""
        global _DAEMON
        from apscheduler.schedulers.blocking import BlockingScheduler

        _DAEMON = self
        scheduler = scheduler or BlockingScheduler(timezone=self.app.calendar.tz)
        add_jobs(scheduler, self.app)

        def stop(signum: int, _frame: object) -> None:
            self.echo(_("stopping ({signal})").format(signal=signal.Signals(signum).name))
            scheduler.shutdown(wait=False)

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start_runs()
            scheduler.start()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _DAEMON = None


def add_jobs(scheduler: BaseScheduler, app: App) -> None:
    """The sweep job and one start job per SOP with a `start:` block (stable ids)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from engine.catalog import load_catalog

    scheduler.add_job("runners.scheduler:sweep_job", IntervalTrigger(
        seconds=app.settings.reminders.sweep_seconds), id="sweep", replace_existing=True,
        max_instances=1, coalesce=True, misfire_grace_time=None,
        next_run_time=dt.datetime.now(app.calendar.tz))  # the first sweep at once
    for loaded in load_catalog([app.sops_dir]).loaded:
        start = loaded.spec.start
        if start is None:
            continue
        if start.every == "year":
            assert start.month is not None
            months = f"{start.month},{start.month % 12 + 1}"  # a start can move into the next
        elif start.every == "quarter":
            months = "1,2,4,5,7,8,10,11"
        else:
            months = "*"
        scheduler.add_job("runners.scheduler:start_job", CronTrigger(
            month=months, minute="*/10", timezone=app.calendar.tz), args=[loaded.spec.id],
            id=f"start:{loaded.spec.id}", replace_existing=True, max_instances=1,
            coalesce=True, misfire_grace_time=None)


def sweep_job() -> None:
    """APScheduler job: one sweep of the running daemon."""
    daemon = _DAEMON
    if daemon is not None:
        try:
            with use_language(daemon.language):
                daemon.sweep()
        except Exception:  # keep the daemon alive; the next sweep tries again
            log.exception(_("the sweep failed; the next one tries again"))


def start_job(sop_id: str) -> None:
    """APScheduler job: start the runs an SOP's `start:` block asks for."""
    daemon = _DAEMON
    if daemon is not None:
        try:
            with use_language(daemon.language):
                daemon.start_runs()
        except Exception:
            log.exception(_("starting the runs of {sop} failed").format(sop=sop_id))
