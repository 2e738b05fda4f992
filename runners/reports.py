"""The run report (planned vs actual working time) as a table, CSV or an Excel workbook;
CSV as Excel in Indonesia reads it. Headers and labels are in the language in use; the
author's and the people's words are printed as written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from engine.durations import format_minutes
from engine.spec import DEFAULT_RESULT
from runners.i18n import N_, _, ngettext, say

COLUMNS = [N_("No."), N_("Activity"), N_("Attempt"), N_("Actor"), N_("By"),
           N_("Standard time (minutes)"), N_("Actual time (minutes)"),
           N_("Difference (minutes)"), N_("Over"), N_("Remarks")]  # the workbook's header
CSV_COLUMNS = [N_("no"), N_("id"), N_("task"), N_("name"), N_("attempt"), N_("actor"),
               N_("completed_by"), N_("standard_minutes"), N_("actual_minutes"),
               N_("difference_minutes"), N_("over"), N_("outcome"), N_("note"),
               N_("activity_note"), N_("status"), N_("reason")]
BOM = "\ufeff"


def csv_text(rows: Iterable[Sequence[Any]], sep: str = ";") -> str:
    """Rows as CSV: with ``;`` (the default) after a UTF-8 byte order mark, which Excel with
    Indonesian regional settings needs to open the file in columns and read its letters
    right; with ``,`` plain, for other programs."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return (BOM if sep == ";" else "") + out.getvalue()


CORRECTED = ("skipped", "reopened", "withdrawn")  # a task's statuses the report names


def keterangan(step: dict[str, Any]) -> str:
    """The Keterangan of a report row: the SOP's note on the activity, the outcome chosen,
    the note kept with the task, and whether (and why) it was skipped, reopened or
    withdrawn."""
    from runners.words import status_word

    status = step.get("status")
    return "\n".join(x for x in (
        step.get("activity_note") or "",
        status in CORRECTED and status_word(str(status)).capitalize(),
        step.get("outcome") and _("Outcome: {outcome}").format(outcome=step["outcome"]),
        step.get("note") and _("Note: {note}").format(note=step["note"]),
        step.get("reason") and _("Reason: {reason}").format(reason=step["reason"])) if x)


def _name(step: dict[str, Any]) -> str:
    return str(step["name"]) + (f" [{step['task']}]" if step["task"] != step["id"] else "")


def _yes(value: Any) -> str:
    return _("yes") if value else ""


def _rows(data: dict[str, Any]) -> list[list[Any]]:
    return [[s["no"], _name(s), s["attempt"], s["actor"], s["completed_by"] or "",
             s["standard_minutes"], s["actual_minutes"], s["difference_minutes"],
             _yes(s["over"]), keterangan(s)] for s in data["steps"]]


def _minutes(value: int) -> str:
    return say(format_minutes(value))


def summary(data: dict[str, Any]) -> str:
    """The totals: the steps' standard and actual time, those over, and the run's."""
    steps = ngettext("Total: standard {standard}, actual {actual}; {over} of {counted} step "
                     "over the standard time",
                     "Total: standard {standard}, actual {actual}; {over} of {counted} steps "
                     "over the standard time", data["steps_counted"]).format(
        standard=_minutes(data["total_standard_minutes"]),
        actual=_minutes(data["total_actual_minutes"]), over=data["steps_over"],
        counted=data["steps_counted"])
    run = (_("Run: standard {standard} (the SOP's critical path), actual {actual} from the "
             "start to the end") if data["finished_at"] else
           _("Run: standard {standard} (the SOP's critical path), actual {actual} from the "
             "start until now")).format(standard=_minutes(data["critical_path_minutes"]),
                                        actual=_minutes(data["run_actual_minutes"]))
    return f"{steps}\n{run}"


def run_status(status: str, result: str | None) -> str:
    """A run's status as people say it, with its result when that says more (``selesai
    (ditolak)``, not ``selesai (selesai)``)."""
    from runners.words import status_word

    word = status_word(status)
    return f"{word} ({result})" if result and result != DEFAULT_RESULT else word


