"""Benchmark: `alur web` on an office of 50 people and 10,000 runs, SQLite and PostgreSQL.

Run by hand:  python bench/bench_web.py [--postgres URL] [--runs 10000] [--requests 200]
                                        [--keep DIR] [--before TREE] [--rounds 5]

The office (``bench/web_fill.py``: two kecamatan of 25 people, 10,000 runs made through
the engine's use cases, a few hundred of them active) is served by a real `alur web`
process on 127.0.0.1, its clock standing at ``web_fill.NOW``. For each person measured,
the benchmark logs in through the login form, then asks alternately for the inbox
(``/tugas``) and for a step page (``/run/R/langkah/T``, going round the tasks the inbox
links to), ``--requests`` times each after 10 unmeasured ones, over one kept-alive
connection. Reported per page: the server's time (the app's ``Server-Timing: app;dur=``
header) and the client's round trip, median and 95th percentile; then the peak memory of
the `alur web` process (VmHWM of /proc/PID/status) after all requests.

Targets (issue 11): inbox p95 under 50 ms on SQLite; `alur web` peak memory under 150 MB.

``--keep DIR`` keeps the office (workspace, SQLite file, PostgreSQL database name) in DIR
and reuses it next time: making it takes minutes. ``--before TREE`` also serves the same
data from another source tree (a `git worktree` of an older commit, whose schema must be
the same or the database is copied and taken down to it), alternating with this one
``--rounds`` times, for a paired comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import web_fill  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TASK_LINK = re.compile(r'href="(/run/\d+/langkah/\d+)"')
TIMING = re.compile(r"app;dur=([0-9.]+)")
PEOPLE = ("dar-paten-1", "dar-camat", "wan-kasi-kesos")
PG_NAME = "alur_bench_web"


# -- the office ----------------------------------------------------------------------------

def postgres_fresh(url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``url``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def office(kind: str, keep: Path, runs: int, postgres: str | None) -> tuple[Path, str]:
    """The workspace and database URL of the office, made unless ``keep`` has it."""
    folder = keep / kind
    done = folder / "bench-done.json"
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'ws' / 'alur.db'}"
    else:
        assert postgres is not None
        from sqlalchemy.engine import make_url

        url = make_url(postgres).set(database=PG_NAME).render_as_string(hide_password=False)
    if done.is_file() and json.loads(done.read_text())["runs"] == runs:
        return folder / "ws", url
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    if kind == "postgres":
        url = postgres_fresh(postgres or "", PG_NAME)
    print(f"making the office on {kind} ({runs} runs) ...", flush=True)
    began = time.monotonic()
    counts = web_fill.build(folder / "ws", url, runs,
                            lambda line: print(line, flush=True))
    took = time.monotonic() - began
    print(f"  {counts['actions']} actions in {took:.0f} s", flush=True)
    done.write_text(json.dumps({"runs": runs, "seconds": round(took), **counts}))
    return folder / "ws", url


# -- the server ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Server:
    """`alur web` of a source tree as a child process, until stopped."""

    def __init__(self, tree: Path, workspace: Path, url: str) -> None:
        self.port = free_port()
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("PYTHONDONTWRITEBYTECODE", "ALUR_LANG")}
        environment.update({"ALUR_WORKSPACE": str(workspace), "ALUR_DATABASE_URL": url,
                            "PYTHONPATH": str(tree), "ALUR_NOW": web_fill.NOW.isoformat()})
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from runners.cli.main import main; main()", "web",
             "--host", "127.0.0.1", "--port", str(self.port)],
            env=environment, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"alur web ended: {self.process.communicate()[0]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("alur web did not start")

    def memory(self) -> tuple[float, float]:
        """Peak and current resident memory (MB) of the process."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
        return int(found["VmHWM"]) / 1024, int(found["VmRSS"]) / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=30)


# -- the client ----------------------------------------------------------------------------

@dataclass
class Browser:
    """One person's kept-alive connection and cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def ask(self, method: str, path: str, form: dict[str, str] | None = None
            ) -> tuple[int, str, float, float]:
        """Status, body, the server's time and the round trip (ms)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        text = answer.read().decode()
        took = (time.perf_counter() - began) * 1000
        for cookie in answer.headers.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        timing = TIMING.search(answer.headers.get("server-timing", ""))
        if timing is None:
            raise SystemExit(f"{path}: no Server-Timing header")
        return answer.status, text, float(timing.group(1)), took

    def log_in(self, person: str) -> None:
        _status, page, *_ = self.ask("GET", "/masuk")
        found = CSRF.search(page)
        assert found is not None, page[:500]
        status, page, *_ = self.ask("POST", "/masuk", {
            "username": person, "password": web_fill.PASSWORD, "csrf": found.group(1)})
        if status != 303:
            raise SystemExit(f"{person} could not log in ({status}): {page[:500]}")


@dataclass
class Sample:
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(browser: Browser, count: int, warm: int = 10) -> tuple[Sample, Sample, int]:
    """``count`` inbox pages and step pages, alternating (after ``warm`` of each)."""
    status, page, *_ = browser.ask("GET", "/tugas")
    assert status == 200, page[:500]
    steps = list(dict.fromkeys(TASK_LINK.findall(page)))
    inbox, step = Sample(), Sample()
    for number in range(warm + count):
        for path, sample in (("/tugas", inbox), (steps[number % len(steps)], step)):
            status, page, server, client = browser.ask("GET", path)
            if status != 200:
                raise SystemExit(f"{path}: {status} {page[:500]}")
            if number >= warm:
                sample.server.append(server)
                sample.client.append(client)
    return inbox, step, len(steps)


