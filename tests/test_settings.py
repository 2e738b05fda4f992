"""alur.toml: defaults, every key read, problems placed at FILE:LINE:COL, the database URL."""

from __future__ import annotations

import textwrap
from datetime import date, time
from fractions import Fraction
from pathlib import Path

import pytest

from engine.durations import Duration
from engine.errors import ConfigError
from engine.spec import Percent, ReminderSpec
from runners.settings import (
    DEFAULT_HOURS,
    CalendarSettings,
    EmailSettings,
    ReminderSettings,
    Settings,
    WebhookSettings,
    absolute_sqlite_url,
    build_calendar,
    load_settings,
    resolve_database_url,
)
from runners.toml_reader import key_places

MORNING = (time(7, 30), time(12))


def write(folder: Path, text: str) -> Path:
    (folder / "alur.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / "alur.toml"


def problems(folder: Path, text: str) -> list[str]:
    path = write(folder, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(folder)
    prefix = f"{path}:"
    assert all(str(p).startswith(prefix) for p in caught.value.problems)
    return [str(p)[len(prefix):] for p in caught.value.problems]


def test_no_alur_toml_means_every_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings == Settings(tmp_path.resolve(), f"sqlite:///{tmp_path.resolve()}/alur.db")
    assert settings.timezone == "Asia/Jakarta"
    assert settings.calendar == CalendarSettings()
    assert settings.calendar.country == "ID"
    assert settings.calendar.categories == ("public", "government")
    assert settings.calendar.hours["mon"] == (MORNING, (time(13), time(16)))
    assert settings.calendar.hours["fri"] == ((time(7, 30), time(11, 30)),
                                              (time(13), time(16, 30)))
    assert settings.calendar.hours["sat"] == settings.calendar.hours["sun"] == ()
    assert settings.calendar.overrides == ()
    assert settings.reminders == ReminderSettings(("console",), 30, Percent(Fraction(100)),
                                                  Duration(days=Fraction(1)))
    assert settings.reminders.spec == ReminderSpec(Percent(Fraction(100)),
                                                   Duration(days=Fraction(1)))
    assert settings.email == EmailSettings("localhost", 25, "none", "alur@localhost", "", "")
    assert settings.webhook == WebhookSettings("", "")
    assert settings.apprise_urls_env == ""


def test_every_key_is_read(tmp_path: Path) -> None:
    write(tmp_path, """\
        [database]
        url = "postgresql+psycopg://alur@db.example/alur"
        [calendar]
        timezone = "Asia/Makassar"
        holidays = ""
        holiday_categories = []
        extra_holidays = ["2026-07-02", 2026-07-03]
        removed_holidays = [2026-12-24]
        [calendar.hours]
        mon = ["07:00-12:00"]
        sat = ["08:00-11:00"]
        [[calendar.override]]
        from = 2026-02-19
        until = "2026-03-19"
        name = "Ramadan 1447 H"
        hours = { mon = ["08:00-12:00", "12:30-15:00"] }
        [[calendar.override]]
        from = "2026-12-28"
        until = "2026-12-31"
        hours.fri = []
        [reminders]
        channels = ["email", "webhook"]
        sweep_seconds = 5
        escalate_after = "2 jam"
        repeat_every = "30 menit"
        [email]
        host = "smtp.example"
        port = 587
        security = "starttls"
        sender = "alur@kecamatan.example"
        username_env = "ALUR_SMTP_USER"
        password_env = "ALUR_SMTP_PASSWORD"
        [webhook]
        url = "https://hooks.example/alur"
        secret_env = "ALUR_WEBHOOK_SECRET"
        [apprise]
        urls_env = "ALUR_APPRISE_URLS"
        """)
    s = load_settings(tmp_path)
    assert s.database_url == "postgresql+psycopg://alur@db.example/alur"
    assert s.timezone == "Asia/Makassar"
    c = s.calendar
    assert (c.country, c.categories) == ("", ())
    assert c.extra_holidays == (date(2026, 7, 2), date(2026, 7, 3))
    assert c.removed_holidays == (date(2026, 12, 24),)
    assert c.hours["mon"] == ((time(7), time(12)),)
    assert c.hours["tue"] == DEFAULT_HOURS["tue"]  # days not given keep their default
    assert c.hours["sat"] == ((time(8), time(11)),)
    ramadan, year_end = c.overrides
    assert (ramadan.start, ramadan.until, ramadan.name) == (date(2026, 2, 19),
                                                            date(2026, 3, 19), "Ramadan 1447 H")
    assert dict(ramadan.hours) == {"mon": ((time(8), time(12)), (time(12, 30), time(15)))}
    assert year_end.name == "2026-12-28 - 2026-12-31"
    assert dict(year_end.hours) == {"fri": ()}
    assert s.reminders == ReminderSettings(("email", "webhook"), 5, Duration(120),
                                           Duration(30))
    assert s.email == EmailSettings("smtp.example", 587, "starttls", "alur@kecamatan.example",
                                    "ALUR_SMTP_USER", "ALUR_SMTP_PASSWORD")
    assert s.webhook == WebhookSettings("https://hooks.example/alur", "ALUR_WEBHOOK_SECRET")
    assert s.apprise_urls_env == "ALUR_APPRISE_URLS"


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///alur.db", "sqlite:///{ws}/alur.db"),
    ("sqlite:///data/alur.db?timeout=5", "sqlite:///{ws}/data/alur.db?timeout=5"),
    ("sqlite+pysqlite:///x.db", "sqlite+pysqlite:///{ws}/x.db"),
    ("sqlite:////var/lib/alur.db", "sqlite:////var/lib/alur.db"),
    ("sqlite://", "sqlite://"),
    ("sqlite:///:memory:", "sqlite:///:memory:"),
    ("postgresql+psycopg://alur@localhost/alur", "postgresql+psycopg://alur@localhost/alur"),
])
def test_a_relative_sqlite_path_is_relative_to_the_workspace(tmp_path: Path, url: str,
                                                             expected: str) -> None:
    ws = tmp_path.resolve()
    assert absolute_sqlite_url(url, ws) == expected.format(ws=ws)
    write(tmp_path, f'[database]\nurl = "{url}"\n')
    assert load_settings(tmp_path).database_url == expected.format(ws=ws)


