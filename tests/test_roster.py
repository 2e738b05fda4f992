"""The roster: holders, acting (Plt/Plh) and roster.yaml problems with their places."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from engine.errors import AlurError, ConfigError, PersonNotFound, UnitNotFound
from engine.roster import Acting, Person, Roster, Unit
from engine.roster_loader import load_roster, load_roster_text

ROSTER = textwrap.dedent("""\
    format: 1
    units:
      darangdan:
        name: Kecamatan Darangdan
        people:
          - id: camat
            name: Nama Camat (contoh)
            nip: "197001011990031001"
            roles: [camat]
            email: camat@darangdan.example
            notify: []
          - id: sekcam
            name: Nama Sekcam (contoh)
            roles: [sekcam]
            acting:
              - {role: camat, from: 2026-01-10, until: 2026-01-20}
          - id: staf-1
            name: Staf Satu
            nip: 1990 0101 2015 0310 10
            roles: [staf, kasi]
            telegram: "@staf1"
            whatsapp: "+62 812-3456-7890"
            notify: tgram://bottoken/12345
            sample: true
          - id: staf_2.b
            name: Staf Dua
            roles: [staf]
      cibatu:
        name: Kecamatan Cibatu
        people:
          - {id: camat, name: Camat Cibatu, roles: [camat]}
    """)

BEFORE, FIRST, LAST, AFTER = (date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 20),
                              date(2026, 1, 21))


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_roster_text(text)
    return [str(p) for p in caught.value.problems]


def one_unit(people: str) -> str:
    """A roster with one unit holding ``people`` (YAML list items at column 7)."""
    return ("format: 1\nunits:\n  darangdan:\n    name: Kecamatan Darangdan\n    people:\n"
            + textwrap.indent(textwrap.dedent(people), "      "))


# -- the domain -------------------------------------------------------------------------

def test_a_valid_roster_loads_with_every_field() -> None:
    roster = load_roster_text(ROSTER)
    assert roster.file == "roster.yaml"
    assert [u.slug for u in roster.units] == ["darangdan", "cibatu"]
    unit = roster.unit("darangdan")
    assert unit.name == "Kecamatan Darangdan"
    camat = unit.person("camat")
    assert camat == Person("camat", "Nama Camat (contoh)", ("camat",), nip="197001011990031001",
                           email="camat@darangdan.example")
    assert unit.person("sekcam").acting == (Acting("camat", FIRST, LAST),)
    staf = unit.person("staf-1")
    assert staf.nip == "199001012015031010"  # spaces dropped
    assert (staf.telegram, staf.whatsapp) == ("@staf1", "+62 812-3456-7890")
    assert staf.notify == ("tgram://bottoken/12345",)
    assert staf.sample and not camat.sample
    assert unit.person("staf_2.b").roles == ("staf",)
    assert [p.id for p in unit.members()] == ["camat", "sekcam", "staf-1", "staf_2.b"]


def test_acting_holder_takes_the_role_only_inside_its_range() -> None:
    unit = load_roster_text(ROSTER).unit("darangdan")
    for day in (BEFORE, AFTER):
        assert [p.id for p in unit.holders("camat", day)] == ["camat"]
        assert not unit.may_act_for("camat", "sekcam", day)
    for day in (FIRST, date(2026, 1, 15), LAST):  # both ends included
        assert [p.id for p in unit.holders("camat", day)] == ["sekcam"]
        assert unit.may_act_for("camat", "sekcam", day)
        assert unit.may_act_for("camat", "camat", day)  # the holder still may
    assert unit.person("sekcam").acts_as("camat", LAST)
    assert not unit.person("sekcam").acts_as("sekcam", LAST)


def test_a_role_with_several_holders_goes_to_all_in_roster_order() -> None:
    unit = load_roster_text(ROSTER).unit("darangdan")
    assert [p.id for p in unit.holders("staf", FIRST)] == ["staf-1", "staf_2.b"]
    assert all(unit.may_act_for("staf", who, FIRST) for who in ("staf-1", "staf_2.b"))
    assert not unit.may_act_for("staf", "camat", FIRST)
    assert not unit.may_act_for("staf", "nobody", FIRST)
    assert unit.holders("kasubbag-umum", FIRST) == ()


def test_several_acting_holders_and_an_acting_role_nobody_holds() -> None:
    unit = Unit("u", "U", (
        Person("a", "A", ("kasi",)),
        Person("b", "B", ("staf",), acting=(Acting("kasi", FIRST, LAST),)),
        Person("c", "C", ("staf",), acting=(Acting("kasi", BEFORE, FIRST),
                                            Acting("plt-x", FIRST, FIRST))),
    ))
    assert [p.id for p in unit.holders("kasi", FIRST)] == ["b", "c"]
    assert [p.id for p in unit.holders("kasi", BEFORE)] == ["c"]
    assert [p.id for p in unit.holders("kasi", AFTER)] == ["a"]
    assert [p.id for p in unit.holders("plt-x", FIRST)] == ["c"]
    assert unit.holders("plt-x", LAST) == ()


def test_unknown_person_and_unit_suggest_the_close_one() -> None:
    roster = load_roster_text(ROSTER)
    with pytest.raises(PersonNotFound, match=r"no person `camt` in unit `darangdan`, did you "
                                             r"mean `camat`\?"):
        roster.unit("darangdan").person("camt")
    with pytest.raises(UnitNotFound, match=r"no unit `darangdn` in roster.yaml, did you mean "
                                           r"`darangdan`\?"):
        roster.unit("darangdn")


def test_no_unit_given_means_the_only_one_or_a_clear_error() -> None:
    with pytest.raises(UnitNotFound) as caught:
        load_roster_text(ROSTER).unit(None)
    assert str(caught.value) == "the roster has several units (darangdan, cibatu); name one"
    assert isinstance(caught.value, AlurError)
    from runners.cli.phrases import phrase

    assert phrase(caught.value) == ("the roster has several units (darangdan, cibatu); give "
                                    "--unit")
    single = Roster((Unit("darangdan", "Kecamatan Darangdan", ()),))
    assert single.unit(None).slug == "darangdan"


# -- problems --------------------------------------------------------------------------

def test_a_missing_file_says_alur_init_creates_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_roster(tmp_path / "roster.yaml")
    assert str(caught.value) == (f"{tmp_path / 'roster.yaml'}:1:1: the roster file does not "
                                 "exist; `alur init` creates one with sample people to edit")


def test_problems_name_their_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text("format: 1\nunits:\n  u:\n    name: U\n    people: [{id: a, roles: []}]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_roster(path)
    assert str(caught.value) == (f"{path}:5:14: missing required key `name` (Nama) in person 1 "
                                 "of unit `u`")


def test_unknown_keys_get_did_you_mean_or_the_accepted_keys() -> None:
    assert problems_of(one_unit("""\
        - id: camat
          name: Camat
          roles: [camat]
          emial: camat@darangdan.example
          jabatan: Camat
        """)) == [
        "roster.yaml:9:9: unknown key `emial`, did you mean `email`?",
        "roster.yaml:10:9: unknown key `jabatan` in person 1 of unit `darangdan`; accepted "
        "keys: id, name, nip, roles, email, telegram, whatsapp, notify, acting, sample",
    ]
    assert problems_of("format: 1\nunit:\n  u: {name: U, people: []}\n")[0] == \
        "roster.yaml:2:1: unknown key `unit`, did you mean `units`?"


def test_wrong_types_and_values_are_each_placed() -> None:
    assert problems_of(one_unit("""\
        - id: Camat Satu
          name: [Camat]
          nip: "19700101199003100"
          roles: {camat: true}
          email: camat-at-darangdan
          whatsapp: nomor
          notify: [camat@darangdan.example]
          sample: ya
        """)) == [
        "roster.yaml:6:13: `id` must be lowercase letters and digits joined by single `-`, "
        "`_` or `.` (like `camat` or `staf-1`), not `Camat Satu`",
        "roster.yaml:7:15: `name` must be text, not a list",
        "roster.yaml:8:14: `nip` must be a NIP of 18 digits (spaces allowed), not "
        "`19700101199003100`",
        "roster.yaml:9:16: `roles` must be a list of actor slugs (like `[camat]`), not a "
        "mapping",
        "roster.yaml:10:16: `email` must be an e-mail address like `camat@example.go.id`, not "
        "`camat-at-darangdan`",
        "roster.yaml:11:19: `whatsapp` must be a phone number like `+6281234567890`, not "
        "`nomor`",
        "roster.yaml:12:18: `notify` takes apprise URLs such as `tgram://BOTTOKEN/CHATID` or "
        "`mailto://user:pass@example.com`, not `camat@darangdan.example`",
        "roster.yaml:13:17: `sample` must be true or false, not `ya`",
    ]


def test_bad_acting_dates_and_roles() -> None:
    assert problems_of(one_unit("""\
        - id: sekcam
          name: Sekcam
          roles: [sekcam, Camat, sekcam]
          acting:
            - {role: camat, from: 2026-01-20, until: 2026-01-10}
            - {role: camat, from: 2026-02-30, until: 2026-03-01}
            - {role: camat, from: 10-01-2026, until: 2026-03-01}
            - {role: camat, until: 2026-03-01}
        """)) == [
        "roster.yaml:8:25: `role` must be an actor slug of the SOPs (lowercase letters and "
        "digits joined by single hyphens, like `kasi-tapem`), not `Camat`",
        "roster.yaml:8:32: role `sekcam` is listed twice",
        "roster.yaml:10:52: `until` (2026-01-10) is before `from` (2026-01-20)",
        "roster.yaml:11:33: `from`: 2026-02-30 is not a real date (day is out of range for "
        "month)",
        "roster.yaml:12:33: `from` must be a date written YYYY-MM-DD (like 2023-01-02), not "
        "`10-01-2026`",
        "roster.yaml:13:11: missing required key `from` (Mulai) in acting 4 of person 1 of unit "
        "`darangdan`",
    ]


def test_duplicate_person_ids_in_a_unit_are_errors_but_not_across_units() -> None:
    assert problems_of(one_unit("""\
        - {id: staf, name: Staf Satu, roles: [staf]}
        - {id: camat, name: Camat, roles: [camat]}
        - {id: staf, name: Staf Dua, roles: [staf]}
        """)) == [
        "roster.yaml:8:14: person id `staf` is used twice in unit `darangdan` (first at line "
        "6); ids are unique in a unit",
    ]
    roster = load_roster_text(ROSTER)  # `camat` in two units is fine
    assert roster.unit("cibatu").person("camat").name == "Camat Cibatu"


def test_an_acting_role_nobody_regularly_holds_is_fine() -> None:
    roster = load_roster_text(one_unit("""\
        - id: sekcam
          name: Sekcam
          roles: []
          acting: [{role: plt-kepala-puskesmas, from: 2026-01-01, until: 2026-12-31}]
        """))
    unit = roster.unit(None)
    assert unit.person("sekcam").roles == ()
    assert [p.id for p in unit.holders("plt-kepala-puskesmas", FIRST)] == ["sekcam"]


def test_format_units_and_people_problems() -> None:
    assert problems_of("format: 2\nunits:\n  Kec_A:\n    name: A\n    people: []\n") == [
        "roster.yaml:1:9: unknown format `2`; this version of Alur reads roster format 1 "
        "(write `format: 1`)",
        "roster.yaml:3:3: a unit slug must be lowercase letters and digits joined by single "
        "hyphens (like `darangdan`), not `Kec_A`",
        "roster.yaml:5:13: unit `Kec_A` has no people; list at least one under `people`",
    ]
    assert problems_of("format: 1\nunits: {}\n") == [
        "roster.yaml:2:8: `units` needs at least one unit"]
    assert problems_of("units:\n  a: 1\n") == [
        "roster.yaml:1:1: missing required key `format` (Format) in the roster",
        "roster.yaml:2:6: unit `a` must be a mapping of keys (name, people, ...), not `1`",
    ]
    assert problems_of("") == [
        "roster.yaml:1:1: the file is empty; a roster starts with `format: 1` and `units:`"]
    assert problems_of("format: 1\nunits:\n  a:\n    name: A\n    people:\n\t- x\n")[0] \
        .startswith("roster.yaml:6:1: tab character in the indentation")
