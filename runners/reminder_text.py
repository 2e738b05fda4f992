"""The Bahasa Indonesia text of reminders: subject, body, webhook payload.

An ``engine.notify.ReminderMessage`` describes one overdue task once; the
text is then written for each person it goes to (``body(message, person)``),
greeting them by name. Level 0 goes to the task's own holders; level 1 and up
are escalations up the ``reports_to`` chain, and tell the superior who is
responsible and which command that person runs.
"""

from __future__ import annotations

import shlex
import textwrap
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.durations import format_minutes
from engine.notify import ReminderMessage, as_superior
from engine.reminders import NO_HOLDER
from engine.roster import Person

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
# Indonesia's three time zones (Asia/Pontianak keeps WIB too); other zones show the offset.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
              "Asia/Jayapura": "WIT"}


def zone_name(moment: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones, else the offset such as ``UTC+5:30``."""
    key = getattr(moment.tzinfo, "key", None)
    if key in ZONE_NAMES:
        return ZONE_NAMES[key]
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def format_day(day: date) -> str:
    """A day as written in Indonesian letters: ``Senin, 5 Januari 2026``."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: datetime, timezone: str) -> str:
    """An aware time in ``timezone``: ``Senin, 5 Januari 2026 09:00 WIB``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local.date())} {local:%H:%M} {zone_name(local)}"


def subject(message: ReminderMessage) -> str:
    """The one-line subject (e-mail subject, chat title) of the message."""
    kind = "Eskalasi" if message.is_escalation else "Pengingat"
    if message.failure is not None:
        where = "layanan" if message.whole_run else f"langkah {message.step_no}"
        return (f"[Alur] GAGAL TERKIRIM: {kind.lower()} run {message.run_id} {where} "
                f'"{message.step_name or message.sop_title}"')
    if message.whole_run:
        about = f" ({message.run_title})" if message.run_title else ""
        return (f'[Alur] {kind}: layanan "{message.sop_title}" {message.period}{about} '
                f"melewati waktu penyelesaian {format_minutes(message.late_minutes)}")
    return (f'[Alur] {kind}: langkah {message.step_no} "{message.step_name}" '
            f"terlambat {format_minutes(message.late_minutes)}")


def complete_commands(message: ReminderMessage, person: Person) -> tuple[str, ...]:
    """The commands that complete the step: as ``person``, or for a superior as each responsible."""
    if message.whole_run:
        return (f"alur run show {message.run_id} --as {shlex.quote(person.id)}",)
    ids = (message.responsible_ids or ("ORANG",)) if as_superior(message, person) \
        else (person.id,)
    return tuple(f"alur step complete {message.run_id} {shlex.quote(message.task)} "
                 f"--as {shlex.quote(person_id)}" for person_id in ids)


def _deadline_text(message: ReminderMessage) -> str | None:
    left = message.working_days_left
    if left is None:
        remaining = None
    elif left > 0:
        remaining = f"sisa {left} hari kerja"
    elif left == 0:
        remaining = "tidak ada lagi hari kerja tersisa"
    else:
        remaining = f"sudah lewat {-left} hari kerja"
    if message.deadline is None:
        return remaining
    day = format_day(message.deadline)
    return f"{day} ({remaining})" if remaining else day


def _service(message: ReminderMessage) -> str | None:
    """The service deadline and what is left of it (or how late it is)."""
    if message.service_due_at is None:
        return None
    left = message.service_left_minutes
    due = format_moment(message.service_due_at, message.timezone)
    if left is None:
        return due
    return f"{due} (sisa {format_minutes(left)})" if left >= 0 else \
        f"{due} (terlambat {format_minutes(-left)})"


def _rows(message: ReminderMessage) -> list[tuple[str, str]]:
    names = ", ".join(message.responsible) or "(belum ada pemegang peran)"
    rows = [("SOP", f"{message.sop_title} ({message.sop_id})"),
            ("Unit", message.unit_name),
            ("Periode", message.period),
            ("Run", str(message.run_id))]
    if message.run_title:
        rows.append(("Perihal", message.run_title))
    if message.whole_run:
        rows += [("Langkah aktif", message.task or "-"),
                 ("Dikerjakan oleh", names)]
    else:
        step = f"{message.step_no}. {message.step_name}"
        if message.attempt > 1:
            step += f" (pengerjaan ke-{message.attempt})"
        rows += [("Langkah", step),
                 ("Batas waktu", format_moment(message.due_at, message.timezone)),
                 ("Terlambat", f"{format_minutes(message.late_minutes)} (waktu kerja)"),
                 ("Pelaksana", f"{message.actor_title}: {names}")]
    service = _service(message)
    if service:
        rows.append(("Batas layanan", service))
    deadline = _deadline_text(message)
    if deadline:
        rows.append(("Batas akhir run", deadline))
    return rows


def body(message: ReminderMessage, person: Person) -> str:
    """The plain-text message to ``person``, in Bahasa Indonesia."""
    role = message.escalation_role_title or "atasan"
    if message.failure is not None:
        return _failure_body(message, person)
    if message.whole_run:
        opening = ("Layanan berikut sudah melewati waktu penyelesaiannya dan belum selesai. "
                   f"Pesan ini disampaikan kepada Anda sebagai pimpinan ({role}).")
        closing = "Lihat keadaannya di Alur dengan perintah"
    elif as_superior(message, person):
        opening = ("Langkah SOP berikut sudah melewati batas waktunya dan belum diselesaikan "
                   f"oleh pelaksananya. Pesan ini disampaikan kepada Anda sebagai atasan "
                   f"({role}), eskalasi tingkat {message.level}.")
        closing = ("Mohon pastikan pelaksana menyelesaikannya. Setelah selesai, pelaksana "
                   "mencatatnya di Alur dengan perintah")
    else:
        opening = ("Langkah SOP berikut adalah tugas Anda dan sudah melewati batas waktunya. "
                   "Mohon segera diselesaikan.")
        if message.is_escalation:
            opening += f" Pengingat ini juga sudah diteruskan kepada atasan ({role})."
        closing = "Setelah selesai, catat di Alur dengan perintah"
    commands = complete_commands(message, person)
    closing += " (cukup salah satu):" if len(commands) > 1 else ":"
    rows = _rows(message)
    table = [f"{label:<15} : {value}" for label, value in rows]
    lines = [f"Yth. {person.name},", "", textwrap.fill(opening, 72), "", *table, "",
             textwrap.fill(closing, 72), *(f"    {command}" for command in commands), "",
             "Pesan otomatis dari Alur."]
    return "\n".join(lines)


def _failure_body(message: ReminderMessage, person: Person) -> str:
    """To the operator: a reminder could not be delivered, and why; it will not be retried."""
    kind = "eskalasi" if message.is_escalation else "pengingat"
    opening = (f"Sebuah {kind} Alur gagal terkirim dan tidak akan dicoba lagi. Pesan ini "
               "disampaikan kepada Anda sebagai operator Alur.")
    cause = ("Tidak ada seorang pun yang memegang peran ini di daftar pegawai (roster)."
             if message.failure == NO_HOLDER else f"Kesalahan terakhir: {message.failure}")
    table = [f"{label:<15} : {value}" for label, value in _rows(message)]
    lines = [f"Yth. {person.name},", "", textwrap.fill(opening, 72), "",
             textwrap.fill(cause, 72), "", *table, "",
             "Periksa saluran pengingat dan daftar pegawai, lalu lihat riwayatnya dengan:",
             f"    alur reminders list --run {message.run_id}", "", "Pesan otomatis dari Alur."]
    return "\n".join(lines)


def payload(message: ReminderMessage, person: Person) -> dict[str, Any]:
    """The JSON-safe webhook payload for ``person`` (text included, times in ISO 8601)."""
    return {
        "type": "alur.failure" if message.failure is not None
        else "alur.escalation" if message.is_escalation else "alur.reminder",
        "failure": message.failure,
        "reminder": message.reminder_id,
        "level": message.level,
        "escalated_to": message.escalation_role_title,
        "run": message.run_id,
        "sop": message.sop_id,
        "sop_title": message.sop_title,
        "unit": message.unit_name,
        "period": message.period,
        "step": message.step_id or None,
        "task": message.task or None,
        "whole_run": message.whole_run,
        "title": message.run_title,
        "service_due_at": message.service_due_at.astimezone(
            ZoneInfo(message.timezone)).isoformat() if message.service_due_at else None,
        "service_left_minutes": message.service_left_minutes,
        "step_no": message.step_no,
        "step_name": message.step_name,
        "attempt": message.attempt,
        "actor": message.actor_title,
        "due_at": message.due_at.astimezone(ZoneInfo(message.timezone)).isoformat(),
        "late_minutes": message.late_minutes,
        "responsible": list(message.responsible),
        "recipient": {"id": person.id, "name": person.name, "email": person.email},
        "to_superior": as_superior(message, person),
        "subject": subject(message),
        "text": body(message, person),
        "deadline": message.deadline.isoformat() if message.deadline else None,
        "working_days_left": message.working_days_left,
    }