def test_database_url_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALUR_DATABASE_URL", raising=False)
    default = load_settings(tmp_path)
    assert resolve_database_url(default, None) == f"sqlite:///{tmp_path.resolve()}/alur.db"
    write(tmp_path, '[database]\nurl = "sqlite:///other.db"\n')
    settings = load_settings(tmp_path)
    assert resolve_database_url(settings, None) == f"sqlite:///{tmp_path.resolve()}/other.db"
    monkeypatch.setenv("ALUR_DATABASE_URL", "postgresql://env/alur")
    assert resolve_database_url(settings, None) == "postgresql://env/alur"
    assert resolve_database_url(settings, "sqlite:///option.db") == "sqlite:///option.db"


def test_unknown_keys_and_tables_suggest_what_is_accepted(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [calender]
        timezone = "Asia/Jakarta"

        [calendar]
        time_zone = "Asia/Jakarta"
        sweep_seconds = 10

        [reminders]
        chanels = ["console"]
        colour = "red"
        [calendar.hours]
        monday = []
        """) == [
        "1:1: unknown key `calender`, did you mean `calendar`?",
        "5:1: unknown key `time_zone` in [calendar], did you mean `timezone`?",
        "6:1: unknown key `sweep_seconds` in [calendar]; it belongs in [reminders] (accepted "
        "here: timezone, holidays, holiday_categories, extra_holidays, removed_holidays, hours, "
        "override)",
        "9:1: unknown key `chanels` in [reminders], did you mean `channels`?",
        "10:1: unknown key `colour` in [reminders]; accepted: channels, sweep_seconds, "
        "escalate_after, repeat_every, operator",
        "12:1: unknown key `monday` in [calendar.hours], did you mean `mon`?",
    ]


def test_wrong_types_say_what_is_accepted(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        database = "sqlite:///alur.db"
        [email]
        port = "587"
        security = "tls"
        sender = "alur"
        password_env = "s3cret!"
        [reminders]
        sweep_seconds = true
        channels = ["console", "emial", 3]
        escalate_after = "0%"
        repeat_every = "sehari"
        [webhook]
        url = "hooks.example"
        """) == [
        "1:1: `database` must be a table, not the text \"sqlite:///alur.db\"",
        "3:1: `email.port` must be a port number, like 25, 465 or 587, not the text \"587\"",
        "4:1: `email.security`: unknown \"tls\" (accepted: none, starttls, ssl)",
        "5:1: `email.sender` must be an e-mail address, like \"alur@kecamatan.example\", not "
        "\"alur\"",
        "6:1: `email.password_env` must be the name of an environment variable (like "
        "ALUR_SMTP_PASSWORD) or empty; the secret itself stays out of this file, not "
        "\"s3cret!\"",
        "8:1: `reminders.sweep_seconds` must be a whole number of seconds, like 30, not `true`",
        "9:25: `reminders.channels`: the text \"emial\" is not accepted, did you mean "
        "`email`? (accepted: console, email, apprise, webhook)",
        "9:33: `reminders.channels`: the number 3 is not accepted (accepted: console, email, "
        "apprise, webhook)",
        "10:1: invalid `reminders.escalate_after`: `0%` is not a percentage above 0, like "
        "`100%`",
        "11:1: invalid `reminders.repeat_every`: cannot read `sehari` as a duration; write a "
        "number and a unit, such as `60 menit` or `1,5 jam` (units: menit|min|m, "
        "jam|hour|hours|h, hari|hari kerja|day|days|d, minggu|week|weeks|w)",
        "13:1: `webhook.url` must be an http:// or https:// URL, or \"\" for none, not "
        "\"hooks.example\"",
    ]


