"""A run and its report as printable documents (HTML, printed to PDF by WeasyPrint) under
the unit's heading, the kop: the logo left, then the parent government, the unit's name and
its address, over a double rule, as Indonesian offices head their letters.

A4 landscape, so that every column of the run (times, standard and actual working time,
outcome, notes) has room; the page number and when it was printed at the foot. Our words
are in the language in use (the page's ``lang`` too); the author's and the people's are
printed as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from html import escape
from typing import Any

from engine.durations import format_minutes
from engine.reads import RunView
from engine.spec import Organization
from runners.i18n import N_, _, language, say
from runners.render.dates import long_date as written_date
from runners.words import status_word

PAGE = ("@page{size:A4 landscape;margin:12mm 12mm 15mm;@bottom-right{content:%s;"
        "font:7pt 'DejaVu Sans',sans-serif;color:#555}}")
CSS = (
    "*{box-sizing:border-box}body{margin:0;font:8pt/1.3 'DejaVu Sans','Liberation Sans',"
    "Arial,sans-serif;color:#000}@media screen{body{max-width:273mm;margin:8mm auto}}"
    ".kop{width:100%;border-collapse:collapse;border-bottom:3px double #000;margin-bottom:5mm}"
    ".kop td{vertical-align:middle;padding:0 0 2mm}.kop .mark{width:26mm}.kop .mark img{"
    "display:block;max-width:22mm;max-height:22mm}.kop .mark .box{width:22mm;height:22mm;"
    "border:1px solid #999;color:#777;text-align:center;line-height:22mm}.kop .text{"
    "text-align:center;padding-right:26mm}.kop .parent{font-size:12pt;font-weight:bold}"
    ".kop .unit{font-size:15pt;font-weight:bold}.kop .addr{font-size:8.5pt}"
    "h1{font-size:11pt;text-align:center;margin:0 0 4mm;text-transform:uppercase}"
    ".facts{border-collapse:collapse;margin-bottom:4mm}.facts th{text-align:left;"
    "font-weight:normal;color:#333;padding:0.4mm 4mm 0.4mm 0;vertical-align:top}"
    ".facts td{padding:0.4mm 0;vertical-align:top}.steps{width:100%;border-collapse:collapse;"
    "table-layout:fixed}"
    ".steps th,.steps td{border:1px solid #000;padding:1mm 1.2mm;vertical-align:top;"
    "text-align:left;overflow-wrap:break-word}.steps th{background:#eee;font-weight:bold;"
    "text-align:center;vertical-align:middle}.steps thead{display:table-header-group}.steps tr{"
    "break-inside:avoid}.num{text-align:right!important;white-space:nowrap}.c{text-align:"
    "center!important}.late{color:#b71c1c;font-weight:bold}.label{color:#555}.summary{"
    "margin-top:3mm}.printed{margin-top:4mm;font-size:7pt;color:#555}")


# Headers (message ids) and their share of the width (%): each fits its word in both languages.
RUN_HEADERS = [(N_("No."), 3), (N_("Activity"), 15), (N_("Try"), 3), (N_("Status"), 7),
               (N_("Actor"), 8), (N_("By / for"), 8), (N_("Activated"), 7.5), (N_("Due"), 7.5),
               (N_("Completed"), 7.5), (N_("Standard"), 6.5), (N_("Actual"), 6),
               (N_("Outcome"), 7), (N_("Late?"), 5), (N_("Note"), 9.5)]
REPORT_HEADERS = [(N_("No."), 3), (N_("Activity"), 26), (N_("Try"), 3), (N_("Actor"), 11),
                  (N_("By"), 9), (N_("Standard time (minutes)"), 7),
                  (N_("Actual time (minutes)"), 7), (N_("Difference (minutes)"), 7),
                  (N_("Over"), 6), (N_("Remarks"), 21)]


def _e(text: object) -> str:
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def long_date(value: dt.datetime, tz: dt.tzinfo) -> str:
    """``12 Januari 2026 10:00`` (``12 January 2026 10:00``), local."""
    local = value.astimezone(tz)
    return f"{written_date(local.date())} {local:%H:%M}"


def _css_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def page_rule() -> str:
    """The @page rule, its foot saying ``Halaman 2 dari 3`` (``Page 2 of 3``): the message's
    text around the counters."""
    said = _("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", said):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(_css_string(piece))
    return PAGE % " ".join(parts)


def kop(org: Organization, logo: str | None) -> str:
    """The unit's heading: logo (or an empty box for it), parent government, name, address."""
    word = _e(_("Logo"))
    mark = (f'<img src="{_e(logo)}" alt="{word}"/>' if logo else f'<div class="box">{word}</div>')
    lines = "".join(f'<div class="{c}">{_e(v)}</div>' for c, v in (
        ("parent", (org.parent or "").upper()), ("unit", org.name.upper()),
        ("addr", org.address or "")) if v)
    return (f'<table class="kop"><tr><td class="mark">{mark}</td><td class="text">{lines}</td>'
            "</tr></table>")


