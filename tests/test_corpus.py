"""The validator is general: real SOPs of other offices pass, and broken variants of
them fail with the error on the line that was broken."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import SopValidationError
from engine.loader import load_sop_file, load_sop_text
from tests.conftest import FIXTURES, SOPS, run_cli

CORPUS = sorted((FIXTURES / "sops" / "valid").glob("*.yaml")) + sorted(SOPS.glob("*.yaml"))
IDS = [p.stem for p in CORPUS]


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_every_real_sop_is_accepted(path: Path) -> None:
    loaded = load_sop_file(path)
    assert loaded.spec.id == path.stem
    assert all(p.warning for p in loaded.warnings)


def test_the_corpus_has_what_it_claims() -> None:
    specs = {p.stem: load_sop_file(p).spec for p in CORPUS}
    assert max(len(s.activities) for s in specs.values()) == 40
    assert any(a.external for s in specs.values() for a in s.actors)
    assert any(o.result == "ditolak" for s in specs.values() for a in s.activities
               for o in a.outcomes)
    assert {s.kind for s in specs.values()} >= {"rutin", "pelayanan", "penugasan"}
    assert any(a.duration and a.duration.days for s in specs.values() for a in s.activities)
    activities = [a for s in specs.values() for a in s.activities]
    assert any(a.complete == "each" and len(a.actors) > 1 for a in activities)
    assert any(a.complete == "each" and len(a.actors) == 1 for a in activities)
    assert any(a.complete == "any" for a in activities)
    assert sum(bool(s.splits) for s in specs.values()) >= 2  # a real one and the bundled seed


def lines_matching(text: str, pattern: str) -> list[int]:
    """0-based numbers of the lines matching ``pattern``."""
    return [i for i, line in enumerate(text.split("\n")) if re.search(pattern, line)]


def mutate(text: str, index: int, change: Callable[[str], str]) -> str:
    lines = text.split("\n")
    lines[index] = change(lines[index])
    return "\n".join(lines)


# (name, pattern of the lines to break, change, words the error says)
MUTATIONS: list[tuple[str, str, Callable[[str], str], str]] = [
    ("unknown-actor", r"^\s+actor: [a-z]", lambda s: re.sub(r"actor: .*", "actor: kepala-x", s),
     "unknown actor `kepala-x`"),
    ("bad-duration", r"^\s+duration: ", lambda s: re.sub(r"duration: .*", "duration: 2 bulan",
                                                         s), "unknown unit `bulan`"),
    ("zero-duration", r"^\s+duration: ", lambda s: re.sub(r"duration: .*", "duration: 0 menit",
                                                          s), "must be more than 0"),
    ("unknown-key", r"^\s+output: ", lambda s: s.replace("output:", "ouput:"),
     "unknown key `ouput`, did you mean `output`?"),
    ("tab", r"^\s+name: ", lambda s: "\t" + s.lstrip(), "tab character in the indentation"),
    ("bad-id", r"^\s+- id: ", lambda s: s.replace("- id: ", "- id: Langkah "),
     "`id` must be a slug"),
    ("bad-date", r"^\s+created: \d", lambda s: re.sub(r"created: .*", "created: 31/12/2022", s),
     "`created` must be a date written YYYY-MM-DD"),
]


def broken_variants() -> list[tuple[str, Path, int, str, str]]:
    cases = []
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        for name, pattern, change, words in MUTATIONS:
            found = lines_matching(text, pattern)
            # the first, a middle and the last matching line of each file
            for index in sorted({found[0], found[len(found) // 2], found[-1]} if found else ()):
                cases.append((f"{path.stem}-{name}-{index + 1}", path, index,
                              mutate(text, index, change), words))
    return cases


VARIANTS = broken_variants()


@pytest.mark.parametrize(("path", "index", "text", "words"), [v[1:] for v in VARIANTS],
                         ids=[v[0] for v in VARIANTS])
def test_a_broken_variant_fails_on_the_broken_line(path: Path, index: int, text: str,
                                                   words: str) -> None:
    with pytest.raises(SopValidationError) as caught:
        load_sop_text(text, path.name)
    hits = [p for p in caught.value.errors if words in p.message]
    assert hits, f"no `{words}` in:\n{caught.value}"
    assert hits[0].line == index + 1, str(caught.value)


def test_several_broken_files_are_reported_in_one_run(tmp_path: Path) -> None:
    for case_id, _path, _index, text, _words in VARIANTS[:5]:
        (tmp_path / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    result = run_cli("sop", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert len({line.split(":")[0] for line in result.stdout.splitlines()}) == 5
    assert result.stderr.startswith("Error: 5 files checked: ")