def report_head(data: dict[str, Any]) -> str:
    """The line naming the run the report is about."""
    places = {"run": data["run"], "sop": data["sop_title"], "unit": data["unit"],
              "period": data["period"], "title": data.get("title"),
              "status": run_status(data["status"], data["result"])}
    if data.get("title"):
        return _("Report of run {run}: {sop} \u2014 unit {unit}, period {period}, {title}, "
                 "status {status}").format(**places)
    return _("Report of run {run}: {sop} \u2014 unit {unit}, period {period}, status {status}"
             ).format(**places)


def report_table(data: dict[str, Any], width: int | None = None) -> str:
    """The report for a terminal, fitted to ``width`` (default: the terminal's)."""
    import textwrap

    from runners.tables import Column, table, terminal_width

    def minutes(value: int | None) -> str:
        return "-" if value is None else str(value)

    cells = [[s["no"], _name(s) + (" " + _("(attempt {n})").format(n=s["attempt"])
                                   if s["attempt"] > 1 else ""),
              s["actor"], s["completed_by"] or "", minutes(s["standard_minutes"]),
              minutes(s["actual_minutes"]), minutes(s["difference_minutes"]),
              _yes(s["over"]), keterangan(s)] for s in data["steps"]]
    columns = [Column(_("No."), 2), Column(_("Activity"), 18, weight=2),
               Column(_("Actor"), keep_from=110), Column(_("By"), 10),
               Column(_("Standard (minutes)"), 5, most=7),
               Column(_("Actual (minutes)"), 5, most=7),
               Column(_("Difference (minutes)"), 7, keep_from=100, most=7),
               Column(_("Exceeded"), 5), Column(_("Remarks"), 14, weight=2)]
    width = width or terminal_width()
    return "\n".join([textwrap.fill(report_head(data), width), "", table(columns, cells, width),
                      "", "\n".join(textwrap.fill(line, width)
                                    for line in summary(data).split("\n"))])


def report_csv(data: dict[str, Any], sep: str = ";") -> str:
    """The report as CSV (one row per attempt, then a total row)."""
    from runners.words import status_word

    rows: list[list[Any]] = [[_(column) for column in CSV_COLUMNS]]
    for s in data["steps"]:
        rows.append([s["no"], s["id"], s["task"], s["name"], s["attempt"], s["actor"],
                     s["completed_by"] or "", s["standard_minutes"] or "",
                     "" if s["actual_minutes"] is None else s["actual_minutes"],
                     "" if s["difference_minutes"] is None else s["difference_minutes"],
                     int(s["over"]), s["outcome"] or "", s["note"] or "",
                     s["activity_note"] or "", status_word(s["status"]) if s.get("status")
                     else "", s.get("reason") or ""])
    rows.append(["", "", "", _("TOTAL"), "", "", "", data["total_standard_minutes"],
                 data["total_actual_minutes"], "", data["steps_over"]])
    rows.append(["", "", "", _("RUN (critical path)"), "", "", "",
                 data["critical_path_minutes"], data["run_actual_minutes"], "", ""])
    return csv_text(rows, sep)


def report_xlsx(data: dict[str, Any]) -> bytes:
    """The report as an Excel workbook (openpyxl), with a header and a total row."""

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Run {run}").format(run=data["run"])
    sheet.append([_("Time report: {sop}").format(sop=data["sop_title"])])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Unit {unit}, period {period}, status {status}").format(
        unit=data["unit"], period=data["period"],
        status=run_status(data["status"], data["result"]))])
    sheet.append([])
    sheet.append([_(column) for column in COLUMNS])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in _rows(data):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append(["", _("Total"), "", "", "", data["total_standard_minutes"],
                  data["total_actual_minutes"], "", data["steps_over"], ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append(["", _("Run (the SOP's critical path / actual)"), "", "", "",
                  data["critical_path_minutes"], data["run_actual_minutes"], "", "", ""])
    for column, width in zip("ABCDEFGHIJ", (5, 50, 5, 20, 14, 12, 12, 12, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
