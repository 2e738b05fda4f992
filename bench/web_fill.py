"""The office of the web benchmark: 50 people in two kecamatan and 10,000 runs, made through
the engine's own use cases (``bench/bench_web.py`` uses it; it can also run alone).

Usage: python bench/web_fill.py WORKSPACE [--db URL] [--runs 10000]

The workspace is made by `alur init`, its roster replaced by two units of 25 people
(Camat, Sekcam, two Kasubbag, five Kasi, three Petugas PATEN who are also staff, and
thirteen more staff). Time runs from ``SINCE`` to ``NOW`` (a Monday morning) in the
office's working hours, every action at its own instant of a clock that only goes
forward:

- the yearly LAKIP (pengumpulan-data-kinerja, a year as its period) and the quarterly
  perencanaan-kinerja (the five Kasi and the Kasubbag Umum at once, then the join) start
  on their calendar days in each unit; the LAKIP of the year before ``NOW`` is under way;
- the rest are SKTM legalisations (legalisasi-sktm, no period limit: the register number
  is the period), started at the front desk with the applicant's data, an incomplete file
  sent back now and then, a few refused, the DTKS check done or skipped, a few cancelled,
  a scan of the signed letter attached to some;
- steps follow each other after a few minutes to a day of working time; some runs stall
  at a step (someone away, a file waiting), most of them in the last weeks: at ``NOW`` a
  few hundred runs are active, their tasks spread over the people who hold the roles.

Every person gets the password ``PASSWORD``. Actions are grouped 200 to a transaction
(the use cases are the CLI's; only the commits are fewer). Seeded: the same office each
time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import corrections, services  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.evidence import Upload  # noqa: E402
from runners.app import App  # noqa: E402

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 2, 16, 10, 0, tzinfo=WIB)  # a Monday morning; the server's clock
SINCE = dt.datetime(2024, 1, 2, 7, 30, tzinfo=WIB)
PASSWORD = "bench-password-1"
UNITS = {"darangdan": "Kecamatan Darangdan", "wanayasa": "Kecamatan Wanayasa"}
BATCH = 200
LAKIP, PLAN, SKTM = "pengumpulan-data-kinerja", "perencanaan-kinerja", "legalisasi-sktm"
FIRST_NAMES = ("Asep", "Dedi", "Euis", "Iis", "Ujang", "Neneng", "Yayan", "Rina", "Agus",
               "Siti", "Budi", "Wawan", "Lilis", "Cecep", "Dewi", "Hendra", "Yuli", "Rudi")
LAST_NAMES = ("Suryana", "Hidayat", "Rahmawati", "Kurniawan", "Sutisna", "Nurhayati",
              "Setiawan", "Permana", "Gunawan", "Lestari", "Saputra", "Wahyuni")


def roster_yaml() -> str:
    """Two units of 25 people each (50 in all)."""
    jobs = [("camat", "Camat", ["camat"]), ("sekcam", "Sekretaris Kecamatan", ["sekcam"]),
            ("kasubbag-umum", "Kasubbag Umum", ["kasubbag-umum"]),
            ("kasubbag-perencanaan", "Kasubbag Perencanaan",
             ["kasubbag-perencanaan", "kasi"]),
            ("kasi-tapem", "Kasi Tapem", ["kasi-tapem", "kasi"]),
            ("kasi-ekbang", "Kasi Ekbang", ["kasi-ekbang"]), ("kasi-pmd", "Kasi PMD",
                                                               ["kasi-pmd"]),
            ("kasi-trantib", "Kasi Trantib", ["kasi-trantib"]),
            ("kasi-kesos", "Kasi Kesos", ["kasi-kesos"])]
    jobs += [(f"paten-{n}", "Petugas PATEN", ["staf", "petugas-paten"]) for n in (1, 2, 3)]
    jobs += [(f"staf-{n}", "Staf", ["staf"]) for n in range(1, 14)]
    lines = ["format: 1", "units:"]
    number = 0
    for slug, name in UNITS.items():
        lines += [f"  {slug}:", f"    name: {name}", "    people:"]
        for job, title, roles in jobs:
            number += 1
            person = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} " \
                     f"{LAST_NAMES[number % len(LAST_NAMES)]}"
            lines += [f"      - id: {slug[:3]}-{job}", f"        name: {person} ({title})",
                      f"        nip: \"19{70 + number % 25:02d}0101200{number % 10}01"
                      f"{number:04d}\"",
                      f"        roles: [{', '.join(roles)}]",
                      f"        email: {slug[:3]}-{job}@{slug}.example"]
    return "\n".join(lines) + "\n"


def workspace(folder: Path) -> None:
    """`alur init` in ``folder`` with the benchmark's roster."""
    alur = Path(sys.executable).with_name("alur")
    subprocess.run([str(alur), "init", str(folder)], check=True, capture_output=True)
    (folder / "roster.yaml").write_text(roster_yaml(), encoding="utf-8")
    (folder / "alur.db").unlink(missing_ok=True)


