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

if TYPE_CHECKING:
    from engine.errors import Problem
    from engine.loader import LoadedSop
    from engine.spec import ActivitySpec, SopSpec


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

    targets = list(paths) or [sops_dir(ctx)]
    for path in targets:
        if not path.exists():
            raise DomainError(f"{path}: no such file or folder")
    files = sop_files(targets)
    if not files:
        raise DomainError(f"no SOP files (*.yaml, *.yml) in {', '.join(map(str, targets))}")
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
            click.echo(str(problem))
    summary = f"{len(files)} file{'s' * (len(files) != 1)} checked: {errors} error" \
              f"{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if failing:
        raise DomainError(summary + (" (--strict: warnings count as errors)" if strict and
                                     not errors else ""))
    if not as_json:
        click.echo(f"OK: {summary}", err=bool(problems))


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

        click.echo(table([Column("ID", 24), Column("Nama SOP", 16, weight=2),
                          Column("Nomor", keep_from=90), Column("Langkah", 3),
                          Column("Total waktu baku", 8)],
                         [[s.spec.id, s.spec.title, s.spec.number or "-",
                           len(s.spec.activities), str(s.spec.total_duration)] for s in rows]))
    if catalog.failed:
        broken = ", ".join(e.problems[0].file for e in catalog.failed)
        raise DomainError(f"{len(catalog.failed)} SOP file(s) have problems and are not listed: "
                          f"{broken}; run `alur sop validate` to see them")


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
        return str(numbers[text]) if text in numbers else text.replace("end:", "selesai: ") \
            .replace("end", "selesai")

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
        ("Nama SOP", spec.title),
        ("Nomor SOP", spec.number or "-"),
        ("Unit kerja", ", ".join(x for x in (org.name, org.parent) if x)),
        ("Jenis", spec.kind or "-"),
        ("Tanggal Pembuatan", str(dates.created or "-")),
        ("Tanggal Revisi", str(dates.revised or "-")),
        ("Tanggal Efektif", str(dates.effective or "-")),
    ]
    if spec.approved_by:
        who = spec.approved_by
        identity.append(("Disahkan oleh", " / ".join(x for x in (who.position, who.name,
                                                                   who.nip and f"NIP {who.nip}")
                                                      if x)))
    for label, items in (("Dasar Hukum", spec.legal_basis), ("Keterkaitan", spec.related),
                         ("Kualifikasi Pelaksana", spec.qualifications),
                         ("Peralatan/Perlengkapan", spec.equipment)):
        if items:
            identity.append((label, "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))))
    if spec.warning:
        identity.append(("Peringatan", spec.warning))
    if spec.records:
        identity.append(("Pencatatan dan Pendataan", spec.records))
    actors = "\n".join(
        f"{a.title} ({a.slug}" + (f", atasan: {a.reports_to}" if a.reports_to else "")
        + (", pihak luar" if a.external else "") + ")" for a in spec.actors)
    identity.append(("Pelaksana", actors))
    titles = {a.slug: a.title for a in spec.actors}
    rows = [[a.no, a.name, "\n".join(titles[x] + (" *" if i == 0 and len(a.actors) > 1 else "")
                                     for i, x in enumerate(a.actors)),
             "\n".join(a.requirements), str(a.duration) if a.duration else "-",
             a.output or "", _next_text(spec, a),
             "\n".join(x for x in ((a.is_decision and f"◇ {a.question}") or "", a.note or "")
                       if x)]
            for a in spec.activities]
    total = spec.total_duration
    parts = [
        pairs(identity),
        "",
        table([Column("No", 2), Column("Uraian Kegiatan", 18, weight=2), Column("Pelaksana"),
               Column("Kelengkapan", keep_from=110), Column("Waktu", 8),
               Column("Output", keep_from=120), Column("Lanjut", 8),
               Column("Keterangan", 12, weight=2)], rows),
        "",
        f"{len(spec.activities)} kegiatan; total waktu baku: {total}"
        + (f" ({total.minutes} menit)" if total.minutes >= 120 and not total.days else ""),
    ]
    if any(len(a.actors) > 1 for a in spec.activities):
        parts.append("* penanggung jawab kegiatan yang dihadiri beberapa pelaksana")
    return "\n".join(parts)


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
