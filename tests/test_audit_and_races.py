"""The audit chain catches tampering; racing completions and killed processes keep the data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.errors import AlurError, AuditTampered, ConcurrentChange, StepNotActive
from tests.conftest import REPO
from tests.office import LAKIP_PEOPLE, Office


def verify(office: Office, run: int | None = None) -> int:
    return office.verify(run)


def tamper(office: Office, *statements: str) -> None:
    with office.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def two_runs(office: Office) -> tuple[int, int]:
    first = office.start().run.id
    second = office.start(period="2024").run.id
    for person in LAKIP_PEOPLE[:3]:
        office.complete(first, person)
        office.complete(second, person)
    return first, second


def test_an_untouched_trail_verifies(office: Office) -> None:
    two_runs(office)
    assert verify(office) == 16
    assert verify(office, 1) == 8


def test_an_edited_event_is_named(office: Office) -> None:
    two_runs(office)
    tamper(office, "UPDATE audit_events SET actor = 'kasi-2' WHERE seq = 7")
    with pytest.raises(AuditTampered, match=r"^audit trail broken at event 7 \(step_completed, "
                                            r"run 2\): its content was changed"):
        verify(office)
    with pytest.raises(AuditTampered, match="event 7"):
        verify(office, 2)
    assert verify(office, 1) == 8  # run 1's own events are intact


def test_a_deleted_event_is_named(office: Office) -> None:
    two_runs(office)
    tamper(office, "DELETE FROM audit_events WHERE seq = 9")
    with pytest.raises(AuditTampered, match=r"^audit trail broken at event 10: event 9 is "
                                            r"missing"):
        verify(office)
    with pytest.raises(AuditTampered, match="event 9 is missing"):
        verify(office, 2)


def test_deleting_the_last_events_is_caught(office: Office) -> None:
    two_runs(office)
    tamper(office, "DELETE FROM audit_events WHERE seq >= 15")
    with pytest.raises(AuditTampered, match="should end at event 16"):
        verify(office)


def test_swapped_events_are_caught(office: Office) -> None:
    two_runs(office)
    # swap the contents of events 5 and 6 (keeping their seq numbers)
    tamper(office,
           "UPDATE audit_events SET seq = -5 WHERE seq = 5",
           "UPDATE audit_events SET seq = 5 WHERE seq = 6",
           "UPDATE audit_events SET seq = 6 WHERE seq = -5")
    with pytest.raises(AuditTampered, match=r"^audit trail broken at event 5"):
        verify(office)


def test_the_cli_names_the_first_broken_event(office: Office, tmp_path: Path) -> None:
    from tests.conftest import run_cli

    two_runs(office)
    url = office.engine.url.render_as_string(hide_password=False)
    ok = run_cli("audit", "verify", "--db", url, "--workspace", str(tmp_path))
    assert ok.exit_code == 0, ok.output
    tamper(office, "UPDATE audit_events SET data = '{}' WHERE seq = 3")
    broken = run_cli("audit", "verify", "--db", url, "--workspace", str(tmp_path))
    assert broken.exit_code == 1
    assert broken.stderr.startswith("Error: audit trail broken at event 3 ")
    said = subprocess.run([sys.executable, "-c", "from runners.cli.main import main; main()",
                           "audit", "verify", "--db", url, "--workspace", str(tmp_path)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "ALUR_LANG": "id", "PYTHONPATH": str(REPO)})
    assert said.returncode == 1
    assert "jejak audit rusak pada peristiwa 3 (run_started, run 2): isinya diubah setelah " \
        "dicatat" in said.stderr
    assert "Traceback" not in said.stderr  # the cursor is closed with its transaction


@pytest.mark.parametrize("racers", [8])
def test_eight_people_racing_on_one_step(office: Office, racers: int) -> None:
    """Two holders of `kasi` (and six more attempts) complete step 3 at the same moment."""
    run = office.start().run.id
    office.complete(run, "camat")
    office.complete(run, "sekcam")
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(index: int) -> None:
        person = "kasi-1" if index % 2 else "kasi-2"
        barrier.wait()
        try:
            office.complete(run, person, step="himpun")
            result = f"ok {person}"
        except (ConcurrentChange, StepNotActive) as exc:
            result = f"refused {exc}"
        except AlurError as exc:  # pragma: no cover - shown in the assertion
            result = f"other {type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o.startswith("ok")]
    assert len(winners) == 1, outcomes
    winner = winners[0].split()[1]
    refused = [o for o in outcomes if o.startswith("refused")]
    assert len(refused) == racers - 1, outcomes
    for message in refused:
        assert f"completed by {winner}" in message, message
    steps = office.steps(run)
    assert [s.activity_id for s in steps] == ["perintah", "format", "himpun", "analisis"]
    assert verify(office) == 8


CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from storage.store import SqlStore
    from tests.office import Office

    def die(self, *args, **kwargs):
        # the step and the run rows are written; the audit events are not yet
        os.kill(os.getpid(), signal.SIGKILL)

    SqlStore.append_events = die
    Office({url!r}).complete(1, "camat")
""")


@pytest.mark.slow
def test_a_killed_process_leaves_no_half_transition(office: Office) -> None:
    office.start()
    before = office.snapshot()
    url = office.engine.url.render_as_string(hide_password=False)
    child = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO), url=url)],
                           capture_output=True, text=True, cwd=REPO, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert office.snapshot() == before
    assert verify(office) == 2
    office.complete(1, "camat")
    assert verify(office) == 4
