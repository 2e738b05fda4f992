"""The run report (planned vs actual working time) as a table, CSV or an Excel workbook."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from engine.durations import format_minutes

COLUMNS = ["No", "Uraian Kegiatan", "Ke", "Pelaksana", "Oleh", "Waktu baku (menit)",
           "Waktu nyata (menit)", "Selisih (menit)", "Melebihi"]


def _name(step: dict[str, Any]) -> str:
    return str(step["name"]) + (f" [{step['task']}]" if step["task"] != step["id"] else "")


def _rows(data: dict[str, Any]) -> list[list[Any]]:
    return [[s["no"], _name(s), s["attempt"], s["actor"], s["completed_by"] or "",
             s["standard_minutes"], s["actual_minutes"], s["difference_minutes"],
             "ya" if s["over"] else ""] for s in data["steps"]]


def _summary(data: dict[str, Any]) -> str:
    return (f"Total: baku {format_minutes(data['total_standard_minutes'])}, nyata "
            f"{format_minutes(data['total_actual_minutes'])}; {data['steps_over']} dari "
            f"{data['steps_counted']} langkah melebihi waktu baku\n"
            f"Run: baku {format_minutes(data['critical_path_minutes'])} (jalur kritis SOP), "
            f"nyata {format_minutes(data['run_actual_minutes'])} dari mulai sampai "
            + ("selesai" if data["finished_at"] else "sekarang"))


def report_table(data: dict[str, Any]) -> str:
    """The report for a terminal."""
    from runners.tables import table
    from runners.words import status_word

    head = (f"Laporan run {data['run']}: {data['sop_title']} — unit {data['unit']}, periode "
            f"{data['period']}" + (f", {data['title']}" if data.get("title") else "")
            + f", status {status_word(data['status'])}"
            + (f" ({data['result']})" if data["result"] else ""))
    cells = [[*row[:5], *("-" if v is None else v for v in row[5:8]), row[8]]
             for row in _rows(data)]
    return "\n".join([head, "", table(COLUMNS, cells, widths=[3, 34, 3, 14, 10, 9, 9, 9, 8]),
                      "", _summary(data)])


def report_csv(data: dict[str, Any]) -> str:
    """The report as CSV (one row per attempt, then a total row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["no", "id", "task", "name", "attempt", "actor", "completed_by",
                     "standard_minutes", "actual_minutes", "difference_minutes", "over"])
    for s in data["steps"]:
        writer.writerow([s["no"], s["id"], s["task"], s["name"], s["attempt"], s["actor"],
                         s["completed_by"] or "", s["standard_minutes"] or "",
                         "" if s["actual_minutes"] is None else s["actual_minutes"],
                         "" if s["difference_minutes"] is None else s["difference_minutes"],
                         int(s["over"])])
    writer.writerow(["", "", "", "TOTAL", "", "", "", data["total_standard_minutes"],
                     data["total_actual_minutes"], "", data["steps_over"]])
    writer.writerow(["", "", "", "RUN (critical path)", "", "", "",
                     data["critical_path_minutes"], data["run_actual_minutes"], "", ""])
    return out.getvalue()


def write_xlsx(data: dict[str, Any], path: Path) -> None:
    """The report as an Excel workbook (openpyxl), with a header and a total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

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
    sheet.append(["", "Total", "", "", "", data["total_standard_minutes"],
                  data["total_actual_minutes"], "", data["steps_over"]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append(["", "Run (jalur kritis SOP / nyata)", "", "", "",
                  data["critical_path_minutes"], data["run_actual_minutes"], "", ""])
    for column, width in zip("ABCDEFGHI", (5, 50, 5, 20, 14, 12, 12, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
