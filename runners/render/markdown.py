"""The SOP as Markdown: the identity block and the flowchart table of SOP AP.

The flowchart table has one Pelaksana column per actor. The responsible
actor's cell holds the symbol of the step (▭ process, ◇ decision) and the
attending actors' cells hold ●. A step several actors do holds its symbol in
every acting column: ▭ (or ◇) for ``complete: each``, the dashed ⬚ for a
process ``complete: any`` (a decision keeps ◇; Keterangan says that one of
them decides). Keterangan says where a decision leads (``Ya → 7; Tidak → 5``),
where a step jumps or ends the run, who completes a step of several actors,
where a split leads (``bercabang ke 2, 3 (paralel)``) and what a join waits
for (``menunggu 2 dan 4``). Our words are said in the language in use; the author's are
printed as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.spec import ANY, END, ActivitySpec, Outcome, SopSpec
from runners.i18n import _
from runners.render.dates import long_date
from runners.render.diagrams import end_label, outcome_result, parallel_notes
from runners.render.labels import duration_text, fact, head, pairs

PROCESS_MARK = "▭"
DECISION_MARK = "◇"
ATTENDING_MARK = "●"
ANY_MARK = "⬚"  # a dashed box: a process any one of the marked actors completes
EMPTY = "-"


def cell(text: str) -> str:
    """Text safe in one Markdown table cell: ``|`` escaped, line breaks as ``<br>``."""
    escaped = (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
               .replace(">", "&gt;").replace("\r\n", "\n").replace("\r", "\n"))
    return "<br>".join(line.strip() for line in escaped.strip().split("\n"))


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return [_row(header), _row("---" for _ in header), *(_row(r) for r in rows)]


def _numbered(items: Sequence[str]) -> str:
    """Items as a numbered list inside one cell (one item stays plain)."""
    if len(items) == 1:
        return cell(items[0])
    return "<br>".join(f"{n}. {cell(item)}" for n, item in enumerate(items, start=1))


def _identity(spec: SopSpec) -> list[str]:
    rows: list[tuple[str, str]] = []
    if spec.number:
        rows.append((fact("number"), cell(spec.number)))
    for key, day in (("created", spec.dates.created), ("revised", spec.dates.revised),
                     ("effective", spec.dates.effective)):
        if day is not None:
            rows.append((fact(key), long_date(day)))
    if spec.approved_by is not None:
        approver = spec.approved_by
        lines = [cell(approver.position)]
        if approver.name:
            lines.append(cell(approver.name))
        if approver.nip:
            lines.append(f"NIP. {cell(approver.nip)}")
        rows.append((fact("approved_by"), "<br>".join(lines)))
    rows.append((fact("title"), cell(spec.title)))
    unit = [spec.organization.name, spec.organization.parent]
    lines = _table((_("Work Unit"), ", ".join(cell(u) for u in unit if u)),
                   [(f"**{label}**", value) for label, value in rows])
    labels = pairs()
    paired_fields = (
        (labels[0], spec.legal_basis, labels[1], spec.qualifications),
        (labels[2], spec.related, labels[3], spec.equipment),
        (labels[4], _one(spec.warning), labels[5], _one(spec.records)),
    )
    paired: list[tuple[str, str]] = []
    for left_label, left, right_label, right in paired_fields:
        if left or right:
            paired.append((f"**{left_label}**", f"**{right_label}**"))
            paired.append((_numbered(left) or EMPTY, _numbered(right) or EMPTY))
    if paired:
        lines += ["", *_table(*_split_header(paired))]
    return lines


def _split_header(rows: list[tuple[str, str]]) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """The first pair of labels is the table's header; the rest are body rows."""
    first = rows[0]
    return (first[0].strip("*"), first[1].strip("*")), rows[1:]


def _one(text: str | None) -> tuple[str, ...]:
    return (text,) if text else ()


def _where(spec: SopSpec, outcome: Outcome) -> str:
    """Where an outcome leads: the row number, or the end of the run."""
    if outcome.target == END:
        return end_label(outcome_result(outcome))
    return str(spec.activity(outcome.target).no)


def keterangan(spec: SopSpec, activity: ActivitySpec) -> str:
    """The Keterangan cell: where the step leads (if not simply to the next row), then the note."""
    parts: list[str] = []
    if activity.is_decision:
        parts.append("; ".join(f"{cell(o.label or '')} → {_where(spec, o)}"
                               for o in activity.outcomes))
    elif activity.outcomes and not activity.split:  # a split's note says where it leads
        outcome = activity.outcomes[0]
        if outcome.target == END or spec.activity(outcome.target).no != activity.no + 1:
            parts.append(f"→ {_where(spec, outcome)}")
    parts += [cell(note) for note in parallel_notes(spec, activity)]
    if activity.note:
        parts.append(cell(activity.note))
    return "<br>".join(parts)


def _activity_row(spec: SopSpec, activity: ActivitySpec) -> list[str]:
    uraian = cell(activity.name)
    if activity.is_decision and activity.question != activity.name:
        uraian += f"<br>*{cell(activity.question)}*"
    marks = []
    symbol = (DECISION_MARK if activity.is_decision else ANY_MARK if activity.complete == ANY
              else PROCESS_MARK)
    for actor in spec.actors:
        if actor.slug in activity.acting:
            marks.append(symbol)
        else:
            marks.append(ATTENDING_MARK if actor.slug in activity.actors else "")
    requirements = "<br>".join(cell(r) for r in activity.requirements)
    waktu = duration_text(activity.duration) if activity.duration is not None else ""
    return [str(activity.no), uraian, *marks, requirements, waktu, cell(activity.output or ""),
            keterangan(spec, activity)]


def activity_header(spec: SopSpec) -> list[str]:
    """The flowchart table's header cells."""
    actors = [cell(a.title) for a in spec.actors]
    return [head("no"), head("uraian"), *actors, head("kelengkapan"), head("waktu"),
            head("output"), head("keterangan")]


def render_markdown(spec: SopSpec) -> str:
    """The SOP as a Markdown document: identity block, then the flowchart table."""
    organization = spec.organization
    lines = [f"# {cell(spec.title)}", "", f"**{cell(organization.name)}**"]
    for extra in (organization.parent, organization.address):
        if extra:
            lines[-1] += "  "  # a hard line break
            lines.append(cell(extra))
    lines += ["", "## " + _("Identity section"), "", *_identity(spec)]
    lines += ["", "## " + _("Flowchart section"), ""]
    lines += _table(activity_header(spec), (_activity_row(spec, a) for a in spec.activities))
    marks = {"process": PROCESS_MARK, "decision": DECISION_MARK, "attending": ATTENDING_MARK,
             "any": ANY_MARK}
    if any(a.complete == ANY and not a.is_decision for a in spec.activities):
        legend = _("Symbols: {process} process, {decision} decision (the responsible actor), "
                   "{attending} attending, {any} a process any one of the actors may do."
                   ).format(**marks)
    else:
        legend = _("Symbols: {process} process, {decision} decision (the responsible actor), "
                   "{attending} attending.").format(**marks)
    if not spec.total_duration.is_zero:
        legend += " " + _("Total standard time: {total}.").format(
            total=duration_text(spec.total_duration))
    lines += ["", legend]
    return "\n".join(lines) + "\n"
