"""Reminder rows live and die with their steps, in the same transactions."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

import pytest

from engine import corrections, services
from storage.store import UnitOfWork, transaction
from tests.conftest import REPO
from tests.office import Office, wib


def rows(office: Office) -> list[tuple[str, int, str, dt.datetime]]:
    with UnitOfWork(office.engine, write=False) as store:
        return [(task.label, r.level, r.status, r.due_at) for r, task in store.list_reminders()]


def test_activation_owes_a_reminder_and_completion_retires_it(office: Office) -> None:
    run = office.start().run.id
    assert rows(office) == [("perintah", 0, "pending", wib(2026, 1, 5, 8, 3))]
    office.complete(run, "camat")
    assert rows(office) == [("perintah", 0, "retired", wib(2026, 1, 5, 8, 3)),
                            ("format", 0, "pending", wib(2026, 1, 5, 9, 0))]


def test_reassigning_reminds_the_new_holder_and_cancelling_retires(office: Office) -> None:
    run = office.start().run.id
    office.complete(run, "camat")
    office.complete(run, "sekcam")
    office.clock.at = wib(2026, 1, 5, 10, 0)  # step 3 was due at 09:00
    with transaction(office.engine) as store:
        services.reassign_step(store, office.env, run, "himpun", "kasi-2", "kasi-1")
    assert rows(office)[-2:] == [("himpun", 0, "retired", wib(2026, 1, 5, 9, 0)),
                                 ("himpun", 0, "pending", wib(2026, 1, 5, 10, 0))]
    with transaction(office.engine) as store:
        corrections.cancel_run(store, office.env, run, "Salah periode", "camat")
    assert {status for _step, _level, status, _due in rows(office)} == {"retired"}


@pytest.mark.slow
def test_the_demo_plays_a_whole_run_within_a_minute() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)
    env["ALUR_LANG"] = "id"  # as its users read it
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                           "demo"], capture_output=True, text=True, timeout=90, env=env)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stdout + done.stderr
    assert took < 60, took
    out = done.stdout
    assert "run 1 dimulai: pengumpulan-data-kinerja untuk darangdan, periode 2025 (sejak " \
        "2026-01-02 07:30)" in out
    assert re.search(r"\[pengingat\] run 1 langkah 3 .*, terlambat \d+ menit\n", out)
    assert "[eskalasi] run 1 langkah 3" in out and "-> sekcam (Sekretaris Kecamatan)" in out
    assert "menyelesaikan langkah 13. Pengiriman dokumen Lakip" in out
    assert "status selesai" in out
    assert "jejak audit utuh" in out
