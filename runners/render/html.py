"""The official SOP AP document (Bagian Identitas + Bagian Flowchart) as one HTML file.

Layout in mm. Identity block: A4 portrait (named page ``identitas``); flowchart: fixed
297 x 210 mm sheets (``flowchart``, A4 landscape, 8 mm margin), one ``section.flow-page``
each: No | Uraian Kegiatan | one 16-30 mm lane per actor (narrower once the text columns are
at their minimums) | Kelengkapan, Waktu, Output | Keterangan. A row is as tall as its text
(wrapped with DejaVu Sans widths, the widest usual sans font) and its symbols need; each
``tr`` has that height and one SVG per page lies over the lanes, in mm: lane k spans x in
[k * lane, (k + 1) * lane), y = 0 is the top of the first body row. Flow leaving a page
goes through a numbered off-page connector (segilima).
"""

from __future__ import annotations

import datetime as dt

from engine.spec import SopSpec
from runners.i18n import _, language
from runners.render.dates import long_date
from runners.render.labels import fact, head, pairs
from runners.render.layout import (
    CAPTION,
    CONN_H,
    HEAD1,
    MARGIN,
    NO_W,
    PAGE_H,
    STATES,
    _cells,
    _Columns,
    _columns,
    _e,
    _f,
    _paginate,
    _plan,
    _Row,
)
from runners.render.paint import RunPaint
from runners.render.sheet import _Sheet
from runners.words import status_word

CSS = (
    "@page identitas{size:A4 portrait;margin:12mm}@page flowchart{size:A4 landscape;margin:0}*{"
    "box-sizing:border-box}body{margin:0;font:2.4mm/1.229 'Segoe UI',Roboto,'Helvetica Neue',"
    "Arial,'Liberation Sans','Noto Sans','DejaVu Sans',sans-serif}.sheet{position:relative;"
    "background:#fff}.identity-page{page:identitas;width:210mm;padding:12mm;font-size:3.1mm}"
    ".flow-page{page:flowchart;width:297mm;height:210mm;padding:8mm;overflow:hidden;"
    "break-before:page}table{border-collapse:separate;border-spacing:0;table-layout:fixed}td,th{"
    "border-right:1px solid;border-bottom:1px solid;vertical-align:top;overflow-wrap:anywhere}"
    ".identity,.pairs{width:100%;border-collapse:collapse}.identity>*>*>*,.pairs>*>*>*{"
    "border:1px solid;padding:1.5mm 2mm;text-align:left}.unit{text-align:center!important;"
    "vertical-align:middle!important}.pairs{margin-top:4mm}.pairs td{height:22mm}ol{margin:0;"
    "padding-left:5mm}.logo{width:22mm;height:22mm;margin:0 auto 3mm;border:1px solid;"
    "line-height:22mm;color:#777}.logo-img{display:block;max-width:24mm;max-height:24mm;"
    "margin:0 auto 3mm}.org,.signer{font-weight:bold}.sign{height:18mm}.caption{"
    "display:flex;justify-content:space-between;height:5mm}.key{margin-left:3mm}.swatch{"
    "display:inline-block;width:3mm;height:2.4mm;border:1px solid;margin-right:1mm}.wrap{"
    "position:relative}.flow td{padding:0.8mm 1mm}.flow th{padding:0.5mm;font-size:2.2mm;"
    "line-height:1.23;text-align:center;vertical-align:middle}.flow thead tr:first-child th{"
    "border-top:1px solid}.flow .no{border-left:1px solid;text-align:center}.flow th.actor{"
    "font-weight:normal}.q{font-style:italic}.late{color:#c62828;font-weight:bold}.par{font-style:italic}.run-note{color:#0d47a1}svg.lanes{"
    "position:absolute;overflow:visible}@media screen{body{background:#999}.sheet{margin:6mm auto}"
    "}@media print{.identity-page{width:auto;padding:0}}")


