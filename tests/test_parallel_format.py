"""Work in parallel, the format: `complete:` and splits, every rule at its line and column,
the critical path, and the JSON Schema that follows from the same declarations."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.loader import load_sop_file, load_sop_text
from engine.schema import sop_schema
from engine.spec import SplitSpec
from runners.i18n import say, use_language
from tests.conftest import FIXTURES, SOPS, run_cli

PARALLEL = FIXTURES / "parallel" / "contoh-paralel.yaml"
NESTED = FIXTURES / "parallel" / "contoh-bersarang.yaml"
BASE = PARALLEL.read_text(encoding="utf-8")


def edit(old: str, new: str) -> str:
    """The parallel SOP with ``old`` replaced by ``new`` once (``old`` must occur)."""
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def place(text: str, needle: str, offset: int = 0, last: bool = False) -> tuple[int, int]:
    """1-based line and column of ``needle`` (plus ``offset`` characters) in ``text``."""
    index = (text.rindex(needle) if last else text.index(needle)) + offset
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


LEAVE = "    next: {Ya: kompilasi, Tidak: draf}"
OUTSIDE = BASE + "    next: {Ya: end, Tidak: draf}\n"  # kompilasi loops back into a branch
NEVER = textwrap.dedent("""\
    format: 1
    id: tak-bertemu
    title: SOP Cabang Tak Bertemu
    organization: {name: Kecamatan Contoh}
    actors:
      camat: {title: Camat}
      staf: {title: Staf, reports_to: camat}
    activities:
      - {id: mulai, name: Menugaskan, actor: camat, next: [a, b]}
      - {id: a, name: Mengerjakan A, actor: staf, next: end}
      - {id: b, name: Mengerjakan B, actor: staf, next: end:ditolak}
    """)
INNER = textwrap.dedent("""\
    format: 1
    id: bersarang-salah
    title: SOP Cabang Bersarang Salah
    organization: {name: Kecamatan Contoh}
    actors:
      camat: {title: Camat}
      staf: {title: Staf, reports_to: camat}
    activities:
      - {id: mulai, name: Menugaskan, actor: camat, next: [a, b]}
      - {id: a, name: Membagi A, actor: staf, next: [a1, a2]}
      - {id: a1, name: Mengerjakan A1, actor: staf, next: akhir}
      - {id: a2, name: Mengerjakan A2, actor: staf, next: akhir}
      - {id: b, name: Mengerjakan B, actor: staf, next: akhir}
      - {id: akhir, name: Menyelesaikan, actor: camat}
    """)

EXTERNAL = edit("  staf: {title: Staf, reports_to: kasi-a}",
                "  staf: {title: Staf, reports_to: kasi-a}\n  pemohon: {title: Pemohon, "
                "external: true}").replace("    actor: staf\n    complete: each",
                                           "    actor: pemohon\n    complete: each")
JOIN = edit("next: [data-seksi, draf]", "next: [data-seksi, draf, kompilasi]")

# (case id, text, (line, column) of the problem, words the message must contain)
CASES: list[tuple[str, str, tuple[int, int], str]] = [
    ("complete-unknown", edit("    complete: any", "    complete: semua"),
     place(BASE, "    complete: any", 14),
     "unknown complete `semua` (accepted: first, any, each)"),
    ("each-on-a-decision", edit("    complete: any", "    complete: each"),
     place(BASE, "    complete: any", 14),
     "`complete: each` on a decision: a decision is taken by one person"),
    ("first-with-one-actor", edit("    actor: staf\n    complete: each",
                                  "    actor: staf\n    complete: first"),
     place(BASE, "complete: each\n    duration: 1 jam", 10),
     "`complete: first` needs several actors in `actor`; with one actor only `each`"),
    ("any-with-one-actor", edit("    actor: staf\n    complete: each",
                                "    actor: staf\n    complete: any"),
     place(BASE, "complete: each\n    duration: 1 jam", 10), "`complete: any` needs several"),
    ("each-over-an-external-actor", EXTERNAL, place(EXTERNAL, "complete: each\n    duration: 1 "
                                                            "jam", 10),
     "`complete: each` over `pemohon`, an external actor"),
    ("split-of-one-branch", edit("next: [data-seksi, draf]", "next: [data-seksi]"),
     place(BASE, "next: [data-seksi, draf]"), "a split needs at least two branches in `next`"),
    ("unknown-branch", edit("next: [data-seksi, draf]", "next: [data-seksi, drft]"),
     place(BASE, "draf]"), "unknown branch `drft` in `next`, did you mean `draf`?"),
    ("repeated-branch", edit("next: [data-seksi, draf]", "next: [data-seksi, data-seksi]"),
     place(BASE, "draf]"), "branch `data-seksi` is listed twice (first at line 20)"),
    ("end-as-a-branch", edit("next: [data-seksi, draf]", "next: [data-seksi, end]"),
     place(BASE, "draf]"), "`end` cannot be a branch of a split"),
    ("branch-ends-before-the-join", edit(LEAVE, "    next: {Ya: kompilasi, Tidak: end:ditolak}"),
     place(BASE, "Tidak: draf", 7),
     "branch `draf` of the split at `perintah` ends the run at `periksa` before the branches "
     "meet at `kompilasi`; every branch must reach the join before `end`"),
    ("branch-loops-out", edit(LEAVE, "    next: {Ya: kompilasi, Tidak: perintah}"),
     place(BASE, "Tidak: draf", 7),
     "`periksa` in branch `draf` of the split at `perintah` goes back to `perintah`, out of "
     "its branch"),
    ("branch-jumps-into-another", edit(LEAVE, "    next: {Ya: kompilasi, Tidak: data-seksi}"),
     place(BASE, "Tidak: draf", 7),
     "`periksa` in branch `draf` of the split at `perintah` jumps into branch `data-seksi` "
     "(to `data-seksi`); branches meet only at their join `kompilasi`"),
    ("branch-entered-from-outside", OUTSIDE, place(OUTSIDE, "Tidak: draf}\n", 7, last=True),
     "`kompilasi` leads into branch `draf` of the split at `perintah` (to `draf`); a branch "
     "is entered only through its split `perintah`"),
    ("join-as-a-branch", JOIN, place(JOIN, "kompilasi]"), "branch `kompilasi` of the split at "
                                                         "`perintah` is where the other "
                                                         "branches meet (the join)"),
    ("branches-never-meet", NEVER, place(NEVER, "next: [a, b]"),
     "the branches `a`, `b` of the split at `mulai` never meet again before `end`"),
    ("inner-split-joins-outside-its-branch", INNER, place(INNER, "next: [a1, a2]"),
     "the split at `a` inside branch `a` of the split at `mulai` must join inside that branch, "
     "before `akhir`"),
]


@pytest.mark.parametrize(("text", "where", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_parallel_rule_is_reported_at_its_place(write_sop: Callable[[str], Path],
                                                     text: str, where: tuple[int, int],
                                                     words: str) -> None:
    path = write_sop(text)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 1, result.output
    prefix = f"{path}:{where[0]}:{where[1]}: "
    matching = [x for x in result.stdout.splitlines() if x.startswith(prefix) and words in x]
    assert matching, f"wanted {prefix}...{words}... in:\n{result.stdout}"
    assert result.stderr.startswith("Error: 1 file checked: 1 error,"), result.output


def test_the_parallel_sops_are_valid_and_their_splits_found() -> None:
    result = run_cli("sop", "validate", str(PARALLEL), str(NESTED))
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 2 files checked: 0 errors, 0 warnings\n"
    spec = load_sop_file(PARALLEL).spec
    assert spec.splits == (SplitSpec("perintah", ("data-seksi", "draf"), "kompilasi",
                                     frozenset({"data-seksi", "draf", "periksa"})),)
    assert [(a.id, a.complete) for a in spec.activities] == [
        ("perintah", "first"), ("data-seksi", "each"), ("draf", "each"), ("periksa", "any"),
        ("kompilasi", "first")]
    assert spec.activity("perintah").split and not spec.activity("perintah").is_decision
    nested = load_sop_file(NESTED).spec
    assert {(s.activity, s.join) for s in nested.splits} == {("mulai", "final"),
                                                            ("rencana", "gabung-data")}


def test_the_lakip_sop_stays_sequential() -> None:
    lakip = load_sop_file(SOPS / "pengumpulan-data-kinerja.yaml").spec
    assert lakip.splits == () and all(a.complete == "first" for a in lakip.activities)


@pytest.mark.parametrize(("path", "total", "english"), [
    (SOPS / "pengumpulan-data-kinerja.yaml", "12 jam 3 menit",  # sequential: the sum, 723
     "12 hours 3 minutes"),
    (SOPS / "perencanaan-kinerja.yaml", "5 hari kerja + 5 jam 30 menit",
     "5 working days + 5 hours 30 minutes"),
    (PARALLEL, "3 jam 10 menit",  # 10 + max(2 jam, 1 jam + 30) + 60: the longer branch
     "3 hours 10 minutes"),
    (NESTED, "5 jam 10 menit", "5 hours 10 minutes"),  # 10 + max(60 + max(2 h, 3 h) + 30, 2 h) + 30
])
def test_the_total_standard_time_is_the_critical_path(path: Path, total: str,
                                                       english: str) -> None:
    duration = load_sop_file(path).spec.total_duration
    assert str(duration) == english  # a sum is computed: said in the language in use
    with use_language("id"):
        assert say(duration.computed) == total


def test_a_rework_loop_does_not_lengthen_the_critical_path() -> None:
    looped = load_sop_text(BASE.replace("    next: kompilasi\n  - id: draf",
                                        "    next: kompilasi\n  - id: draf"), "x.yaml").spec
    with use_language("id"):
        assert say(looped.total_duration.computed) == "3 jam 10 menit"


def test_sop_list_shows_the_critical_path() -> None:
    listed = json.loads(run_cli("sop", "list", "--json", "--workspace", str(SOPS.parent)).stdout)
    planning = next(s for s in listed if s["id"] == "perencanaan-kinerja")
    assert (planning["total_days"], planning["total_minutes"]) == (5.0, 330)
    lakip = next(s for s in listed if s["id"] == "pengumpulan-data-kinerja")
    assert (lakip["total_days"], lakip["total_minutes"]) == (0.0, 723)


def test_the_schema_declares_complete_and_splits() -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = sop_schema()
    activity = schema["properties"]["activities"]["items"]["properties"]
    assert activity["complete"]["anyOf"][1]["enum"] == ["first", "any", "each"]
    assert activity["complete"]["description"].startswith("Cara penyelesaian: ")
    lists = [v for v in activity["next"]["anyOf"][1]["anyOf"] if v.get("type") == "array"]
    assert lists and lists[0]["minItems"] == 2
    for path in (PARALLEL, NESTED):
        jsonschema.validate(YAML(typ="safe").load(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(YAML(typ="safe").load(edit("    complete: any",
                                                       "    complete: semua")), schema)
