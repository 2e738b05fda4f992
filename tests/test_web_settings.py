"""[web] and the [apprise] WhatsApp/Telegram templates of alur.toml: defaults, every key read,
each problem placed at FILE:LINE:COL with what would be accepted."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.errors import ConfigError
from runners.settings import WebSettings, load_settings


def write(folder: Path, text: str) -> Path:
    (folder / "alur.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / "alur.toml"


def problems(folder: Path, text: str) -> list[str]:
    path = write(folder, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(folder)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.web == WebSettings("", 20, 10, False, "127.0.0.1", 8000)
    assert settings.web.max_upload_bytes == 20 * 1024 * 1024
    assert (settings.apprise_whatsapp_url, settings.apprise_telegram_url) == ("", "")


def test_every_key_is_read(tmp_path: Path) -> None:
    write(tmp_path, """\
        [web]
        base_url = "https://alur.darangdan.example/kantor"
        max_upload_mb = 5
        session_hours = 720
        login_links = true
        host = "0.0.0.0"
        port = 8443

        [apprise]
        whatsapp_url = "whatsapp://${WA_TOKEN}@${WA_FROM}/{whatsapp}"
        telegram_url = "tgram://${TG_BOT}/{telegram}"
        """)
    settings = load_settings(tmp_path)
    assert settings.web == WebSettings("https://alur.darangdan.example/kantor", 5, 720, True,
                                       "0.0.0.0", 8443)
    assert settings.web.max_upload_bytes == 5 * 1024 * 1024
    assert settings.apprise_whatsapp_url == "whatsapp://${WA_TOKEN}@${WA_FROM}/{whatsapp}"
    assert settings.apprise_telegram_url == "tgram://${TG_BOT}/{telegram}"
    write(tmp_path, '[web]\nbase_url = "http://192.168.1.20:8000"\n')
    assert load_settings(tmp_path).web.base_url == "http://192.168.1.20:8000"


def test_web_problems_are_placed_and_say_what_is_accepted(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [web]
        base_url = "https://alur.example/"
        max_upload_mb = 0
        session_hours = 1000
        login_links = "ya"
        host = ""
        port = 70000
        timeout = 3
        """) == [
        '2:1: `web.base_url` must not end with a slash: write "https://alur.example"',
        "3:1: `web.max_upload_mb` must be from 1 to 200, not 0",
        "4:1: `web.session_hours` must be from 1 to 720, not 1000",
        '5:1: `web.login_links` must be true or false, not the text "ya"',
        '6:1: `web.host` must not be empty; write "127.0.0.1" to serve this computer only, '
        'or "0.0.0.0" for the network',
        "7:1: `web.port` must be from 1 to 65535, not 70000",
        "8:1: unknown key `timeout` in [web]; accepted: base_url, max_upload_mb, "
        "session_hours, login_links, host, port"]
    assert problems(tmp_path, """\
        [web]
        base_url = "alur.example"
        max_upload_mb = 2.5
        session_hours = true
        """) == [
        '2:1: `web.base_url` must be an http:// or https:// address without a query, like '
        '"https://alur.kecamatan.example", not "alur.example"',
        "3:1: `web.max_upload_mb` must be a whole number of megabytes, like 20, not the "
        "number 2.5",
        "4:1: `web.session_hours` must be a whole number of hours, like 10, not `true`"]
    assert problems(tmp_path, '[web]\nbase_url = "https://a.example/x?y=1"\nhost = "a b"\n') == [
        '2:1: `web.base_url` must be an http:// or https:// address without a query, like '
        '"https://alur.kecamatan.example", not "https://a.example/x?y=1"',
        '3:1: `web.host` must be a host name or IP address to listen on, like "127.0.0.1" or '
        '"0.0.0.0", not "a b"']


def test_login_links_need_the_address_people_open(tmp_path: Path) -> None:
    assert problems(tmp_path, "[web]\nlogin_links = true\n") == [
        "2:1: `web.login_links` needs `web.base_url`: the links in reminders lead there"]
    assert problems(tmp_path, '[web]\nbase_url = "ftp://x"\nlogin_links = true\n') == [
        '2:1: `web.base_url` must be an http:// or https:// address without a query, like '
        '"https://alur.kecamatan.example", not "ftp://x"']  # said once, where it is wrong


def test_apprise_templates_need_their_place(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [apprise]
        whatsapp_url = "whatsapp://${T}@${F}/628123"
        telegram_url = "tgram://${BOT}/{telegram}/{chat}"
        """) == [
        "2:1: `apprise.whatsapp_url` must hold {whatsapp} (where each person's whatsapp of "
        'the roster goes) and no other place; like "whatsapp://${ALUR_WA_TOKEN}@${ALUR_WA_FROM}'
        '/{whatsapp}"',
        "3:1: `apprise.telegram_url` must hold {telegram} (where each person's telegram of "
        'the roster goes) and no other place (found {chat}); like '
        '"tgram://${ALUR_TELEGRAM_BOT}/{telegram}"']
    assert problems(tmp_path, '[apprise]\nwhatsapp_url = "{whatsapp}"\ntelegram_url = 5\n') == [
        '2:1: `apprise.whatsapp_url` must be an apprise URL (scheme://...), like '
        '"whatsapp://${ALUR_WA_TOKEN}@${ALUR_WA_FROM}/{whatsapp}", not "{whatsapp}"',
        "3:1: `apprise.telegram_url` must be an apprise URL with {telegram} where the "
        'roster\'s telegram goes, like "tgram://${ALUR_TELEGRAM_BOT}/{telegram}", or "" for '
        "none, not the number 5"]


def test_problems_in_bahasa_indonesia(tmp_path: Path) -> None:
    from runners.i18n import say_problem, use_language

    write(tmp_path, "[web]\nport = 0\nlogin_links = true\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    with use_language("id"):
        said = [say_problem(p).split(":", 3)[-1].strip() for p in caught.value.problems]
    assert said == ["`web.port` harus dari 1 sampai 65535, bukan 0",
                    "`web.login_links` memerlukan `web.base_url`: tautan dalam pengingat "
                    "mengarah ke sana"]
