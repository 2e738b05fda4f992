"""A run as people read it in a terminal (from the data of `run show --json`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.durations import format_minutes
from runners.render import RunPaint, StepState
from runners.tables import table

STATUS_WORDS = {"active": "aktif", "completed": "selesai", "cancelled": "dibatalkan",
                "not_reached": "belum"}


def _short(value: str | None) -> str:
    if not value:
        return "-"
    return dt.datetime.fromisoformat(value).strftime("%d-%m %H:%M")


def _long(value: str | None) -> str:
    if not value:
        return "-"
    return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")


def _minutes(value: int | None) -> str:
    return "-" if value is None else format_minutes(value)


def run_text(data: dict[str, Any]) -> str:
    """The run's header and its step table."""
    status = STATUS_WORDS.get(data["status"], data["status"])
    if data["result"]:
        status += f" ({data['result']})"
    header = [
        ("Run", str(data["run"])),
        ("SOP", f"{data['sop_title']} ({data['sop']}, versi {data['sop_hash'][:12]})"),
        ("Unit / periode", f"{data['unit']} / {data['period']}"),
        ("Status", status),
        ("Mulai", f"{_long(data['started_at'])} oleh {data['started_by'] or '-'}"),
    ]
    if data["finished_at"]:
        header.append(("Selesai", _long(data["finished_at"])))
    if data["cancel_reason"]:
        header.append(("Alasan batal", data["cancel_reason"]))
    if data["deadline"]:
        header.append(("Batas akhir", data["deadline"]))
    rows = []
    for s in data["steps"]:
        who = s["completed_by"] or ", ".join(s["assignees"]) or "-"
        late = "ya" if s["overdue"] else ""
        rows.append([s["no"], s["name"], s["attempt"] or "", STATUS_WORDS.get(s["status"],
                                                                                s["status"]),
                     s["actor_title"], who, _short(s["activated_at"]), _short(s["due_at"]),
                     _short(s["completed_at"]), _minutes(s["standard_minutes"]),
                     _minutes(s["actual_minutes"]), s["outcome"] or "", late])
    return "\n".join([
        table([], header, widths=[16, 80]), "",
        table(["No", "Uraian Kegiatan", "Ke", "Status", "Pelaksana", "Oleh / untuk", "Aktif",
               "Batas", "Selesai", "Baku", "Nyata", "Hasil", "Telat"], rows,
              widths=[3, 30, 2, 10, 14, 14, 11, 11, 11, 9, 9, 8, 5]),
    ])


def paint_of(data: dict[str, Any], now: dt.datetime) -> RunPaint:
    """The run's state per activity (its latest attempt decides) for the painted flowchart."""
    states: dict[str, StepState] = {}
    for step in data["steps"]:
        status = step["status"]
        if status == "completed":
            state: StepState = "done"
        elif status == "active":
            state = "overdue" if step["overdue"] else "active"
        else:
            state = "not_reached"
        states[step["id"]] = state
    return RunPaint(data["run"], data["unit"], data["period"], data["status"], states, now)