def _document(title: str, org: Organization, logo: str | None, body: str,
              printed: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{language()}"><head><meta charset="utf-8"/>'
            f"<title>{_e(title)}</title><style>{page_rule()}{CSS}</style></head><body>"
            f'{kop(org, logo)}<h1>{_e(title)}</h1>{body}'
            f'<p class="printed">{_e(printed)}</p></body></html>\n')


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    return ('<table class="facts">' + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>"
                                              for k, v in rows) + "</table>")


def _table(headers: Sequence[tuple[str, float]], rows: Sequence[Sequence[tuple[str, str]]],
           ) -> str:
    """A bordered table: headers (message ids) with their share of the width (%), each cell
    (css class, html)."""
    cols = "".join(f'<col style="width:{w}%"/>' for _h, w in headers)
    head = "".join(f"<th>{_e(_(h))}</th>" for h, _w in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for c, v in row) + "</tr>"
                   for row in rows)
    return (f'<table class="steps"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _minutes(value: int | None) -> str:
    return "-" if value is None else say(format_minutes(value))


def _time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%d-%m-%Y %H:%M")


def run_document(view: RunView, tz: dt.tzinfo, now: dt.datetime, logo: str | None) -> str:
    """`run show --format pdf`: the run's facts and every task, under the unit's kop."""
    from runners.render_run import run_facts, who

    rows = []
    for t in view.tasks:
        name = _e(t.name) + (f'<br/><span class="label">[{_e(t.label)}]</span>'
                             if t.label != t.activity_id else "")
        rows.append([("c", str(t.no)), ("", name), ("c", str(t.attempt or "")),
                     ("", _e(status_word(t.status))), ("", _e(t.actor_title)), ("", _e(who(t))),
                     ("c", _time(t.activated_at, tz)), ("c", _time(t.due_at, tz)),
                     ("c", _time(t.completed_at, tz)), ("c", _minutes(t.standard_minutes)),
                     ("c", _minutes(t.actual_minutes)), ("", _e(t.outcome or "")),
                     ("c late", _e(_("yes")) if t.overdue else ""), ("", _e(t.note or ""))])
    body = _facts(run_facts(view, tz)) + _table(RUN_HEADERS, rows)
    return _document(_("Execution of {sop}").format(sop=view.spec.title),
                     view.spec.organization, logo, body,
                     _("Run {run}, printed from Alur on {time}").format(
                         run=view.run.id, time=long_date(now, tz)))


def report_document(view: RunView, data: dict[str, Any], tz: dt.tzinfo, now: dt.datetime,
                    logo: str | None) -> str:
    """`report --format pdf`: each task's standard against actual working time, with its
    Keterangan, and the run's totals, under the unit's kop."""
    from runners.reports import keterangan, report_head, summary

    def num(value: int | None, signed: bool = False) -> tuple[str, str]:
        return ("num", "-" if value is None else f"{value:+d}" if signed else str(value))

    rows = [[("c", str(s["no"])), ("", _e(s["name"]) + (
        f'<br/><span class="label">[{_e(s["task"])}]</span>' if s["task"] != s["id"] else "")),
        ("c", str(s["attempt"])), ("", _e(s["actor"])), ("", _e(s["completed_by"] or "")),
        num(s["standard_minutes"]), num(s["actual_minutes"]),
        num(s["difference_minutes"], signed=True),
        ("c late", _e(_("yes")) if s["over"] else ""), ("", _e(keterangan(s)))]
        for s in data["steps"]]
    body = (f"<p>{_e(report_head(data))}</p>" + _table(REPORT_HEADERS, rows)
            + f'<p class="summary">{_e(summary(data))}</p>')
    return _document(_("Time Report of {sop}").format(sop=view.spec.title),
                     view.spec.organization, logo, body,
                     _("Report of run {run}, printed from Alur on {time}").format(
                         run=view.run.id, time=long_date(now, tz)))
