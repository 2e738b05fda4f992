"""One test per rule of spec/sop-format.md: a file that breaks only that rule.

Each case edits BASE_SOP (tests/conftest.py) in one place and asserts, through
`alur sop validate`, the exit code, the line, the column and the message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BASE_SOP, run_cli


def edit(old: str, new: str, count: int = 1) -> str:
    """BASE_SOP with ``old`` replaced by ``new`` (which must occur)."""
    assert old in BASE_SOP, old
    return BASE_SOP.replace(old, new, count)


# (case id, broken text, line, column, words the message must contain)
CASES: list[tuple[str, str, int, int, str]] = [
    # Reading the file
    ("tag", edit("title: SOP Contoh", "title: !foo SOP Contoh"), 3, 8,
     "tag `!foo` is not allowed"),
    ("yaml-directive", "%YAML 1.1\n---\n" + BASE_SOP, 1, 1, "`%YAML 1.1` is not supported"),
    ("tab-indent", edit("  name: Kecamatan Contoh", "\tname: Kecamatan Contoh"), 7, 1,
     "tab character in the indentation"),
    ("syntax", edit("title: SOP Contoh", "title: [SOP Contoh"), 4, 7, "YAML syntax error"),
    ("two-documents", BASE_SOP + "---\nformat: 1\n", 37, 1, "more than one YAML document"),
    # Identity
    ("format-missing", edit("format: 1\n", ""), 1, 1, "missing required key `format` (Format)"),
    ("format-unknown", edit("format: 1", "format: 2"), 1, 9,
     "unknown format `2`; this version of Alur reads format 1"),
    ("id-missing", edit("id: contoh-sop\n", ""), 1, 1, "missing required key `id` (Kode SOP)"),
    ("id-not-slug", edit("id: contoh-sop", "id: Contoh_SOP"), 2, 5,
     "`id` must be a slug"),
    ("title-missing", edit("title: SOP Contoh\n", ""), 1, 1,
     "missing required key `title` (Nama SOP)"),
    ("title-empty", edit("title: SOP Contoh", "title:"), 3, 7, "`title` must not be empty"),
    ("organization-name-missing", edit("  name: Kecamatan Contoh", "  parent: Kab"), 7, 3,
     "missing required key `name` (Nama Unit Kerja) in organization"),
    ("kind-unknown", edit("kind: rutin", "kind: rutn"), 5, 7,
     "unknown kind `rutn`, did you mean `rutin`? (accepted: rutin, pelayanan, penugasan)"),
    ("approved-position-missing", edit("  position: Camat Contoh\n", ""), 12, 3,
     "missing required key `position` (Jabatan) in approved_by"),
    ("nip-not-18-digits", edit('nip: "196801011990031003"', "nip: 12345"), 13, 8,
     "`nip` must be a NIP of 18 digits"),
    ("date-not-iso", edit("created: 2022-12-30", "created: 30-12-2022"), 9, 12,
     "`created` must be a date written YYYY-MM-DD"),
    ("date-impossible", edit("created: 2022-12-30", "created: 2022-02-30"), 9, 12,
     "2022-02-30 is not a real date"),
    ("effective-before-created", edit("effective: 2023-01-02", "effective: 2022-12-01"), 10, 14,
     "`effective` (2022-12-01) is before `created` (2022-12-30)"),
    ("revised-before-created", edit("  effective: 2023-01-02", "  revised: 2022-01-01"), 10, 12,
     "`revised` (2022-01-01) is before `created` (2022-12-30)"),
    ("unknown-key-suggestion", edit("kind: rutin",
                                                          "knd: rutin"), 5, 1,
     "unknown key `knd`, did you mean `kind`?"),
    ("unknown-key-no-suggestion", edit("kind: rutin", "zzz: rutin"), 5, 1,
     "unknown key `zzz`; accepted keys: format, id, title"),
    ("misspelt-required-key", edit("activities:", "activites:"), 18, 1,
     "unknown key `activites`, did you mean `activities`?"),
    ("duplicate-key", edit("kind: rutin", "kind: rutin\nkind: pelayanan"), 6, 1,
     "duplicate key `kind` (first at line 5)"),
    # Actors
    ("actors-missing", BASE_SOP.split("actors:")[0] + "activities: []\n", 1, 1,
     "missing required key `actors` (Pelaksana)"),
    ("actors-empty", edit("actors:\n  camat: {title: Camat}\n  sekcam: {title: Sekretaris "
                          "Kecamatan, reports_to: camat}\n  staf: {title: Staf, reports_to: "
                          "sekcam}\n", "actors: {}\n"), 14, 9, "`actors` needs at least one actor"),
    ("actor-not-slug", edit("  staf: {title: Staf,", "  Staf_1: {title: Staf,"), 17, 3,
     "`actor` must be a slug"),
    ("actor-title-missing", edit("staf: {title: Staf, reports_to: sekcam}",
                                 "staf: {reports_to: sekcam}"), 17, 9,
     "missing required key `title` (Pelaksana) in actor `staf`"),
    ("actor-unknown-key", edit("camat: {title: Camat}", "camat: {title: Camat, nip: 1}"), 15, 25,
     "unknown key `nip` in actor `camat`; accepted keys: title, reports_to, external"),
    ("reports-to-unknown", edit("reports_to: camat}", "reports_to: camt}"), 16, 53,
     "`reports_to` names unknown actor `camt`, did you mean `camat`?"),
    ("reports-to-itself", edit("reports_to: camat}", "reports_to: sekcam}"), 16, 53,
     "names the actor itself"),
    ("reports-to-loop", edit("camat: {title: Camat}", "camat: {title: Camat, reports_to: staf}"),
     15, 37, "`reports_to` chain loops: camat -> staf -> sekcam -> camat"),
    ("external-bool", edit("camat: {title: Camat}", "camat: {title: Camat, external: ya}"), 15, 35,
     "`external` must be true or false, not `ya`"),
    # Activities
    ("activities-empty", BASE_SOP.split("activities:")[0] + "activities: []\n", 18, 13,
     "`activities` needs at least one activity"),
    ("activity-id-missing", edit("  - id: draft\n    name", "  - name"), 23, 3,
     "missing required key `id` (Kode kegiatan) in activity 2"),
    ("activity-id-not-slug", edit("- id: draft", "- id: Draft Laporan"), 23, 9,
     "`id` must be a slug"),
    ("activity-id-duplicate", edit("- id: kirim", "- id: draft").replace(
        "Ya: kirim", "Ya: end"), 33, 9, "duplicate activity id `draft` (first at line 23)"),
    ("activity-id-end", edit("- id: kirim", "- id: end").replace("Ya: kirim", "Ya: end"), 33, 9,
     "activity id `end` is reserved"),
    ("activity-name-missing", edit("    name: Membuat draft laporan\n", ""), 23, 3,
     "missing required key `name` (Uraian Kegiatan) in activity 2"),
    ("activity-actor-missing", edit("    actor: staf\n    duration: 1 jam\n",
                                    "    duration: 1 jam\n"), 23, 3,
     "missing required key `actor` (Pelaksana) in activity 2"),
    ("activity-actor-unknown", edit("actor: staf", "actor: stf"), 25, 12,
     "unknown actor `stf`, did you mean `staf`? (actors: camat, sekcam, staf)"),
    ("activity-actor-twice", edit("actor: [camat, sekcam]", "actor: [camat, camat]"), 29, 20,
     "actor `camat` is listed twice"),
    ("duration-unknown-unit", edit("duration: 1 jam", "duration: 2 bulan"), 26, 15,
     "unknown unit `bulan` in `2 bulan`; accepted units: menit|min|m, jam|hour|hours|h, "
     "hari|hari kerja|day|days|d, minggu|week|weeks|w"),
    ("duration-zero", edit("duration: 1 jam", "duration: 0"), 26, 15, "must be more than 0"),
    ("duration-negative", edit("duration: 1 jam", "duration: -5 menit"), 26, 15,
     "must be more than 0"),
    ("duration-no-number", edit("duration: 1 jam", "duration: sebentar"), 26, 15,
     "cannot read `sebentar` as a duration"),
    ("next-unknown-target", edit("Tidak: draft}", "Tidak: draf}"), 32, 30,
     "unknown target `draf` in `next`, did you mean `draft`?"),
    ("next-bad-result", edit("Ya: kirim", "Ya: end:Di Tolak"), 32, 16,
     "the result after `end:` must be a word"),
    ("decision-with-a-split", edit("next: {Ya: kirim, Tidak: draft}", "next: [kirim, draft]"),
     31, 5, "`decision` needs `next` with two or more outcomes"),
    ("decision-single-target", edit("next: {Ya: kirim, Tidak: draft}", "next: kirim"), 31, 5,
     "`decision` needs `next` with two or more outcomes"),
    ("next-mapping-one-label", edit("next: {Ya: kirim, Tidak: draft}", "next: {Ya: kirim}")
     .replace("    decision: Draft sudah benar?\n", ""), 31, 5,
     "a decision needs at least two outcomes in `next`"),
    ("labels-differ-in-case", edit("Tidak: draft}", "ya: draft}"), 32, 23,
     "outcome `ya` repeats `Ya` (line 32); labels are matched ignoring case"),
    ("unreachable", edit("Tidak: draft}", "Tidak: end}").replace("    actor: camat\n    dur",
                                                                  "    next: koreksi\n    actor: "
                                                                  "camat\n    dur"), 24, 3,
     "activity `draft` cannot be reached from the first activity `perintah`"),
    ("trap-loop", edit("Ya: kirim", "Ya: draft") + "    next: kirim\n", 23, 3,
     "activities `draft`, `koreksi` loop without a way to `end`"),
    ("self-loop", BASE_SOP + "    next: kirim\n", 33, 3,
     "activity `kirim` leads only back to itself, never to `end`"),
    # Start
    ("start-every-unknown", BASE_SOP.replace("actors:", "start: {every: yearly, on: 01-02}\n"
                                                        "actors:"), 14, 16,
     "unknown every `yearly`, did you mean `year`?"),
    ("start-on-missing", BASE_SOP.replace("actors:", "start: {every: year}\nactors:"), 14, 8,
     "missing required key `on` (Pada tanggal) in start"),
    ("start-on-format", BASE_SOP.replace("actors:", "start: {every: year, on: 2 Januari}\n"
                                                    "actors:"), 14, 26,
     "`on` must be a day of the year written MM-DD"),
    ("start-on-month-day", BASE_SOP.replace("actors:", "start: {every: month, on: 32}\nactors:"),
     14, 27, "`on` must be a day of the month 01-31"),
    ("start-period", BASE_SOP.replace("actors:", "start: {on: 01-02, period: last}\nactors:"),
     14, 28, "unknown period `last` (accepted: previous, current)"),
    ("start-deadline-before-on", BASE_SOP.replace(
        "actors:", "start: {on: 03-01, deadline: 01-31}\nactors:"), 14, 30,
     "`deadline` falls before `on`"),
    # Reminders
    ("escalate-after", BASE_SOP.replace("actors:", "reminders: {escalate_after: banyak}\n"
                                                   "actors:"), 14, 29,
     "cannot read `banyak` as a duration"),
    ("escalate-percent", BASE_SOP.replace("actors:", "reminders: {escalate_after: 0%}\n"
                                                     "actors:"), 14, 29,
     "`escalate_after` must be a percentage above 0"),
    ("repeat-every", BASE_SOP + "    reminders: {repeat_every: 3 detik}\n", 37, 31,
     "unknown unit `detik`"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_is_reported_at_its_place(write_sop: Callable[[str], Path], text: str,
                                            line: int, column: int, words: str) -> None:
    path = write_sop(text)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    prefix = f"{path}:{line}:{column}: "
    matching = [x for x in lines if x.startswith(prefix) and words in x]
    assert matching, f"wanted {prefix}...{words}... in:\n{result.stdout}"
    assert result.stderr.startswith("Error: 1 file checked:")


def test_the_base_sop_is_valid(write_sop: Callable[[str], Path]) -> None:
    path = write_sop(BASE_SOP)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 file checked: 0 errors, 0 warnings\n"


def test_a_misspelt_required_key_gives_one_message(write_sop: Callable[[str], Path]) -> None:
    result = run_cli("sop", "validate", str(write_sop(edit("activities:", "activites:"))))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert "missing" not in result.stdout


def test_all_problems_of_a_file_are_reported_together(write_sop: Callable[[str], Path]) -> None:
    text = edit("kind: rutin", "kind: rutn").replace("actor: staf", "actor: stf", 1).replace(
        "duration: 1 jam", "duration: 2 bulan")
    result = run_cli("sop", "validate", str(write_sop(text)))
    assert result.exit_code == 1
    assert [x.split(": ")[0].split(":")[1] for x in result.stdout.splitlines()] == \
        ["5", "25", "26"]
    assert "3 errors" in result.stderr


def test_unused_actor_and_missing_duration_are_warnings(write_sop: Callable[[str], Path]) -> None:
    text = edit("    duration: 1 jam\n", "").replace(
        "  staf: {title: Staf, reports_to: sekcam}",
        "  staf: {title: Staf, reports_to: sekcam}\n  lurah: {title: Lurah}")
    path = write_sop(text)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}:18:3: warning: actor `lurah` is not used" in result.stdout
    assert f"{path}:24:3: warning: activity `draft` has no `duration`" in result.stdout
    strict = run_cli("sop", "validate", "--strict", str(path))
    assert strict.exit_code == 1
    assert "warnings count as errors" in strict.stderr


def test_effective_equal_to_created_is_fine(write_sop: Callable[[str], Path]) -> None:
    path = write_sop(edit("effective: 2023-01-02", "effective: 2022-12-30"))
    assert run_cli("sop", "validate", str(path)).exit_code == 0


def test_ids_are_unique_in_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE_SOP, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE_SOP, encoding="utf-8")
    result = run_cli("sop", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:2:5: SOP id `contoh-sop` is already used by" in result.stdout
