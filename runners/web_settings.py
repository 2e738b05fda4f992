"""[web] of alur.toml, and the [apprise] templates that reach people on WhatsApp and Telegram.

Read by ``runners.settings`` (which holds the whole file) with the same
``TomlReader``, so a mistake reads FILE:LINE:COL with what would be accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.text import Text
from runners.toml_reader import TomlReader, label

MEGABYTE = 1024 * 1024
WEB_KEYS = ("base_url", "max_upload_mb", "session_hours", "login_links", "host", "port")
APPRISE_TEMPLATES = ("whatsapp_url", "telegram_url")  # each with its one {place}
_BASE_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]+")
_PLACE = re.compile(r"(?<!\$)\{([^{}]*)\}")  # {whatsapp}, not ${NAME} (an environment value)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


@dataclass(frozen=True, slots=True)
class WebSettings:
    """[web]: where people reach `alur web`, uploads, sessions and login links."""

    base_url: str = ""  # the address people open, no trailing slash; "" = unset
    max_upload_mb: int = 20
    session_hours: int = 10  # a session ends after this long without use
    login_links: bool = False  # reminders carry single-use login links
    host: str = "127.0.0.1"  # where `alur web` listens
    port: int = 8000

    @property
    def max_upload_bytes(self) -> int:
        """The largest file accepted, in bytes."""
        return self.max_upload_mb * MEGABYTE


def _whole(r: TomlReader, t: dict[str, Any], key: str, default: int, low: int, high: int,
           accepted: str) -> int:
    """A whole number from ``low`` to ``high``; else the default and a problem."""
    value: int = r.value(t, ("web",), key, int, default, accepted)
    if not low <= value <= high:
        r.error(("web", key), Text("{key} must be from {low} to {high}, not {value}",
                                   key=label(("web", key)), low=low, high=high, value=value))
        return default
    return value


def read_web(r: TomlReader, t: dict[str, Any]) -> WebSettings:
    """[web], every key checked."""
    path = ("web",)
    base: str = r.value(t, path, "base_url", str, "", Text(
        'the address people open, like "https://alur.kecamatan.example", or "" for none'))
    given = bool(base)
    if base.endswith("/") and _BASE_URL.fullmatch(base.rstrip("/")):
        r.error((*path, "base_url"), Text(
            '`web.base_url` must not end with a slash: write "{url}"', url=base.rstrip("/")))
        base = ""
    elif base and not _BASE_URL.fullmatch(base):
        r.error((*path, "base_url"), Text(
            '`web.base_url` must be an http:// or https:// address without a query, like '
            '"https://alur.kecamatan.example", not "{value}"', value=base))
        base = ""
    upload = _whole(r, t, "max_upload_mb", 20, 1, 200, Text("a whole number of megabytes, "
                                                            "like 20"))
    hours = _whole(r, t, "session_hours", 10, 1, 720, Text("a whole number of hours, like 10"))
    links = r.value(t, path, "login_links", bool, False, Text("true or false"))
    if links and not given:
        r.error((*path, "login_links"), Text(
            "`web.login_links` needs `web.base_url`: the links in reminders lead there"))
        links = False
    host = r.text(t, path, "host", "127.0.0.1", _HOST,
                  Text('a host name or IP address to listen on, like "127.0.0.1" or "0.0.0.0"'))
    if "host" in t and not host:
        r.error((*path, "host"), Text('`web.host` must not be empty; write "127.0.0.1" to '
                                      "serve this computer only, or \"0.0.0.0\" for the network"))
        host = "127.0.0.1"
    port = _whole(r, t, "port", 8000, 1, 65535, Text("a port number, like 8000"))
    return WebSettings(base, upload, hours, links, host, port)


def read_template(r: TomlReader, t: dict[str, Any], key: str) -> str:
    """An apprise URL template of [apprise] with its one place, ``{whatsapp}`` or
    ``{telegram}`` (``${NAME}`` takes a secret from the environment when sending)."""
    place = key.removesuffix("_url")
    wanted = "{" + place + "}"
    path = ("apprise",)
    example = ('"whatsapp://${ALUR_WA_TOKEN}@${ALUR_WA_FROM}/{whatsapp}"' if place == "whatsapp"
               else '"tgram://${ALUR_TELEGRAM_BOT}/{telegram}"')
    value: str = r.value(t, path, key, str, "", Text(
        'an apprise URL with {place} where the roster\'s {field} goes, like {example}, or "" '
        "for none", place=wanted, field=place, example=example))
    if not value:
        return ""
    places = _PLACE.findall(value)
    if not _URL.fullmatch(value):
        r.error((*path, key), Text(
            '`apprise.{key}` must be an apprise URL (scheme://...), like {example}, not '
            '"{value}"', key=key, example=example, value=value))
        return ""
    others = ", ".join(dict.fromkeys("{" + p + "}" for p in places if p != place))
    if place not in places or others:
        r.error((*path, key), Text(
            "`apprise.{key}` must hold {place} (where each person's {field} of the roster "
            "goes) and no other place{others}; like {example}", key=key, place=wanted,
            field=place, others=Text(" (found {places})", places=others) if others else "",
            example=example))
        return ""
    return value