def _date(day: dt.date | None) -> str:
    """A date as documents write it: ``2 Januari 2023`` (``-`` when missing)."""
    return "-" if day is None else long_date(day)


def logo_box(logo: str | None) -> str:
    """The logo as an image (a data URI), or the empty box that says where it goes."""
    if logo is None:
        return f'<div class="logo">{_e(_("Logo"))}</div>'
    return f'<img class="logo-img" src="{_e(logo)}" alt="{_e(_("Logo"))}"/>'


def _identity(spec: SopSpec, logo: str | None) -> str:
    """Bagian Identitas: logo and unit left, the SOP's data right, then the paired rows."""
    org, who, dates = spec.organization, spec.approved_by, spec.dates
    unit = "".join(f'<div class="{c}">{_e(v)}</div>' for c, v in (
        ("parent", (org.parent or "").upper()), ("org", org.name.upper()),
        ("addr", org.address or "")) if v)
    signed = "-" if who is None else (
        f'<div>{_e(who.position)}</div><div class="sign"></div>'
        f'<div class="signer">{_e(who.name or "-")}</div><div>NIP {_e(who.nip or "-")}</div>')
    facts = [(fact("number"), _e(spec.number or "-")), (fact("created"), _date(dates.created)),
             (fact("revised"), _date(dates.revised)), (fact("effective"), _date(dates.effective)),
             (fact("approved_by"), signed), (fact("title"), f"<strong>{_e(spec.title)}</strong>")]
    rows = "".join("<tr>" + (f'<td class="unit" rowspan="6">{logo_box(logo)}{unit}'
                             "</td>" if k == 0 else "")
                   + f"<th>{_e(name)}</th><td>{value}</td></tr>"
                   for k, (name, value) in enumerate(facts))
    cells = [("<ol>" + "".join(f"<li>{_e(v)}</li>" for v in value) + "</ol>" if value else "-")
             if isinstance(value, tuple) else _e((value or "-").strip()) for value in (
                 spec.legal_basis, spec.qualifications, spec.related, spec.equipment,
                 spec.warning, spec.records)]
    heads = [_e(label) for label in pairs()]
    paired = "".join(f"<tr><th>{heads[k]}</th><th>{heads[k + 1]}</th></tr><tr><td>{cells[k]}"
                     f"</td><td>{cells[k + 1]}</td></tr>" for k in (0, 2, 4))
    return ('<section class="sheet identity-page" id="identitas"><table class="identity">'
            '<colgroup><col style="width:42%"/><col style="width:20%"/><col style="width:38%"/>'
            f'</colgroup>{rows}</table><table class="pairs">{paired}</table></section>')