# -- the run -------------------------------------------------------------------------------

def row(label: str, sample: Sample) -> str:
    s, c = sample.server, sample.client
    return (f"| {label} | {statistics.median(s):.1f} | {p95(s):.1f} | "
            f"{statistics.median(c):.1f} | {p95(c):.1f} |")


def bench(kind: str, workspace: Path, url: str, requests: int) -> list[str]:
    """Every person's pages on one server; the table's rows."""
    server = Server(ROOT, workspace, url)
    lines = []
    try:
        for person in PEOPLE:
            browser = Browser(server.port)
            browser.log_in(person)
            inbox, step, tasks = measure(browser, requests)
            lines.append(row(f"{kind}, {person} ({tasks} tasks): /tugas", inbox))
            lines.append(row(f"{kind}, {person}: step page", step))
            print("\n".join(lines[-2:]), flush=True)
        peak, now = server.memory()
        lines.append(f"| {kind}: `alur web` peak memory (VmHWM) {peak:.0f} MB, "
                     f"resident at the end {now:.0f} MB | | | | |")
        print(lines[-1], flush=True)
    finally:
        server.stop()
    return lines


def paired(kind: str, workspace: Path, url: str, before_url: str, before: Path,
           requests: int, rounds: int) -> list[str]:
    """This tree and ``before`` on the same data, alternating round by round."""
    sides = {"before": Server(before, workspace, before_url), "after": Server(ROOT, workspace,
                                                                              url)}
    samples = {(side, person, page): Sample() for side in sides for person in PEOPLE
               for page in ("inbox", "step")}
    browsers = {}
    try:
        for side, server in sides.items():
            for person in PEOPLE:
                browsers[side, person] = Browser(server.port)
                browsers[side, person].log_in(person)
        for number in range(rounds):
            for side in (("before", "after") if number % 2 == 0 else ("after", "before")):
                for person in PEOPLE:
                    inbox, step, _tasks = measure(browsers[side, person], requests // rounds,
                                                  warm=3)
                    for page, got in (("inbox", inbox), ("step", step)):
                        samples[side, person, page].server += got.server
                        samples[side, person, page].client += got.client
        lines = []
        for person in PEOPLE:
            for page in ("inbox", "step"):
                b, a = samples["before", person, page], samples["after", person, page]
                lines.append(f"| {kind}, {person}, {page} | {statistics.median(b.server):.1f} / "
                             f"{p95(b.server):.1f} | {statistics.median(a.server):.1f} / "
                             f"{p95(a.server):.1f} | {p95(b.server) / p95(a.server):.1f}x |")
                print(lines[-1], flush=True)
        for side, server in sides.items():
            lines.append(f"| {kind}: {side} peak memory | {server.memory()[0]:.0f} MB | | |")
    finally:
        for server in sides.values():
            server.stop()
    return lines


def before_database(kind: str, url: str, keep: Path, before: Path) -> str:
    """The office's database as the ``before`` tree's schema has it: the same when the
    schemas agree, else a copy taken down to the older head."""
    code = ("from storage.db import HEAD_REVISION; print(HEAD_REVISION)")
    theirs = subprocess.run([sys.executable, "-c", code], cwd=before, check=True,
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(before)}).stdout.strip()
    from storage.db import HEAD_REVISION

    if theirs == HEAD_REVISION:
        return url
    if kind == "sqlite":
        copy = keep / "before.db"
        subprocess.run(["cp", url.removeprefix("sqlite:///"), str(copy)], check=True)
        down = f"sqlite:///{copy}"
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = PG_NAME + "_before"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{PG_NAME}"'))
        admin.dispose()
        down = make_url(url).set(database=name).render_as_string(hide_password=False)
    from storage.db import make_engine, migrate

    engine = make_engine(down)
    migrate(engine, theirs, down=True)
    engine.dispose()
    return down


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL",
                        help="also on PostgreSQL (a server URL; database alur_bench_web)")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=ROOT / ".work" / "bench-web")
    parser.add_argument("--before", type=Path, help="a source tree to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    os.environ.setdefault("ALUR_CACHE_DIR", str(ROOT / ".work" / "cache"))
    kinds = [k for k in ("sqlite", "postgres") if (k == "sqlite" or args.postgres)
             and args.only in (None, k)]
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    lines = []
    for kind in kinds:
        workspace, url = office(kind, args.keep, args.runs, args.postgres)
        if args.before is None:
            lines += bench(kind, workspace, url, args.requests)
        else:
            down = before_database(kind, url, args.keep / kind, args.before.resolve())
            lines += paired(kind, workspace, url, down, args.before.resolve(), args.requests,
                            args.rounds)
    if args.before is None:
        print("\n| page | server p50 (ms) | server p95 | round trip p50 | round trip p95 |")
        print("|---|---|---|---|---|")
    else:
        print("\n| page | before p50 / p95 (ms) | after p50 / p95 | p95 before / after |")
        print("|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
