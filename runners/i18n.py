"""The message catalogue: every text a person reads, in Bahasa Indonesia or English.

The catalogues are gettext ``.po`` files managed with Babel
(``runners/locale/<lang>/LC_MESSAGES/alur.po``; ``python -m runners.catalog``
extracts and updates them). Message ids are English; ``id`` (the default)
translates every one, ``en`` keeps them. A ``.po`` is compiled to its ``.mo``
when the ``.mo`` is missing or older (at first use after an install or an
edit), next to it when the package folder is writable, else in the user's
cache folder.

The language is ``ALUR_LANG`` (``id`` or ``en``) unless a runner sets one
(``alur --lang en``; a web page for its user): ``use_language`` sets it for the
current thread or task only. Click's own words (``Usage:``, ``Error:``...) are
in the catalogue too: ``use_language`` points the standard ``gettext`` that
click calls at it.
"""

from __future__ import annotations

import gettext as gettext_module
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "alur"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"

_chosen: ContextVar[str | None] = ContextVar("alur_language", default=None)


class LanguageError(ValueError):
    """A language Alur has no catalogue for."""

    def __init__(self, given: str, source: str) -> None:
        self.given = given
        super().__init__(f"{source}: no language `{given}`; choose one of: "
                         + ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items()))


def check_language(code: str, source: str = "language") -> str:
    """``code`` lower-cased if Alur speaks it (``id``, ``en``; ``id_ID`` is ``id``)."""
    wanted = code.strip().lower().replace("-", "_").split("_")[0]
    if wanted not in LANGUAGES:
        raise LanguageError(code, source)
    return wanted


def language() -> str:
    """The language in use: the one set by ``use_language``, else ``ALUR_LANG``, else ``id``."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    from_env = os.environ.get("ALUR_LANG", "").strip()
    if from_env:
        try:
            return check_language(from_env, "ALUR_LANG")
        except LanguageError:
            return DEFAULT_LANGUAGE  # the CLI refuses it loudly at start-up
    return DEFAULT_LANGUAGE


@contextmanager
def use_language(code: str) -> Iterator[str]:
    """Speak ``code`` (checked) in this thread or task until the block ends."""
    code = check_language(code)
    token = _chosen.set(code)
    previous = os.environ.get("LANGUAGE")
    point_click_at(code)
    try:
        yield code
    finally:
        _chosen.reset(token)
        if previous is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous


def point_click_at(code: str) -> None:
    """Make the standard ``gettext`` (which click calls) answer from Alur's catalogue in
    ``code``."""
    gettext_module.bindtextdomain(DOMAIN, str(_compiled_dir(code)))
    gettext_module.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = code


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alur" / "locale"


def _fresh(mo: Path, po: Path) -> bool:
    try:
        return mo.stat().st_mtime >= po.stat().st_mtime
    except FileNotFoundError:
        return False


def _compile(po: Path, mo: Path) -> None:
    """Write ``mo`` from ``po`` with Babel (fuzzy entries left out), atomically."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_name(f".{mo.name}.{os.getpid()}")
    with partial.open("wb") as target:
        write_mo(target, catalog)
    partial.replace(mo)


@cache
def _compiled_dir(code: str) -> Path:
    """The folder holding ``<code>/LC_MESSAGES/alur.mo``, compiled if it was missing or old."""
    relative = Path(code) / "LC_MESSAGES"
    po = LOCALE_DIR / relative / f"{DOMAIN}.po"
    # in the cache, a folder per installed catalogue (two installs never share a .mo)
    import hashlib

    own = hashlib.sha256(str(LOCALE_DIR).encode()).hexdigest()[:12]
    for base in (LOCALE_DIR, _cache_dir() / own):
        mo = base / relative / f"{DOMAIN}.mo"
        if _fresh(mo, po):
            return base
        try:
            _compile(po, mo)
        except OSError:
            continue  # not writable: try the cache folder
        return base
    raise OSError(f"cannot compile the message catalogue {po}: neither its folder nor "
                  f"{_cache_dir()} is writable")


@cache
def translations(code: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``code``."""
    return gettext_module.translation(DOMAIN, str(_compiled_dir(code)), [code], fallback=True)


def _(message: str) -> str:
    """``message`` (an English message id) in the language in use."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for ``count``, in the language in use."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; it is translated where it is shown (``_``)."""
    return message


def say(message: Any) -> str:
    """Any message in the language in use: an engine ``Text`` (template and values, each
    value said too), or a plain string looked up as it is."""
    from engine.text import Text

    if isinstance(message, Text):
        values = {key: say(value) if isinstance(value, Text) else value
                  for key, value in message.values.items()}
        return _(message.template).format(**values) if values else _(message.template)
    return _(message) if isinstance(message, str) and message else str(message)


def say_problem(problem: Any) -> str:
    """One ``engine.errors.Problem`` as its line ``file:line:column: [warning: ]message``."""
    message = say(problem.message)
    if problem.warning:
        message = _("warning: {message}").format(message=message)
    return f"{problem.file}:{problem.line}:{problem.column}: {message}"


def say_error(exc: BaseException) -> str:
    """An Alur error in the language in use: each problem of a file on its line, else its
    message (an engine ``Text`` when the engine built it)."""
    problems = getattr(exc, "problems", None)
    if problems is not None:
        return "\n".join(say_problem(p) for p in problems)
    if exc.args and isinstance(exc.args[0], str):
        return say(exc.args[0])
    return str(exc)


def say_ours(value: Any) -> Any:
    """An engine message (``Text``) in the language in use; anything else (a person's own
    words, such as the reason they gave) as it is, never looked up in the catalogue."""
    from engine.text import Text

    return say(value) if isinstance(value, Text) else value