def _flow_page(spec: SopSpec, cols: _Columns, rows: list[_Row], pages: list[list[_Row]],
               page: int, numbers: dict[tuple[int, int], int], paint: RunPaint | None) -> str:
    """One landscape sheet: caption, the table with its two header rows, the SVG over it."""
    mine, actors = pages[page], [a.slug for a in spec.actors]

    def tr(height: float, cells: list[str], attrs: str = "") -> str:
        lanes = "".join(f'<td class="lane" data-actor="{_e(a)}"></td>' for a in actors)
        return (f'<tr{attrs} style="height:{_f(height)}mm"><td class="no">{cells[0]}</td><td>'
                f"{cells[1]}</td>{lanes}" + "".join(f"<td>{c}</td>" for c in cells[2:]) + "</tr>")

    top_in = next((n for (i, k), n in numbers.items()
                   if i + 1 == mine[0].index and rows[i].main(k)), None)
    svg = _Sheet(cols, mine, paint, actors).draw(rows, numbers, top_in)
    blank = tr(CONN_H, [""] * 6, ' class="connector-row"')
    body = [blank] if top_in else []
    for row in mine:
        state = paint.states.get(row.act.id, "not_reached") if paint else None
        texts = _cells(row.act, state == "overdue", row.notes, row.run_notes)
        cells = [str(row.act.no)] + ["".join(f'<div class="{c}">{_e(t)}</div>' for c, t in paras)
                                     for _, paras in texts]
        body.append(tr(row.height, cells, f' id="step-{_e(row.act.id)}" class="step'
                       f'{f" state-{state}" if state else ""}" data-y="{_f(row.top)}"'))
    if any(i == mine[-1].index and rows[i].main(k) for i, k in numbers):
        body.append(blank)
    widths = [NO_W, cols.text["uraian"], *[cols.lane] * cols.lanes,
              *(cols.text[k] for k in ("kelengkapan", "waktu", "output", "keterangan"))]
    titles = "".join(f'<th class="actor" style="font-size:{_f(cols.lane_font)}mm">'
                     f"{_e(a.title)}</th>" for a in spec.actors)
    th = {key: _e(head(key)) for key in ("no", "uraian", "pelaksana", "mutu", "kelengkapan",
                                         "waktu", "output", "keterangan")}
    where = _("Flowchart, page {page} of {pages}").format(page=page + 1, pages=len(pages))
    caption = (f'<div class="caption"><strong>{_e(spec.title)}'
               f'{f" ({_e(spec.number)})" if spec.number else ""}</strong>'
               f"<span>{_e(where)}</span></div>")
    if paint:
        keys = "".join(f'<span class="key"><span class="swatch" style="background:{fill};'
                       f'border-color:{line}"></span>{_e(_(word))}</span>'
                       for line, fill, word in STATES.values())
        run = _("Run {run} \u2014 {unit}, period {period}, status {status}").format(
            run=paint.run_id, unit=paint.unit, period=paint.period,
            status=status_word(paint.status))
        caption += (f'<div class="caption run"><span>{_e(run)}</span>'
                    f'<span class="legend">{keys}</span></div>')
    return (f'<section class="sheet flow-page" id="flow-page-{page + 1}"><div class="head">'
            f'{caption}</div><div class="wrap">'
            f'<table class="flow" style="width:{_f(sum(widths))}mm"><colgroup>'
            + "".join(f'<col style="width:{_f(w)}mm"/>' for w in widths)
            + f'</colgroup><thead><tr style="height:{_f(HEAD1)}mm"><th rowspan="2" class="no">'
            f'{th["no"]}</th><th rowspan="2">{th["uraian"]}</th><th colspan="{cols.lanes}">'
            f'{th["pelaksana"]}</th><th colspan="3">{th["mutu"]}</th>'
            f'<th rowspan="2">{th["keterangan"]}</th></tr>'
            f'<tr style="height:{_f(cols.head2)}mm">{titles}<th>{th["kelengkapan"]}</th>'
            f'<th>{th["waktu"]}</th><th>{th["output"]}</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{svg}</div></section>')


def render_html(spec: SopSpec, paint: RunPaint | None = None, logo: str | None = None) -> str:
    """The SOP as one self-contained, printable HTML document; ``paint`` colours a run's steps
    (and adds each task's note to Keterangan); ``logo`` is the unit's logo as a data URI."""
    cols = _columns(spec)
    rows = _plan(spec, cols, paint)
    room = PAGE_H - 2 * MARGIN - CAPTION * (1 + bool(paint)) - HEAD1 - cols.head2 - 1
    pages = _paginate(rows, room)
    numbers = {edge: n for n, edge in enumerate(((r.index, k) for r in rows for k, t in enumerate(
        r.targets) if t is not None and rows[t].page != r.page), start=1)}  # off-page connectors
    sheets = "".join(_flow_page(spec, cols, rows, pages, p, numbers, paint)
                     for p in range(len(pages)))
    return ('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'lang="{language()}"><head>'
            f'<meta charset="utf-8"/><title>{_e(spec.title)}</title><style>{CSS}</style></head>'
            f'<body>{_identity(spec, logo)}{sheets}</body></html>\n')
