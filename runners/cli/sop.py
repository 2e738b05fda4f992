"""`alur sop ...`: validate, list, show and the JSON Schema of SOP files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from runners.cli.shared import (
    DomainError,
    common_options,
    emit_json,
    force_option,
    options,
    sops_dir,
    write_output,
)
from runners.i18n import N_, _, ngettext, say

if TYPE_CHECKING:
    from engine.durations import Duration
    from engine.errors import Problem
    from engine.loader import LoadedSop
    from engine.spec import ActivitySpec, ActorSpec, SopSpec


# the headers of `sop list`
SOP_NAME, NUMBER, STEPS = N_("SOP name"), N_("Number"), N_("Steps")
TOTAL_TIME = N_("Total standard time")


@click.group()
def sop() -> None:
    """Check, list and show SOP files."""


@sop.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@common_options
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """Check SOP files or folders (default: the workspace's sops/).

    Prints FILE:LINE:COL: message for every problem; exits 1 when any file is
    invalid (or has warnings, with --strict).
    """
    from engine.catalog import load_catalog, sop_files
    from runners.i18n import say_problem

    targets = list(paths) or [sops_dir(ctx)]
    for path in targets:
        if not path.exists():
            raise DomainError(_("{path}: no such file or folder").format(path=path))
    files = sop_files(targets)
    if not files:
        raise DomainError(_("no SOP files (*.yaml, *.yml) in {paths}").format(
            paths=", ".join(map(str, targets))))
    catalog = load_catalog(targets)
    problems = catalog.problems
    if not paths:  # the workspace's own SOPs: are their roles held in its roster?
        problems = sorted(problems + _roster_warnings(ctx, catalog.loaded),
                          key=lambda p: (p.file, p.line, p.column))
    errors = catalog.error_count
    warnings = len(problems) - errors
    failing = errors + (warnings if strict else 0)
    if as_json:
        emit_json({"files": len(files), "valid": failing == 0, "problems": [
            {"file": p.file, "line": p.line, "column": p.column, "message": p.message,
             "severity": "warning" if p.warning else "error"} for p in problems]})
    else:
        for problem in problems:
            click.echo(say_problem(problem))
    summary = _("{files} checked: {errors}, {warnings}").format(
        files=ngettext("{n} file", "{n} files", len(files)).format(n=len(files)),
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
    if failing:
        raise DomainError(_("{summary} (--strict: warnings count as errors)").format(
            summary=summary) if strict and not errors else summary)
    if not as_json:
        click.echo(_("OK: {summary}").format(summary=summary), err=bool(problems))


def _roster_warnings(ctx: click.Context, loaded: list[LoadedSop]) -> list[Problem]:
    """A warning for each role of the SOPs that nobody holds today in a unit of the roster
    (none when the workspace has no roster, or a roster with problems of its own)."""
    import datetime as dt

    from engine.errors import ConfigError
    from engine.roster_check import unheld_role_warnings
    from engine.roster_loader import load_roster
    from runners.app import ROSTER_FILE

    path = options(ctx).workspace_dir / ROSTER_FILE
    if not path.is_file():
        return []
    try:
        roster = load_roster(path)
    except ConfigError:
        return []
    return unheld_role_warnings(roster, loaded, dt.date.today())


@sop.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the SOPs as JSON.")
@common_options
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List the workspace's SOPs: id, title, number, steps, total standard time."""
    from engine.catalog import load_catalog

    catalog = load_catalog([sops_dir(ctx)])
    rows = sorted(catalog.loaded, key=lambda s: s.spec.id)
    if as_json:
        emit_json([{"id": s.spec.id, "title": s.spec.title, "number": s.spec.number,
                    "steps": len(s.spec.activities),
                    "total_minutes": s.spec.total_duration.minutes,
                    "total_days": float(s.spec.total_duration.days), "file": s.path}
                   for s in rows])
    else:
        from runners.tables import Column, table

        click.echo(table([Column("ID", 24), Column(_(SOP_NAME), 16, weight=2),
                          Column(_(NUMBER), keep_from=90), Column(_(STEPS), 3),
                          Column(_(TOTAL_TIME), 8)],
                         [[s.spec.id, s.spec.title, s.spec.number or "-",
                           len(s.spec.activities), duration_text(s.spec.total_duration)]
                          for s in rows]))
    if catalog.failed:
        broken = ", ".join(e.problems[0].file for e in catalog.failed)
        raise DomainError(ngettext(
            "{n} SOP file has problems and is not listed: {files}; run `alur sop validate` to "
            "see them",
            "{n} SOP files have problems and are not listed: {files}; run `alur sop validate` "
            "to see them", len(catalog.failed)).format(n=len(catalog.failed), files=broken))


@sop.command()
@click.argument("sop_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the SOP as JSON.")
@common_options
@click.pass_context
def show(ctx: click.Context, sop_id: str, as_json: bool) -> None:
    """Show an SOP: its identity block and its activity table."""
    from engine.catalog import find_sop

    loaded = find_sop(sops_dir(ctx), sop_id)
    if as_json:
        from engine.sop_data import sop_data

        emit_json(sop_data(loaded.spec))
        return
    click.echo(render_sop_text(loaded))


@sop.command()
@common_options
def schema() -> None:
    """Print the JSON Schema of SOP files (for editors such as VS Code's YAML extension)."""
    from engine.schema import sop_schema_json

    click.echo(sop_schema_json(), nl=False)


def _next_text(spec: SopSpec, activity: ActivitySpec) -> str:
    numbers = {a.id: a.no for a in spec.activities}

    def target(text: str) -> str:
        if text in numbers:
            return str(numbers[text])
        if text == "end":
            return _("end")
        if text.startswith("end:"):
            return _("end: {result}").format(result=text.removeprefix("end:"))
        return text

    if activity.is_decision:
        return "\n".join(f"{o.label} → {target(o.text)}" for o in activity.outcomes)
    following = activity.no + 1 if activity.no < len(spec.activities) else None
    only = activity.outcomes[0].text
    if numbers.get(only) == following or (following is None and only == "end"):
        return ""
    return f"→ {target(only)}"


def render_sop_text(loaded: LoadedSop) -> str:
    """The identity block and the activity table, for a terminal."""
    from runners.tables import Column, pairs, table

    spec = loaded.spec
    org = spec.organization
    dates = spec.dates
    identity: list[tuple[str, str]] = [
        (_("SOP name"), spec.title),
        (_("SOP number"), spec.number or "-"),
        (_("Work unit"), ", ".join(x for x in (org.name, org.parent) if x)),
        (_("Kind"), spec.kind or "-"),
        (_("Date created"), str(dates.created or "-")),
        (_("Date revised"), str(dates.revised or "-")),
        (_("Effective date"), str(dates.effective or "-")),
    ]
    if spec.approved_by:
        who = spec.approved_by
        identity.append((_("Approved by"), " / ".join(x for x in (who.position, who.name,
                                                                   who.nip and f"NIP {who.nip}")
                                                      if x)))
    for label, items in ((N_("Legal basis"), spec.legal_basis), (N_("Related SOPs"), spec.related),
                         (N_("Implementer qualifications"), spec.qualifications),
                         (N_("Equipment/supplies"), spec.equipment)):
        if items:
            identity.append((_(label), "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))))
    if spec.warning:
        identity.append((_("Warning"), spec.warning))
    if spec.records:
        identity.append((_("Records and data keeping"), spec.records))
    identity.append((_("Actors"), "\n".join(_actor_line(a) for a in spec.actors)))
    titles = {a.slug: a.title for a in spec.actors}
    rows = [[a.no, a.name, "\n".join(titles[x] + (" *" if i == 0 and len(a.actors) > 1 else "")
                                     for i, x in enumerate(a.actors)),
             "\n".join(a.requirements), duration_text(a.duration) if a.duration else "-",
             a.output or "", _next_text(spec, a),
             "\n".join(x for x in ((a.is_decision and f"◇ {a.question}") or "", a.note or "")
                       if x)]
            for a in spec.activities]
    total = spec.total_duration
    count = len(spec.activities)
    if total.minutes >= 120 and not total.days:
        summary = ngettext("{n} activity; total standard time: {total} ({minutes} minutes)",
                           "{n} activities; total standard time: {total} ({minutes} minutes)",
                           count).format(n=count, total=duration_text(total),
                                         minutes=total.minutes)
    else:
        summary = ngettext("{n} activity; total standard time: {total}",
                           "{n} activities; total standard time: {total}", count).format(
                               n=count, total=duration_text(total))
    parts = [
        pairs(identity),
        "",
        table([Column(_("No"), 2), Column(_("Activity description"), 18, weight=2),
               Column(_("Actors")), Column(_("Requirements"), keep_from=110),
               Column(_("Time"), 8), Column(_("Output"), keep_from=120),
               Column(_("Next"), 8), Column(_("Remarks"), 12, weight=2)], rows),
        "",
        summary,
    ]
    if any(len(a.actors) > 1 for a in spec.activities):
        parts.append(_("* the actor responsible for an activity that several actors attend"))
    return "\n".join(parts)


def duration_text(duration: Duration) -> str:
    """A duration as the SOP's author wrote it, else (a sum) as Alur counts it, in the
    language in use."""
    return duration.written or say(duration.computed)


def _actor_line(actor: ActorSpec) -> str:
    """``Sekretaris Kecamatan (sekcam, reports to: camat)``."""
    facts = [actor.slug]
    if actor.reports_to:
        facts.append(_("reports to: {actor}").format(actor=actor.reports_to))
    if actor.external:
        facts.append(_("external party"))
    return f"{actor.title} ({', '.join(facts)})"


@sop.command()
@click.argument("sop_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "md", "mermaid", "dot",
                                                     "bpmn"]),
              default="html", show_default=True,
              help="html/pdf: the official SOP document; md: identity block and table; "
                   "mermaid/dot: the flow; bpmn: BPMN 2.0 XML for BPMN modelers.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output; for pdf: ID.pdf).")
@force_option
@common_options
@click.pass_context
def render(ctx: click.Context, sop_id: str, fmt: str, output: Path | None) -> None:
    """Render an SOP as the official document (html, pdf) or a diagram."""
    from engine.catalog import find_sop
    from runners.render import render as render_sop

    loaded = find_sop(sops_dir(ctx), sop_id)
    logo = None
    if fmt in ("html", "pdf"):
        from engine.logo import logo_data_uri

        folder = Path(loaded.path).absolute().parent
        logo = logo_data_uri(loaded.spec.organization.logo, (folder, folder.parent))
    write_output(render_sop(loaded.spec, fmt, None, logo), output,
                 f"{sop_id}.{fmt}" if fmt == "pdf" else None)
