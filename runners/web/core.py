"""What every request of the web app shares: the workspace (``App``), the Env of the web
channel, the settings of ``[web]``, the SOPs, and the templates with their filters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request

from runners.i18n import _, language, ngettext
from runners.render.labels import head
from runners.web import format as fmt

if TYPE_CHECKING:
    from engine.loader import LoadedSop
    from engine.ports import Store
    from engine.roster import Person
    from engine.services import Env
    from engine.spec import SopSpec
    from runners.app import App

T = TypeVar("T")
log = logging.getLogger("alur.web")
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTMX = "htmx-2.0.8.min.js"
MIB = 1024 * 1024
MAX_FILES = 10  # files in one completion
FORM_LIMIT = MIB  # bytes of a form without files (a long note fits)
SOP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def _said(message: str) -> Markup:
    """A message of a template in the language in use, as markup whose ``format`` escapes
    what fills its places (a name, a note: text, never HTML)."""
    return Markup.escape(_(message))


def _said_n(singular: str, plural: str, count: int) -> Markup:
    """The singular or plural message for ``count`` (see ``_said``)."""
    return Markup.escape(ngettext(singular, plural, count))


class StateWords(dict[str, str]):
    """The states of a painted flowchart, said in the language in use."""

    def __missing__(self, key: str) -> str:
        return {"done": _("done"), "active": _("active"), "overdue": _("overdue"),
                "not_reached": _("not reached")}.get(key, key)


STATE_WORDS = StateWords()


class Web:
    """What every request shares: the workspace (``App``), the Env of the web channel, the
    templates and the settings of ``[web]``."""

    def __init__(self, app: App) -> None:
        from runners.passwords import password_hasher

        self.app = app
        self.settings = app.settings.web
        self.tz = app.tz
        # everything a request needs is built now, once, not by two threads at a time
        self._env: Env = dataclasses.replace(app.env, channel="web")
        self._roster_seen = self._roster_stamp()
        app.db  # noqa: B018 - opened (and migrated) before the first request
        self.hasher = password_hasher()
        self.max_upload = self.settings.max_upload_bytes
        self.upload_limit = self.max_upload * MAX_FILES + MIB  # a completion's whole body
        self.form_limit = FORM_LIMIT
        self._lock = threading.Lock()
        self._sops: tuple[tuple[tuple[str, int], ...], list[LoadedSop]] | None = None
        self.jinja = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                                 undefined=StrictUndefined, trim_blocks=True,
                                 lstrip_blocks=True,
                                 auto_reload=False)  # templates are part of the install
        self.jinja.globals.update(_=_said, ngettext=_said_n, htmx=HTMX, head=head,
                                  default_period=self.default_period,
                                  state_words=STATE_WORDS)
        self.jinja.filters.update(fmt.filters())
        self.jinja.filters.update(
            details=lambda data: fmt.event_details(data, self.tz, self.env.roster))
        self.jinja.filters.update(when=lambda value: fmt.when(value, self.tz),
                                  local=lambda value: fmt.iso_local(value, self.tz),
                                  name=lambda person: fmt.person_name(self.env.roster, person),
                                  unit_name=lambda slug: fmt.unit_name(self.env.roster, slug),
                                  due=lambda due: fmt.due_text(self.env.calendar, due,
                                                               self.now()))

    # -- the workspace -------------------------------------------------------------------

    @property
    def env(self) -> Env:
        """The Env of the web channel, with the roster as roster.yaml holds it now: read
        again when the file changed (people added or gone, a Plt/Plh), so that the server
        needs no restart; a roster with problems is not taken (the log says why)."""
        seen = self._roster_stamp()
        if seen != self._roster_seen:
            with self._lock:
                if seen != self._roster_seen:
                    self._reload_roster()
                    self._roster_seen = seen
        return self._env

    def _roster_stamp(self) -> tuple[int, int] | None:
        from runners.app import ROSTER_FILE

        try:
            stat = (self.app.workspace / ROSTER_FILE).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _reload_roster(self) -> None:
        from engine.errors import ConfigError
        from engine.roster_loader import load_roster
        from runners.app import ROSTER_FILE
        from runners.i18n import say_error

        try:
            roster = load_roster(self.app.workspace / ROSTER_FILE)
        except (ConfigError, OSError) as exc:
            log.warning("roster.yaml changed but cannot be used, the roster read before "
                        "stays: %s", say_error(exc))
            return
        self._env = dataclasses.replace(self._env, roster=roster)

    def now(self) -> dt.datetime:
        """The current time (the workspace's clock)."""
        return self.app.now()

    def write(self, use_case: Callable[[Store], T]) -> T:
        """One write transaction."""
        return self.app.write(use_case)

    def read(self, query: Callable[[Store], T]) -> T:
        """One read transaction."""
        return self.app.read(query)

    def sop(self, sop_id: str) -> LoadedSop:
        """The workspace's SOP with this id (SopNotFound for anything else, such as a path)."""
        from engine.errors import SopNotFound

        if not SOP_ID.fullmatch(sop_id) or ".." in sop_id:
            raise SopNotFound(sop_id)
        return self.app.sop(sop_id)

    def sops(self) -> list[LoadedSop]:
        """The workspace's valid SOPs by id, read again when a file of sops/ changed."""
        from engine.catalog import load_catalog, sop_files

        folder = self.app.sops_dir
        files = sop_files([folder]) if folder.is_dir() else []
        seen = tuple((str(f), f.stat().st_mtime_ns) for f in files)
        with self._lock:
            if self._sops is None or self._sops[0] != seen:
                loaded = sorted(load_catalog([folder]).loaded, key=lambda s: s.spec.id) \
                    if files else []
                self._sops = (seen, loaded)
            return self._sops[1]

    def default_period(self, spec: SopSpec) -> str:
        """The period a run of a calendar SOP is for when none is given (``2025``)."""
        from engine.periods import default_period

        return default_period(spec, self.now().astimezone(self.tz))

    def person(self, person_id: str) -> Person | None:
        """The roster's person with this id."""
        return next((p for u in self.env.roster.units for p in u.people if p.id == person_id),
                    None)

    def secure(self, request: Request) -> bool:
        """Whether cookies are for https only: served over https, or reached at an https
        ``base_url`` (behind a proxy)."""
        return request.url.scheme == "https" or self.settings.base_url.startswith("https://")

    def too_big_message(self, files: bool) -> str:
        """Why a request body was refused for its size."""
        if files:
            return _("The files sent together are too big. Each file may be at most {limit} MB, "
                     "and at most {count} files at once; nothing was stored.").format(
                         limit=self.settings.max_upload_mb, count=MAX_FILES)
        return _("The form sent is too big; nothing was changed.")

    # -- answering -----------------------------------------------------------------------

    def render(self, template: str, **values: Any) -> str:
        """A template rendered in the language in use."""
        return self.jinja.get_template(template).render(lang=language(), **values)