def test_a_bad_timezone_suggests_a_real_one(tmp_path: Path) -> None:
    assert problems(tmp_path, '[calendar]\n  timezone = "Asia/Jakata"\n') == [
        "2:3: unknown time zone \"Asia/Jakata\"; did you mean `Asia/Jakarta`? use an IANA name "
        "such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
    ]
    assert problems(tmp_path, '[calendar]\ntimezone = "WIB"\n') == [
        "2:1: unknown time zone \"WIB\"; use an IANA name such as Asia/Jakarta (WIB), "
        "Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
    ]


def test_bad_spans_are_placed_on_the_span(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [calendar.hours]
        mon = ["07:30-12:00", "11:00-16:00"]
        tue = ["7.30-12"]
        wed = [
          "07:30-12:00",
          "13:00-24:00",
        ]
        thu = ["16:00-13:00"]
        fri = "07:30-11:30"
        """) == [
        "2:24: `calendar.hours.mon`: \"11:00-16:00\" overlaps the span before it or comes "
        "before it; list the spans from morning to afternoon",
        "3:9: `calendar.hours.tue`: the text \"7.30-12\" is not a span of office hours; write "
        "\"HH:MM-HH:MM\" with times from 00:00 to 23:59, like \"07:30-12:00\"",
        "6:4: `calendar.hours.wed`: the text \"13:00-24:00\" is not a span of office hours; "
        "write \"HH:MM-HH:MM\" with times from 00:00 to 23:59, like \"07:30-12:00\"",
        "8:9: `calendar.hours.thu`: in \"16:00-13:00\" the end must be after the start",
        "9:1: `calendar.hours.fri` must be a list of spans like [\"07:30-12:00\", "
        "\"13:00-16:00\"], not the text \"07:30-11:30\"",
    ]


def test_override_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [[calendar.override]]
        from = "2026-03-19"
        until = "2026-02-19"
        hours = { mon = ["08:00-12:00"] }

        [[calendar.override]]
        from = "2026-02-30"
        until = "2026-03-01"
        hours = { mon = ["08:00-12:00"], monday = ["x"] }

        [[calendar.override]]
        until = "2026-12-01"
        name = "Tanpa tanggal mulai"
        hours = {}

        [[calendar.override]]
        from = "2026-05-01"
        until = "2026-05-31"
        hours = { fri = ["08:00-11:00"] }
        [[calendar.override]]
        from = "2026-05-20"
        until = "2026-06-10"
        hours = { fri = ["08:00-11:00"] }
        """) == [
        "3:1: `until` of [[calendar.override]] 1 (2026-02-19) is before `from` (2026-03-19)",
        "7:1: `from` of [[calendar.override]] 2: 2026-02-30 is not a real date",
        "9:34: unknown key `monday` in `hours` of [[calendar.override]] 2, did you mean "
        "`mon`?",
        "11:1: [[calendar.override]] 3 needs `from`",
        "21:1: [[calendar.override]] 5 (2026-05-20 to 2026-06-10) overlaps `2026-05-01 - "
        "2026-05-31` (2026-05-01 to 2026-05-31)",
    ]
    assert problems(tmp_path, '[calendar.override]\nfrom = "2026-01-01"\n') == [
        "1:1: `calendar.override` must be tables written [[calendar.override]] (double "
        "brackets), not a table",
    ]


