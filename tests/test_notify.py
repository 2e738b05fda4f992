"""Reminder texts in Bahasa Indonesia: subjects, bodies, times in WIB/WITA/WIT, payloads
(English: tests/test_documents_bahasa.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.notify import ReminderMessage, as_superior
from engine.roster import Person
from runners.reminder_text import (
    body,
    complete_commands,
    format_day,
    format_moment,
    payload,
    subject,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
BUDI = Person("kasi-tapem", "Budi Santoso", ("kasi",), email="budi@darangdan.example")
ANI = Person("kasi-pem", "Ani Rahmawati", ("kasi",))
SEKCAM = Person("sekcam", "Drs. Asep Sunarya", ("sekcam",), email="sekcam@darangdan.example")


def make_message(**changes: Any) -> ReminderMessage:
    """A level-0 reminder of step 3 of run 12, due Monday 5 January 2026 09:00 WIB."""
    message = ReminderMessage(
        reminder_id=7, level=0, escalation_role_title=None, run_id=12, sop_id="lakip",
        sop_title="Penyusunan LAKIP Kecamatan", unit_name="Kecamatan Darangdan",
        period="2025", step_id="menghimpun", task="menghimpun", step_no=3,
        step_name="Menghimpun bahan laporan kinerja", attempt=1, actor_title="Kasi/Kasubbag",
        responsible=("Budi Santoso (kasi-tapem)",), responsible_ids=("kasi-tapem",),
        due_at=datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA), late_minutes=150,
        timezone="Asia/Jakarta")
    return replace(message, **changes)


pytestmark = pytest.mark.usefixtures("bahasa")  # the reminders as their readers get them

ESCALATION: dict[str, Any] = {
    "level": 1, "escalation_role_title": "Sekretaris Kecamatan",
    "responsible": ("Budi Santoso (kasi-tapem)", "Ani Rahmawati (kasi-pem)"),
    "responsible_ids": ("kasi-tapem", "kasi-pem")}


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, '[Alur] Pengingat: langkah 3 "Menghimpun bahan laporan kinerja" terlambat '
         "2 jam 30 menit"),
    ({"late_minutes": 45}, '[Alur] Pengingat: langkah 3 "Menghimpun bahan laporan kinerja" '
                           "terlambat 45 menit"),
    ({"late_minutes": 65, **ESCALATION},
     '[Alur] Eskalasi: langkah 3 "Menghimpun bahan laporan kinerja" terlambat 65 menit'),
    ({"level": 2, "escalation_role_title": "Camat", "step_no": 10, "step_name": "Paraf",
      "late_minutes": 600},
     '[Alur] Eskalasi: langkah 10 "Paraf" terlambat 10 jam'),
])
def test_subject(changes: dict[str, Any], expected: str) -> None:
    assert subject(make_message(**changes)) == expected


def test_reminder_body_in_full() -> None:
    text = body(make_message(deadline=date(2026, 1, 30), working_days_left=18), BUDI)
    assert text == (
        "Yth. Budi Santoso,\n"
        "\n"
        "Langkah SOP berikut adalah tugas Anda dan sudah melewati batas waktunya.\n"
        "Mohon segera diselesaikan.\n"
        "\n"
        "SOP             : Penyusunan LAKIP Kecamatan (lakip)\n"
        "Unit            : Kecamatan Darangdan\n"
        "Periode         : 2025\n"
        "Run             : 12\n"
        "Langkah         : 3. Menghimpun bahan laporan kinerja\n"
        "Batas waktu     : Senin, 5 Januari 2026 09:00 WIB\n"
        "Terlambat       : 2 jam 30 menit (waktu kerja)\n"
        "Pelaksana       : Kasi/Kasubbag: Budi Santoso (kasi-tapem)\n"
        "Batas akhir run : Jumat, 30 Januari 2026 (sisa 18 hari kerja)\n"
        "\n"
        "Setelah selesai, catat di Alur dengan perintah:\n"
        "    alur step complete 12 menghimpun --as kasi-tapem\n"
        "\n"
        "Pesan otomatis dari Alur.")


def test_escalation_to_the_superior_names_the_role_and_the_responsible() -> None:
    message = make_message(**ESCALATION)
    text = body(message, SEKCAM)
    assert text.startswith("Yth. Drs. Asep Sunarya,\n")
    flat = " ".join(text.split())
    assert ("Pesan ini disampaikan kepada Anda sebagai atasan (Sekretaris Kecamatan), "
            "eskalasi tingkat 1.") in flat
    assert ("Pelaksana : Kasi/Kasubbag: Budi Santoso (kasi-tapem), Ani Rahmawati (kasi-pem)"
            in flat)
    assert "pelaksana mencatatnya di Alur dengan perintah (cukup salah satu):" in flat
    assert text.endswith("    alur step complete 12 menghimpun --as kasi-tapem\n"
                         "    alur step complete 12 menghimpun --as kasi-pem\n"
                         "\nPesan otomatis dari Alur.")
    assert "--as sekcam" not in text
    assert as_superior(message, SEKCAM)


def test_escalation_copy_to_the_responsible_is_their_own_reminder() -> None:
    message = make_message(**ESCALATION)
    text = body(message, ANI)
    flat = " ".join(text.split())
    assert "adalah tugas Anda" in flat
    assert "Pengingat ini juga sudah diteruskan kepada atasan (Sekretaris Kecamatan)." in flat
    assert "sebagai atasan" not in flat
    assert complete_commands(message, ANI) == ("alur step complete 12 menghimpun --as kasi-pem",)
    assert not as_superior(message, ANI)


def test_escalation_of_a_task_nobody_holds_shows_a_placeholder() -> None:
    message = make_message(level=1, escalation_role_title="Camat", responsible=(),
                           responsible_ids=())
    assert complete_commands(message, SEKCAM) == (
        "alur step complete 12 menghimpun --as ORANG",)


def test_the_command_names_the_task_of_an_each_step() -> None:
    message = make_message(step_id="data-seksi", task="data-seksi/kasi-tapem")
    assert complete_commands(message, BUDI) == (
        "alur step complete 12 data-seksi/kasi-tapem --as kasi-tapem",)
    assert payload(message, BUDI)["task"] == "data-seksi/kasi-tapem"


def test_level_zero_command_uses_the_recipients_own_id() -> None:
    message = make_message(responsible=("Budi Santoso (kasi-tapem)", "Ani Rahmawati (kasi-pem)"),
                           responsible_ids=("kasi-tapem", "kasi-pem"))
    assert complete_commands(message, ANI) == ("alur step complete 12 menghimpun --as kasi-pem",)
    assert "Kasi/Kasubbag: Budi Santoso (kasi-tapem), Ani Rahmawati (kasi-pem)" in body(
        message, ANI)


def test_attempt_shows_only_after_the_first() -> None:
    assert "pengerjaan ke-" not in body(make_message(), BUDI)
    assert "3. Menghimpun bahan laporan kinerja (pengerjaan ke-2)\n" in body(
        make_message(attempt=2), BUDI)


@pytest.mark.parametrize(("deadline", "left", "line"), [
    (date(2026, 1, 30), 0, "Batas akhir run : Jumat, 30 Januari 2026 (tidak ada lagi hari "
                           "kerja tersisa)"),
    (date(2026, 1, 30), -2, "Batas akhir run : Jumat, 30 Januari 2026 (sudah lewat 2 hari "
                            "kerja)"),
    (date(2026, 2, 2), None, "Batas akhir run : Senin, 2 Februari 2026\n"),
    (None, 4, "Batas akhir run : sisa 4 hari kerja"),
])
def test_run_deadline_line(deadline: date | None, left: int | None, line: str) -> None:
    assert line in body(make_message(deadline=deadline, working_days_left=left), BUDI)


def test_no_deadline_no_line() -> None:
    assert "Batas akhir" not in body(make_message(), BUDI)


def test_indonesian_day_and_month_names() -> None:
    days = [format_day(date(2026, 6, day)) for day in range(1, 8)]
    assert days == ["Senin, 1 Juni 2026", "Selasa, 2 Juni 2026", "Rabu, 3 Juni 2026",
                    "Kamis, 4 Juni 2026", "Jumat, 5 Juni 2026", "Sabtu, 6 Juni 2026",
                    "Minggu, 7 Juni 2026"]
    months = [format_day(date(2027, month, 1)).split()[2] for month in range(1, 13)]
    assert months == ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                      "Agustus", "September", "Oktober", "November", "Desember"]


@pytest.mark.parametrize(("zone", "expected"), [
    ("Asia/Jakarta", "Senin, 5 Januari 2026 09:00 WIB"),
    ("Asia/Pontianak", "Senin, 5 Januari 2026 09:00 WIB"),
    ("Asia/Makassar", "Senin, 5 Januari 2026 10:00 WITA"),
    ("Asia/Jayapura", "Senin, 5 Januari 2026 11:00 WIT"),
    ("Asia/Kolkata", "Senin, 5 Januari 2026 07:30 UTC+5:30"),
    ("America/New_York", "Minggu, 4 Januari 2026 21:00 UTC-5"),
    ("UTC", "Senin, 5 Januari 2026 02:00 UTC"),
])
def test_due_time_in_the_zone(zone: str, expected: str) -> None:
    due = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert format_moment(due, zone) == expected
    assert f"Batas waktu     : {expected}\n" in body(
        make_message(due_at=due, timezone=zone), BUDI)


def test_due_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_message(due_at=datetime(2026, 1, 5, 9, 0))


def test_payload_is_json_safe_and_complete() -> None:
    message = make_message(deadline=date(2026, 1, 30), working_days_left=18,
                           due_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC), **ESCALATION)
    data = json.loads(json.dumps(payload(message, SEKCAM)))
    assert data == {
        "type": "alur.escalation", "failure": None, "reminder": 7, "level": 1,
        "escalated_to": "Sekretaris Kecamatan", "run": 12, "sop": "lakip",
        "sop_title": "Penyusunan LAKIP Kecamatan", "unit": "Kecamatan Darangdan",
        "period": "2025", "step": "menghimpun", "task": "menghimpun", "whole_run": False,
        "title": None, "service_due_at": None, "service_left_minutes": None, "step_no": 3,
        "step_name": "Menghimpun bahan laporan kinerja", "attempt": 1,
        "actor": "Kasi/Kasubbag", "due_at": "2026-01-05T09:00:00+07:00", "late_minutes": 150,
        "responsible": ["Budi Santoso (kasi-tapem)", "Ani Rahmawati (kasi-pem)"],
        "recipient": {"id": "sekcam", "name": "Drs. Asep Sunarya",
                      "email": "sekcam@darangdan.example"},
        "to_superior": True,
        "subject": subject(message), "text": body(message, SEKCAM),
        "deadline": "2026-01-30", "working_days_left": 18, "url": None, "page_url": None}


def test_payload_of_a_reminder() -> None:
    data = payload(make_message(), ANI)
    assert (data["type"], data["deadline"], data["working_days_left"]) == (
        "alur.reminder", None, None)
    assert data["recipient"] == {"id": "kasi-pem", "name": "Ani Rahmawati", "email": None}
    assert data["to_superior"] is False
