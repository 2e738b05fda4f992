"""The run report (planned vs actual working time) as a table, CSV or an Excel workbook;
CSV as Excel in Indonesia reads it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from engine.durations import format_minutes

COLUMNS = ["No", "Uraian Kegiatan", "Ke", "Pelaksana", "Oleh", "Waktu baku (menit)",
           "Waktu nyata (menit)", "Selisih (menit)", "Melebihi", "Keterangan"]
BOM = "\ufeff"


def csv_text(rows: Iterable[Sequence[Any]], sep: str = ";") -> str:
    """Rows as CSV: with ``;`` (the default) after a UTF-8 byte order mark, which Excel with
    Indonesian regional settings needs to open the file in columns and read its letters
    right; with ``,`` plain, for other programs."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return (BOM if sep == ";" else "") + out.getvalue()


def keterangan(step: dict[str, Any]) -> str:
    """The Keterangan of a report row: the SOP's note on the activity, the outcome chosen,
    the note kept with the task and why it was skipped or reopened."""
    return "\n".join(x for x in (
        step.get("activity_note") or "", step.get("outcome") and f"Hasil: {step['outcome']}",
        step.get("note") and f"Catatan: {step['note']}",
        step.get("reason") and f"Alasan: {step['reason']}") if x)


def _name(step: dict[str, Any]) -> str:
    return str(step["name"]) + (f" [{step['task']}]" if step["task"] != step["id"] else "")


def _rows(data: dict[str, Any]) -> list[list[Any]]:
    return [[s["no"], _name(s), s["attempt"], s["actor"], s["completed_by"] or "",
             s["standard_minutes"], s["actual_minutes"], s["difference_minutes"],
             "ya" if s["over"] else "", keterangan(s)] for s in data["steps"]]


def summary(data: dict[str, Any]) -> str:
    """The totals: the steps' standard and actual time, those over, and the run's."""
    return (f"Total: baku {format_minutes(data['total_standard_minutes'])}, nyata "
            f"{format_minutes(data['total_actual_minutes'])}; {data['steps_over']} dari "
            f"{data['steps_counted']} langkah melebihi waktu baku\n"
            f"Run: baku {format_minutes(data['critical_path_minutes'])} (jalur kritis SOP), "
            f"nyata {format_minutes(data['run_actual_minutes'])} dari mulai sampai "
            + ("selesai" if data["finished_at"] else "sekarang"))


def report_head(data: dict[str, Any]) -> str:
    """The line naming the run the report is about."""
    from runners.words import status_word

    return (f"Laporan run {data['run']}: {data['sop_title']} — unit {data['unit']}, periode "
            f"{data['period']}" + (f", {data['title']}" if data.get("title") else "")
            + f", status {status_word(data['status'])}"
            + (f" ({data['result']})" if data["result"] else ""))


def report_table(data: dict[str, Any], width: int | None = None) -> str:
    """The report for a terminal, fitted to ``width`` (default: the terminal's)."""
    import textwrap

    from runners.tables import Column, table, terminal_width

    def minutes(value: int | None) -> str:
        return "-" if value is None else str(value)

    cells = [[s["no"], _name(s) + (f" (ke-{s['attempt']})" if s["attempt"] > 1 else ""),
              s["actor"], s["completed_by"] or "", minutes(s["standard_minutes"]),
              minutes(s["actual_minutes"]), minutes(s["difference_minutes"]),
              "ya" if s["over"] else "", keterangan(s)] for s in data["steps"]]
    columns = [Column("No", 2), Column("Uraian Kegiatan", 18, weight=2),
               Column("Pelaksana", keep_from=110), Column("Oleh", 10),
               Column("Baku (menit)", 5, most=7), Column("Nyata (menit)", 5, most=7),
               Column("Selisih (menit)", 7, keep_from=100, most=7), Column("Lebih", 5),
               Column("Keterangan", 14, weight=2)]
    width = width or terminal_width()
    return "\n".join([textwrap.fill(report_head(data), width), "", table(columns, cells, width),
                      "", "\n".join(textwrap.fill(line, width)
                                    for line in summary(data).split("\n"))])


def report_csv(data: dict[str, Any], sep: str = ";") -> str:
    """The report as CSV (one row per attempt, then a total row)."""
    rows: list[list[Any]] = [["no", "id", "task", "name", "attempt", "actor", "completed_by",
                              "standard_minutes", "actual_minutes", "difference_minutes", "over",
                              "outcome", "note", "activity_note"]]
    for s in data["steps"]:
        rows.append([s["no"], s["id"], s["task"], s["name"], s["attempt"], s["actor"],
                     s["completed_by"] or "", s["standard_minutes"] or "",
                     "" if s["actual_minutes"] is None else s["actual_minutes"],
                     "" if s["difference_minutes"] is None else s["difference_minutes"],
                     int(s["over"]), s["outcome"] or "", s["note"] or "",
                     s["activity_note"] or ""])
    rows.append(["", "", "", "TOTAL", "", "", "", data["total_standard_minutes"],
                 data["total_actual_minutes"], "", data["steps_over"]])
    rows.append(["", "", "", "RUN (critical path)", "", "", "",
                 data["critical_path_minutes"], data["run_actual_minutes"], "", ""])
    return csv_text(rows, sep)


def report_xlsx(data: dict[str, Any]) -> bytes:
    """The report as an Excel workbook (openpyxl), with a header and a total row."""

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"Run {data['run']}"
    sheet.append([f"Laporan waktu: {data['sop_title']}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Unit {data['unit']}, periode {data['period']}, status {data['status']}"])
    sheet.append([])
    sheet.append(COLUMNS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in _rows(data):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append(["", "Total", "", "", "", data["total_standard_minutes"],
                  data["total_actual_minutes"], "", data["steps_over"], ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append(["", "Run (jalur kritis SOP / nyata)", "", "", "",
                  data["critical_path_minutes"], data["run_actual_minutes"], "", "", ""])
    for column, width in zip("ABCDEFGHIJ", (5, 50, 5, 20, 14, 12, 12, 12, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