def test_holidays_country_categories_and_dates(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        [calendar]
        holidays = "XX"
        extra_holidays = ["2026-07-02", "02-07-2026", "2026-07-03"]
        removed_holidays = ["2026-07-03"]
        """) == [
        "2:1: the holidays package has no country \"XX\" (write a code such as \"ID\", or \"\" "
        "for none)",
        "3:34: `calendar.extra_holidays` must be a date written YYYY-MM-DD (like "
        "\"2026-07-02\"), not the text \"02-07-2026\"",
        "4:22: 2026-07-03 is both in `extra_holidays` and in `removed_holidays`; keep it in one",
    ]
    assert problems(tmp_path, '[calendar]\nholiday_categories = ["public", "bank"]\n') == [
        "2:34: no holiday category \"bank\" for ID (accepted: government, public)",
    ]
    assert problems(tmp_path, '[calendar]\nholidays = "id"\n') == [
        "2:1: `calendar.holidays` must be a country code of the holidays package, like \"ID\", "
        "or \"\" for none, not \"id\"",
    ]


def test_toml_syntax_errors_are_placed(tmp_path: Path) -> None:
    assert problems(tmp_path, '[calendar]\ntimezone = Asia/Jakarta\n') == [
        "2:12: TOML syntax error: Invalid value"]
    assert problems(tmp_path, '[email]\nport = 25\nport = 26\n') == [
        "3:10: TOML syntax error: Cannot overwrite a value"]


def test_key_places_follow_tables_arrays_and_inline_tables() -> None:
    text = textwrap.dedent("""\
        # [not.a.table] = 1
        top = "x = [not a key"
        [a]
        list = [
          "[b]",  # a [comment]
          "c = 1",
        ]
        text = \"\"\"
        d = 2
        [e]
        \"\"\"
        "quoted key" = 1
        f.g = { h = 1, 'i' = [2] }
        [[a.arr]]
        k = 1
        [[a.arr]]
        k = 2
        [a.arr.sub]
        m = 3
        """)
    places = key_places(text)
    assert places == {
        ("top",): (2, 1), ("a",): (3, 1), ("a", "list"): (4, 1), ("a", "text"): (8, 1),
        ("a", "quoted key"): (12, 1), ("a", "f", "g"): (13, 1), ("a", "f", "g", "h"): (13, 9),
        ("a", "f", "g", "i"): (13, 16), ("a", "arr", 0): (14, 1), ("a", "arr", 0, "k"): (15, 1),
        ("a", "arr", 1): (16, 1), ("a", "arr", 1, "k"): (17, 1), ("a", "arr", 1, "sub"): (18, 1),
        ("a", "arr", 1, "sub", "m"): (19, 1),
    }


def test_build_calendar_uses_hours_overrides_and_holidays(tmp_path: Path) -> None:
    write(tmp_path, """\
        [calendar]
        extra_holidays = ["2026-01-07"]
        removed_holidays = ["2026-08-17"]
        [calendar.hours]
        sat = ["08:00-10:00"]
        [[calendar.override]]
        from = "2026-02-19"
        until = "2026-03-19"
        name = "Ramadan 1447 H"
        hours = { mon = ["08:00-12:00", "12:30-15:00"] }
        """)
    calendar = build_calendar(load_settings(tmp_path))
    assert calendar.working_minutes_on(date(2026, 1, 5)) == 450      # Monday 07:30-16:00
    assert calendar.working_minutes_on(date(2026, 1, 9)) == 450      # Friday, longer break
    assert calendar.working_minutes_on(date(2026, 1, 10)) == 120     # Saturday as configured
    assert calendar.working_minutes_on(date(2026, 1, 7)) == 0        # local holiday
    assert calendar.working_minutes_on(date(2026, 2, 23)) == 390     # Ramadan Monday
    assert calendar.working_minutes_on(date(2026, 2, 24)) == 450     # Tuesday keeps its hours
    assert calendar.working_minutes_on(date(2026, 1, 1)) == 0        # New Year
    assert calendar.working_minutes_on(date(2026, 8, 17)) == 450     # removed holiday
    first = calendar.spans(date(2026, 1, 5))[0][0]
    assert first.tzinfo is not None and first.utcoffset() is not None
    assert first.utcoffset().total_seconds() == 7 * 3600             # Asia/Jakarta


def test_problems_are_said_in_bahasa_indonesia(tmp_path: Path) -> None:
    from runners.i18n import say_problem, use_language

    write(tmp_path, """\
        [calendar]
        timezone = "Asia/Jakata"
        chanels = ["console"]
        [email]
        port = "587"
        [[calendar.override]]
        from = "2026-02-30"
        hours = { mon = ["7.30-12"] }
        """)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    with use_language("id"):
        said = [say_problem(p).split(":", 3)[-1].strip() for p in caught.value.problems]
    with use_language("en"):
        english = [say_problem(p).split(":", 3)[-1].strip() for p in caught.value.problems]
    assert english == [str(p).split(":", 3)[-1].strip() for p in caught.value.problems]
    assert said == [
        'zona waktu "Asia/Jakata" tidak dikenal; maksud Anda `Asia/Jakarta`? pakai nama IANA '
        "seperti Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)",
        "kunci `chanels` tidak dikenal di [calendar]; yang diterima: timezone, holidays, "
        "holiday_categories, extra_holidays, removed_holidays, hours, override",
        '`email.port` harus berupa nomor port, misalnya 25, 465 atau 587, bukan teks "587"',
        "[[calendar.override]] ke-1 memerlukan `until`",
        "`from` pada [[calendar.override]] ke-1: 2026-02-30 bukan tanggal yang sebenarnya",
        '`hours.mon` pada [[calendar.override]] ke-1: teks "7.30-12" bukan rentang jam kerja; '
        'tulis "JJ:MM-JJ:MM" dengan jam dari 00:00 sampai 23:59, misalnya "07:30-12:00"',
    ]
