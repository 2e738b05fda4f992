"""Service SOPs, the format: `case:`, `register:`, `deadline:`, `recorded_by:`, `optional:`,
each rule at its line and column, and the JSON Schema that follows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.loader import load_sop_file
from engine.schema import sop_schema
from engine.spec import CaseField
from runners.i18n import say, use_language
from tests.conftest import SOPS, run_cli

SKTM = SOPS / "legalisasi-sktm.yaml"
BASE = SKTM.read_text(encoding="utf-8")


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def place(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    index = text.index(needle) + offset
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def case(text: str, needle: str, words: str, offset: int = 0) -> tuple[str, tuple[int, int], str]:
    return text, place(text, needle, offset), words


CASES: dict[str, tuple[str, tuple[int, int], str]] = {
    "case-kind-unknown": case(edit("kind: nik, required", "kind: ktp, required"), "ktp",
                              "unknown kind `ktp` (accepted: text, nik, phone, date, number, "
                              "choice)"),
    "case-label-missing": case(edit("alamat: {label: Alamat}", "alamat: {required: true}"),
                               "{required: true}", "missing required key `label` (Label) in "
                                                   "case field `alamat`"),
    "case-choice-without-choices": case(
        edit("telepon: {label: Nomor telepon, kind: phone}",
             "telepon: {label: Nomor telepon, kind: choice}"), "choice}",
        "case field `telepon` is a `choice` without `choices`"),
    "case-choices-on-text": case(edit("alamat: {label: Alamat}",
                                      "alamat: {label: Alamat, choices: [A, B]}"), "choices: [A",
                                 "`choices` is only for a field of `kind: choice`"),
    "case-key-not-slug": case(edit("  alamat: {label: Alamat}", "  Alamat_Rumah: {label: A}"),
                              "Alamat_Rumah", "`case field` must be a slug"),
    "case-private-not-bool": case(edit("private: true}", "private: ya}"), "ya}",
                                  "`private` must be true or false, not `ya`"),
    "register-unknown-placeholder": case(
        edit('register: "{seq:04}/SKTM/{month_roman}/{year}"',
             'register: "{seq:04}/SKTM/{bulan}/{year}"'), '"{seq:04}/SKTM/{bulan}',
        "unknown placeholder `{bulan}` in `register`"),
    "register-without-seq": case(edit('register: "{seq:04}/SKTM/{month_roman}/{year}"',
                                       'register: "SKTM/{month_roman}/{year}"'),
                                 '"SKTM/{month_roman}', "`register` needs `{seq}`"),
    "register-on-a-calendar-sop": case(
        edit("deadline: 1 hari\n", "deadline: 1 hari\nstart: {every: month, on: 01}\n"),
        '"{seq:04}', "`register` numbers the runs of an SOP without `start:`"),
    "deadline-unit": case(edit("deadline: 1 hari", "deadline: 1 bulan"), "1 bulan",
                          "invalid `deadline`: unknown unit `bulan`"),
    "recorded-by-unknown": case(edit("recorded_by: petugas-paten", "recorded_by: petugas"),
                                "petugas\n", "`recorded_by` names unknown actor `petugas`"),
    "recorded-by-external": case(edit("recorded_by: petugas-paten", "recorded_by: pemohon"),
                                 "pemohon\n    requirements", "`recorded_by` names `pemohon`, "
                                                            "an external actor"),
    "recorded-by-on-a-unit-step": case(
        edit("    actor: kasi-kesos\n    optional: true",
             "    actor: kasi-kesos\n    recorded_by: sekcam\n    optional: true"),
        "recorded_by: sekcam", "`recorded_by` is for a step of an external actor"),
    "optional-on-a-decision": case(
        edit("    decision: Berkas dapat dilegalisasi?",
             "    optional: true\n    decision: Berkas dapat dilegalisasi?"),
        "true\n    decision: Berkas dapat", "a decision cannot be `optional`"),
    "optional-not-bool": case(edit("optional: true", "optional: kadang"), "kadang",
                              "`optional` must be true or false"),
}


@pytest.mark.parametrize(("text", "where", "words"), list(CASES.values()), ids=list(CASES))
def test_each_service_rule_is_reported_at_its_place(write_sop: Callable[[str], Path],
                                                    text: str, where: tuple[int, int],
                                                    words: str) -> None:
    path = write_sop(text)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 1, result.output
    prefix = f"{path}:{where[0]}:{where[1]}: "
    matching = [x for x in result.stdout.splitlines() if x.startswith(prefix) and words in x]
    assert matching, f"wanted {prefix}...{words}... in:\n{result.stdout}"


def test_the_service_sop_reads_as_declared() -> None:
    spec = load_sop_file(SKTM).spec
    assert spec.case[1] == CaseField("nik", "NIK", "nik", True, True)
    assert spec.case[4].choices == ("Sekolah", "Berobat", "Bantuan sosial", "Lainnya")
    assert spec.register == "{seq:04}/SKTM/{month_roman}/{year}" and spec.registered
    assert str(spec.deadline) == "1 hari"  # as the author wrote it
    assert spec.deadline is not None and spec.deadline.computed == "1 working day"
    with use_language("id"):
        assert say(spec.deadline.computed) == "1 hari kerja"
    assert spec.activity("pengajuan").recorded_by == "petugas-paten"
    assert spec.activity("cek-dtks").optional and not spec.activity("periksa").optional
    assert spec.top_roles == ("camat",)


def test_the_recorder_defaults_to_the_next_steps_actor(write_sop: Callable[[str], Path]) -> None:
    path = write_sop(edit("    recorded_by: petugas-paten\n", ""))
    assert load_sop_file(path).spec.activity("pengajuan").recorded_by == "petugas-paten"


def test_the_schema_declares_the_service_keys() -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = sop_schema()
    top = schema["properties"]
    assert top["case"]["description"].startswith("Data permohonan: ")
    field = top["case"]["additionalProperties"]["properties"]
    assert field["kind"]["anyOf"][1]["enum"] == ["text", "nik", "phone", "date", "number",
                                                 "choice"]
    assert top["register"]["description"].startswith("Nomor register: ")
    assert top["deadline"]["description"].startswith("Waktu penyelesaian: ")
    activity = top["activities"]["items"]["properties"]
    assert {"optional", "recorded_by"} <= set(activity)
    jsonschema.validate(YAML(typ="safe").load(BASE), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(YAML(typ="safe").load(edit("kind: nik, required",
                                                       "kind: ktp, required")), schema)
