"""`alur scheduler`, `alur reminders list` and `alur demo`."""

from __future__ import annotations

import click

from runners.cli.localized import Words
from runners.cli.shared import app_of, common_options, emit_json
from runners.i18n import N_, _
from runners.words import REMINDER_STATUS_WORDS

# what became of the reminders a sweep handled: their status, or tried again later
OUTCOME_WORDS = {**REMINDER_STATUS_WORDS, "retry": N_("retry")}
# the headers of `reminders list`
ID, RUN, STEP, LEVEL, FOR = N_("Id"), N_("Run"), N_("Step"), N_("Level"), N_("For")
FALLS_DUE, STATUS, SENT, CHANNELS = N_("Falls due"), N_("Status"), N_("Sent"), N_("Channels")


@click.command()
@click.option("--once", is_flag=True,
              help="Do all due work (scheduled starts, due reminders) and exit; for cron or "
                   "systemd timers.")
@common_options
@click.pass_context
def scheduler(ctx: click.Context, once: bool) -> None:
    """The reminder and auto-start daemon (Ctrl-C or SIGTERM stops it cleanly).

    With SQLite one scheduler runs at a time; with PostgreSQL several may run
    and never send the same reminder twice.
    """
    from engine.services import BY_SCHEDULER
    from runners.channels import build_channels
    from runners.scheduler import Daemon

    app = app_of(ctx)
    app.channel = BY_SCHEDULER  # its events say they came from the scheduler
    echo = click.echo
    daemon = Daemon(app, build_channels(app.settings, echo=echo), echo=echo)
    daemon.open()
    try:
        if once:
            handled = daemon.once()
            now = app.now()
            if app.calendar.next_working_instant(now) != now:
                click.echo(_("Outside working hours: no reminders are sent now."))
            counts = ", ".join(
                f"{n} {_(OUTCOME_WORDS[outcome]) if outcome in OUTCOME_WORDS else outcome}"
                for outcome, n in sorted(daemon.counts.items()))
            if counts:
                click.echo(_("Done: {n} reminder(s) handled: {counts}.").format(
                    n=handled, counts=counts))
            else:
                click.echo(_("Done: {n} reminder(s) handled.").format(n=handled))
            return
        channels = ", ".join(c.name for c in daemon.channels) or _("none")
        click.echo(_("Alur scheduler {me} started: sweeping every {seconds} s, channels: "
                     "{channels}. Ctrl-C to stop.").format(
                         me=daemon.me, seconds=app.settings.reminders.sweep_seconds,
                         channels=channels))
        daemon.serve()
        click.echo(_("Scheduler stopped."))
    finally:
        daemon.close()


@click.group()
def reminders() -> None:
    """The reminders steps are owed, sent and failed."""


@reminders.command(name="list")
@click.option("--run", "run_id", type=int, help="Only reminders of this run.")
@click.option("--status", type=Words(REMINDER_STATUS_WORDS),
              help="Only reminders with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print the reminders as JSON.")
@common_options
@click.pass_context
def list_reminders(ctx: click.Context, run_id: int | None, status: str | None,
                   as_json: bool) -> None:
    """Reminder rows: level (0 = the step's holders, 1+ = escalations), due, status."""
    from engine import reads
    from runners.json_shapes import reminder_json

    app = app_of(ctx)
    rows = app.read(lambda store: reads.reminders(store, run_id, status))
    if as_json:
        emit_json([reminder_json(r, app.tz) for r in rows])
        return
    if not rows:
        click.echo(_("No reminders match.") if run_id or status else _("No reminders yet."))
        return
    from runners.tables import Column, short_time, table
    from runners.words import reminder_status_word

    now = app.now()
    click.echo(table([Column(_(ID), 3), Column(_(RUN), 3), Column(_(STEP), 12),
                      Column(_(LEVEL), 5), Column(_(FOR), 10, weight=2),
                      Column(_(FALLS_DUE), 11), Column(_(STATUS), 7), Column(_(SENT), 11),
                      Column(_(CHANNELS), 8, keep_from=100)], [
        [r.id, r.run_id, r.task or _("(service)"), r.level, ", ".join(r.recipients) or "-",
         short_time(r.due_at, app.tz, now), reminder_status_word(r.status),
         short_time(r.sent_at, app.tz, now), ", ".join(r.channels) or "-"] for r in rows]))


@click.command()
@click.option("--speed", type=click.FloatRange(min=10), default=3000, show_default=True,
              help="How many times faster than real time the demo clock runs.")
@common_options
def demo(speed: float) -> None:
    """Play a whole LAKIP run in a temporary workspace with a fast clock (under a minute).

    The scheduler starts the run, simulated people complete the steps (some
    late), the real scheduler sends reminders and an escalation, and the
    report closes the show.
    """
    from runners.demo import run_demo

    code = run_demo(speed, click.echo)
    if code:
        raise click.exceptions.Exit(code)