def pdf(label: str) -> bytes:
    """A small PDF of its own content (a scan's stand-in)."""
    body = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET"
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            + f"3 0 obj << /Length {len(body)} >> stream\n{body}\nendstream endobj\n".encode()
            + b"trailer << /Root 1 0 R >>\n%%EOF\n")


@dataclass
class Plan:
    """What happens to one run: where it stalls (None: it goes to its end), whether it is
    cancelled, the outcomes of its decisions in turn."""

    sop: str
    unit: str
    period: str | None
    start: dt.datetime
    stall_after: int | None = None  # actions done before it stalls
    cancel_after: int | None = None
    detours: list[str] = field(default_factory=list)  # decision activities sent back once
    refused: bool = False
    skip_dtks: bool = True
    attach: bool = False
    run_id: int = 0
    done: int = 0


class Filler:
    """Drives the plans through the use cases, in time order."""

    def __init__(self, folder: Path, url: str | None, runs: int, seed: int = 11) -> None:
        self.clock = FixedClock(SINCE)
        self.app = App(folder, db_option=url, clock=self.clock)
        self.env = self.app.env
        self.cal = self.env.calendar
        self.rng = random.Random(seed)
        self.runs = runs
        self.sops = {s: self.app.sop(s) for s in (LAKIP, PLAN, SKTM)}
        self.queue: list[tuple[dt.datetime, int, Plan]] = []
        self.counter = 0
        self.counts = {"actions": 0, "files": 0}

    # -- plans ---------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        """The calendar runs of each unit, then SKTM runs spread over working time."""
        found: list[Plan] = []
        for unit in UNITS:
            for year in (2024, 2025, 2026):
                start = self.cal.next_working_instant(dt.datetime(year, 1, 2, 8, 0, tzinfo=WIB))
                if start < NOW:
                    found.append(Plan(LAKIP, unit, str(year - 1), start,
                                      stall_after=5 if year == 2026 else None,
                                      detours=["koreksi"] if year == 2025 else []))
            for year in (2024, 2025, 2026):
                for quarter in range(4):
                    day = dt.date(year, 3 * quarter + 1, 5)
                    start = self.cal.next_working_instant(
                        dt.datetime.combine(day, dt.time(8, 0), WIB))
                    if start >= NOW:
                        continue
                    previous = f"{year - (quarter == 0)}-Q{(quarter - 1) % 4 + 1}"
                    found.append(Plan(PLAN, unit, previous, start,
                                      stall_after=4 if start > NOW - dt.timedelta(days=60)
                                      else None, detours=["verifikasi"] if quarter == 2 else []))
        services_count = self.runs - len(found)
        span = self.cal.working_minutes_between(SINCE, NOW - dt.timedelta(hours=1))
        recent = self.cal.working_minutes_between(NOW - dt.timedelta(days=42), NOW)
        for number in range(services_count):
            start = self.cal.add_minutes(SINCE, int(span * number / services_count))
            unit = "darangdan" if self.rng.random() < 0.6 else "wanayasa"
            plan = Plan(SKTM, unit, None, start)
            age = self.cal.working_minutes_between(start, NOW)
            roll = self.rng.random()
            if age < recent and roll < 0.65 * (1 - age / recent):
                plan.stall_after = self.rng.randrange(1, 6)
            elif roll < 0.012:  # long forgotten
                plan.stall_after = self.rng.randrange(1, 6)
            if self.rng.random() < 0.01:
                plan.cancel_after = 1
            if self.rng.random() < 0.08:
                plan.detours.append("periksa")
            plan.refused = self.rng.random() < 0.04
            plan.skip_dtks = self.rng.random() < 0.6
            plan.attach = self.rng.random() < 0.3
            found.append(plan)
        return found

    # -- actions -------------------------------------------------------------------------

    def schedule(self, plan: Plan, at: dt.datetime) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (at, self.counter, plan))

    def delay(self, plan: Plan) -> int:
        """Working minutes to the run's next action."""
        if plan.sop == SKTM:
            return self.rng.choice((5, 10, 15, 20, 30, 45, 60, 90, 120, 240, 480))
        return self.rng.choice((60, 120, 240, 480, 960))

    def who(self, unit: str, assignees: tuple[str, ...]) -> str:
        return self.rng.choice(assignees)

    def start(self, store: Any, plan: Plan) -> None:
        loaded = self.sops[plan.sop]
        unit = self.env.roster.unit(plan.unit)
        if plan.sop == SKTM:
            desk = [p.id for p in unit.people if "petugas-paten" in p.roles]
            number = plan.start.toordinal() * 10 + self.counter % 10
            nik = f"3214{number % 100:02d}{(number % 28) + 1:02d}{(number % 12) + 1:02d}" \
                  f"{90 + number % 10:02d}{(number % 9000) + 1000:04d}"
            fields = {"pemohon": f"{self.rng.choice(FIRST_NAMES)} "
                                 f"{self.rng.choice(LAST_NAMES)}", "nik": nik,
                      "alamat": f"Kp. Cibodas RT 0{number % 9 + 1}/RW 0{number % 5 + 1}",
                      "telepon": f"0812{number % 100000000:08d}",
                      "keperluan": self.rng.choice(("Sekolah", "Berobat", "Bantuan sosial"))}
            done = services.start_run(store, self.env, loaded, plan.unit, None,
                                      self.rng.choice(desk), fields=fields, received=True)
        else:
            done = services.start_run(store, self.env, loaded, plan.unit, plan.period, None,
                                      automatic=True)
        plan.run_id = done.run.id

    def step(self, store: Any, plan: Plan) -> bool:
        """One action on the run; False when it is over."""
        if plan.cancel_after is not None and plan.done >= plan.cancel_after:
            run = store.get_run(plan.run_id)
            corrections.cancel_run(store, self.env, plan.run_id,
                                   "Pemohon menarik kembali berkas", run.started_by)
            return False
        active = store.active_tasks(plan.run_id)
        if not active:
            return False
        task = active[0]
        spec = self.sops[plan.sop].spec
        activity = spec.activity(task.activity_id)
        person = self.who(plan.unit, task.assignees)
        if activity.optional and plan.skip_dtks:
            corrections.skip_step(store, self.env, plan.run_id, task.label,
                                  "Data keluarga sudah jelas", person)
            return True
        outcome = None
        if activity.is_decision:
            labels = [o.label for o in activity.outcomes]
            outcome = labels[0]
            if activity.id in plan.detours:
                plan.detours.remove(activity.id)
                outcome = labels[1]
            elif activity.id == "verifikasi" and plan.sop == SKTM and plan.refused:
                outcome = labels[1]
        files = []
        if plan.attach and activity.id == "registrasi":
            files = [Upload(f"sktm-{plan.run_id}.pdf", pdf(f"SKTM {plan.run_id}"))]
            self.counts["files"] += 1
        note = "Berkas sudah diperiksa" if outcome and self.rng.random() < 0.3 else None
        services.complete_step(store, self.env, plan.run_id, task.label, person, outcome,
                               note, evidence=files)
        return True

    def act(self, store: Any, plan: Plan) -> None:
        if plan.run_id == 0:
            self.start(store, plan)
            more = True
        else:
            more = self.step(store, plan)
        plan.done += 1
        self.counts["actions"] += 1
        if more and (plan.stall_after is None or plan.done < plan.stall_after):
            self.schedule(plan, self.cal.add_minutes(self.clock.now(), self.delay(plan)))

    def fill(self, progress: Callable[[str], None] = print) -> dict[str, int]:
        """Every plan played up to ``NOW``; then every person's password."""
        from engine import accounts
        from runners.passwords import password_hasher

        for plan in self.plans():
            self.schedule(plan, plan.start)
        began, batch = time.monotonic(), 0
        db = self.app.db
        while self.queue and self.queue[0][0] < NOW:
            with db.transaction() as store:
                for _ in range(BATCH):
                    if not self.queue or self.queue[0][0] >= NOW:
                        break
                    at, _n, plan = heapq.heappop(self.queue)
                    self.clock.at = max(self.clock.at, at)
                    self.act(store, plan)
            batch += 1
            if batch % 50 == 0:
                progress(f"  {self.clock.now():%Y-%m-%d}: {self.counts['actions']} actions, "
                         f"{time.monotonic() - began:.0f} s")
        self.clock.at = NOW
        hasher = password_hasher()
        with db.transaction() as store:
            for unit in self.env.roster.units:
                for person in unit.people:
                    accounts.set_password(store, self.env, person.id, PASSWORD, hasher)
        self.app.close()
        return self.counts


def build(folder: Path, url: str | None, runs: int,
          progress: Callable[[str], None] = print) -> dict[str, int]:
    """A new workspace in ``folder`` (its database at ``url``, else alur.db there)."""
    workspace(folder)
    return Filler(folder, url, runs).fill(progress)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--db", help="database URL (default: alur.db in the workspace)")
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    began = time.monotonic()
    counts = build(args.workspace, args.db, args.runs)
    print(f"{counts} in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
