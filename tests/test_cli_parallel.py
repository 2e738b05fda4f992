"""Parallel SOPs through the CLI, as different people, in any order of completion."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.test_cli_runs import Newcomer

ROSTER = """format: 1
units:
  contoh:
    name: Kecamatan Contoh
    people:
      - {id: camat, name: Camat Contoh, roles: [camat]}
      - {id: sekcam, name: Sekcam Contoh, roles: [sekcam]}
      - {id: ka, name: Kasi A Contoh, roles: [kasi-a]}
      - {id: kb, name: Kasi B Contoh, roles: [kasi-b]}
      - {id: s1, name: Staf 1 Contoh, roles: [staf]}
      - {id: s2, name: Staf 2 Contoh, roles: [staf]}
"""


@pytest.fixture
def office(tmp_path: Path, db_url: str) -> Newcomer:
    """A workspace with the parallel example SOPs and a roster holding their roles."""
    from tests.conftest import run_cli

    workspace = tmp_path / "contoh"
    assert run_cli("init", str(workspace), "--db", db_url).exit_code == 0
    for name in ("contoh-paralel.yaml", "contoh-bersarang.yaml"):
        shutil.copy(FIXTURES / "parallel" / name, workspace / "sops" / name)
    (workspace / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    return Newcomer(workspace, db_url)


def active(alur: Newcomer, run: int) -> list[str]:
    return json.loads(alur("run", "show", str(run), "--json").stdout)["active_steps"]


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_a_parallel_run_ends_whatever_the_order(office: Newcomer, seed: int) -> None:
    chance = random.Random(seed)
    started = json.loads(office("run", "start", "contoh-paralel", "--period", "x", "--as",
                                "camat", "--json").stdout)
    assert started["active_steps"] == ["perintah"]
    office.later(5)
    office("step", "complete", "1", "perintah", "--as", "camat")
    assert active(office, 1) == ["data-seksi/kasi-a", "data-seksi/kasi-b", "draf/s1",
                                 "draf/s2"]
    holder = {"data-seksi/kasi-a": "ka", "data-seksi/kasi-b": "kb", "draf/s1": "s1",
              "draf/s2": "s2", "periksa": "kb", "kompilasi": "sekcam"}
    rejected = False
    while labels := active(office, 1):
        label = chance.choice(labels)
        office.later(chance.randint(5, 60))
        extra = []
        if label == "periksa":
            extra = ["--outcome", "Ya" if rejected else "Tidak"]
            rejected = True
        short = label.split("/")[0]  # a person names just the step: the task is their own
        done = office("step", "complete", "1", short, "--as", holder[label], *extra)
        assert done.stdout.startswith("Completed step ")
    shown = json.loads(office("run", "show", "1", "--json").stdout)
    assert shown["status"] == "completed"
    tasks = [s["task"] for s in shown["steps"]]
    assert tasks.count("kompilasi") == 1 and tasks.count("periksa") == 2
    assert sorted(t for t in tasks if t.startswith("draf")) == [
        "draf/s1", "draf/s1", "draf/s2", "draf/s2"]  # the rework made a second attempt
    assert office("audit", "verify").stdout.startswith("Audit trail intact")


def test_the_seed_collects_the_sections_in_parallel(tmp_path: Path, db_url: str) -> None:
    from tests.conftest import run_cli

    workspace = tmp_path / "darangdan"
    assert run_cli("init", str(workspace), "--db", db_url).exit_code == 0
    alur = Newcomer(workspace, db_url)
    alur("run", "start", "perencanaan-kinerja", "--as", "camat")
    alur("step", "complete", "1", "perintah", "--as", "camat")
    both = alur("step", "complete", "1", "2", "--as", "sekcam")
    assert "Active steps (6):" in both.stdout
    kasi = ["kasi-ekbang", "kasi-tapem", "kasi-pmd", "kasi-trantib", "kasi-kesos"]
    assert active(alur, 1) == [*(f"data-seksi/{k}" for k in kasi), "data-kepegawaian"]
    inbox = json.loads(alur("inbox", "--as", "kasi-pmd", "--json").stdout)
    assert [(i["task"], i["step"]) for i in inbox] == [("data-seksi/kasi-pmd", "data-seksi")]
    assert "alur step complete 1 data-seksi/kasi-pmd --as kasi-pmd" in alur(
        "inbox", "--as", "kasi-pmd").stdout
    alur.later(4 * 24 * 60)  # on Friday: every task of the branches is late
    late = json.loads(alur("overdue", "--json").stdout)
    assert len(late) == 6 and {x["task"] for x in late} >= {"data-kepegawaian"}
    people = [*kasi, "kasubbag-umum"]
    random.Random(5).shuffle(people)
    for person in people:
        step = "data-kepegawaian" if person == "kasubbag-umum" else "data-seksi"
        alur("step", "complete", "1", step, "--as", person)
        again = alur("step", "complete", "1", step, "--as", person, ok=False)
        assert again.exit_code == 1 and f"already completed by {person}" in again.stderr
    assert active(alur, 1) == ["kompilasi"]
    reminders = json.loads(alur("reminders", "list", "--run", "1", "--json").stdout)
    assert {r["step"] for r in reminders} >= {f"data-seksi/{k}" for k in kasi}
    report = json.loads(alur("report", "1", "--format", "json").stdout)
    assert report["steps_counted"] == 9 and report["critical_path_minutes"] > 0
    assert [s["task"] for s in report["steps"]][2:7] == [f"data-seksi/{k}" for k in kasi]
    history = json.loads(alur("history", "--run", "1", "--event", "step_activated",
                              "--format", "json").stdout)
    assert [e["step"] for e in history].count("kompilasi") == 1
