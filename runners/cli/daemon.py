"""`alur scheduler`, `alur reminders list` and `alur demo`."""

from __future__ import annotations

import click

from runners.cli.shared import app_of, common_options, emit_json


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
    from runners.channels import build_channels
    from runners.scheduler import Daemon

    app = app_of(ctx)
    echo = click.echo
    daemon = Daemon(app, build_channels(app.settings, echo=echo), echo=echo)
    daemon.open()
    try:
        if once:
            handled = daemon.once()
            now = app.now()
            if app.calendar.next_working_instant(now) != now:
                click.echo("Outside working hours: no reminders are sent now.")
            counts = ", ".join(f"{n} {status}" for status, n in sorted(daemon.counts.items()))
            click.echo(f"Done: {handled} reminder(s) handled" + (f": {counts}." if counts
                                                                 else "."))
            return
        channels = ", ".join(c.name for c in daemon.channels) or "none"
        click.echo(f"Alur scheduler {daemon.me} started: sweeping every "
                   f"{app.settings.reminders.sweep_seconds} s, channels: {channels}. "
                   "Ctrl-C to stop.")
        daemon.serve()
        click.echo("Scheduler stopped.")
    finally:
        daemon.close()


@click.group()
def reminders() -> None:
    """The reminders steps are owed, sent and failed."""


@reminders.command(name="list")
@click.option("--run", "run_id", type=int, help="Only reminders of this run.")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed",
                                             "retired"]),
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
        click.echo("No reminders" + (" match." if run_id or status else " yet."))
        return
    from runners.tables import Column, short_time, table

    now = app.now()
    click.echo(table([Column("Id", 3), Column("Run", 3), Column("Langkah", 12),
                      Column("Level", 5), Column("Untuk", 10, weight=2),
                      Column("Jatuh tempo", 11), Column("Status", 7), Column("Terkirim", 11),
                      Column("Saluran", 8, keep_from=100)], [
        [r.id, r.run_id, r.task or "(layanan)", r.level, ", ".join(r.recipients) or "-",
         short_time(r.due_at, app.tz, now), r.status, short_time(r.sent_at, app.tz, now),
         ", ".join(r.channels) or "-"] for r in rows]))


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
