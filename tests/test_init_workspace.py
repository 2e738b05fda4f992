"""`alur init`'s files: they load, cover every bundled SOP's roles, and never overwrite."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from engine.catalog import load_catalog
from engine.roster_loader import load_roster
from runners.init_workspace import ROSTER_FILE, create_workspace, template
from runners.settings import CalendarSettings, load_settings
from runners.workspace import bundled_sops_dir

BUNDLED = sorted(p.name for p in bundled_sops_dir().iterdir()
                 if p.suffix == ".yaml" or p.name == "sop.schema.json")


def test_creates_settings_roster_and_the_bundled_sops(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    created = create_workspace(folder)
    assert created == [(folder / "alur.toml", True), (folder / "roster.yaml", True),
                       *((folder / "sops" / name, True) for name in BUNDLED)]
    assert {"pengumpulan-data-kinerja.yaml", "perencanaan-kinerja.yaml",
            "sop.schema.json"} <= set(BUNDLED)
    for name in BUNDLED:
        assert (folder / "sops" / name).read_bytes() == (bundled_sops_dir() / name).read_bytes()
    assert not (folder / "alur.db").exists()  # the database is not init's job here


def test_the_settings_file_holds_every_default_and_the_ramadan_override(tmp_path: Path) -> None:
    create_workspace(tmp_path)
    settings = load_settings(tmp_path)
    defaults = load_settings(tmp_path / "empty")  # no alur.toml at all
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/alur.db"
    assert settings.timezone == defaults.timezone == "Asia/Jakarta"
    assert (settings.reminders, settings.email, settings.webhook, settings.apprise_urls_env,
            settings.apprise_whatsapp_url, settings.apprise_telegram_url, settings.web) \
        == (defaults.reminders, defaults.email, defaults.webhook, defaults.apprise_urls_env,
            defaults.apprise_whatsapp_url, defaults.apprise_telegram_url, defaults.web)
    (ramadan,) = settings.calendar.overrides
    assert (ramadan.name, ramadan.start, ramadan.until) == ("Ramadan 1447 H", date(2026, 2, 19),
                                                            date(2026, 3, 19))
    assert sorted(ramadan.hours) == ["fri", "mon", "thu", "tue", "wed"]
    without_override = CalendarSettings(
        settings.calendar.country, settings.calendar.categories,
        settings.calendar.extra_holidays, settings.calendar.removed_holidays,
        settings.calendar.hours)
    assert without_override == defaults.calendar
    text = (tmp_path / "alur.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert set(data) == {"database", "calendar", "reminders", "email", "webhook", "apprise",
                         "web"}
    assert set(data["web"]) == {"base_url", "max_upload_mb", "session_hours", "login_links",
                                "host", "port"}
    assert set(data["calendar"]) == {"timezone", "holidays", "holiday_categories",
                                     "extra_holidays", "removed_holidays", "hours", "override"}
    assert text.startswith("# alur.toml: the settings of this Alur workspace.")


def test_the_roster_loads_and_covers_every_role_of_every_bundled_sop(tmp_path: Path) -> None:
    create_workspace(tmp_path)
    roster = load_roster(tmp_path / ROSTER_FILE)
    unit = roster.unit(None)
    assert (unit.slug, unit.name) == ("darangdan", "Kecamatan Darangdan")
    catalog = load_catalog([tmp_path / "sops"])
    assert catalog.error_count == 0
    assert {s.spec.id for s in catalog.loaded} == {"pengumpulan-data-kinerja",
                                                  "perencanaan-kinerja", "legalisasi-sktm"}
    day = date(2026, 1, 5)
    for sop in catalog.loaded:
        for actor in sop.spec.actors:
            if not actor.external:
                assert unit.holders(actor.slug, day), f"{sop.spec.id}: nobody holds {actor.slug}"
    assert len(unit.holders("kasi", day)) >= 2
    assert [p.id for p in unit.holders("staf", day)] == ["staf-1", "staf-2"]
    assert unit.person("kasi-tapem").roles == ("kasi-tapem", "kasi")
    for person in unit.members():
        assert person.sample
        assert person.name.startswith("Contoh ")
        assert person.nip is not None and len(person.nip) == 18
        assert person.email is not None and person.email.endswith("@darangdan.example")
    ids = [p.id for p in unit.members()]
    assert len(ids) == len(set(ids))
    assert {"camat", "sekcam", "kasi-tapem", "kasi-ekbang", "staf-1", "staf-2"} <= set(ids)


def test_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    mine = {
        tmp_path / "alur.toml": b"[calendar]\ntimezone = \"Asia/Makassar\"\n",
        tmp_path / "roster.yaml": b"# my own roster\n",
        tmp_path / "sops" / "perencanaan-kinerja.yaml": b"# my edited SOP\n",
    }
    for path, content in mine.items():
        path.write_bytes(content)
    created = dict(create_workspace(tmp_path))
    for path, content in mine.items():
        assert created[path] is False
        assert path.read_bytes() == content
    assert created[tmp_path / "sops" / "pengumpulan-data-kinerja.yaml"] is True
    again = create_workspace(tmp_path)
    assert [was_created for _path, was_created in again] == [False] * len(again)
    assert (tmp_path / "roster.yaml").read_bytes() == b"# my own roster\n"


def test_a_dangling_link_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    (tmp_path / "roster.yaml").symlink_to(target)
    created = dict(create_workspace(tmp_path))
    assert created[tmp_path / "roster.yaml"] is False
    assert not target.exists()


def test_a_file_named_sops_is_reported_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "sops").write_text("not a folder", encoding="utf-8")
    created = create_workspace(tmp_path)
    assert created[-1] == (tmp_path / "sops", False)
    assert (tmp_path / "sops").read_text(encoding="utf-8") == "not a folder"


def test_templates_are_the_files_written(tmp_path: Path) -> None:
    create_workspace(tmp_path)
    assert (tmp_path / "alur.toml").read_bytes() == template("alur.toml")
    assert (tmp_path / "roster.yaml").read_bytes() == template("roster.yaml")
