"""Whatever bytes a file holds, the user gets a positioned message, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import SopValidationError
from engine.loader import load_sop_text
from engine.yaml_tree import MAX_BYTES
from tests.conftest import BASE_SOP, run_cli


def problems_of(data: str | bytes) -> list[str]:
    with pytest.raises(SopValidationError) as caught:
        load_sop_text(data, "f.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "f.yaml:1:1: the file is empty"),
    (b"   \n# only a comment\n", "f.yaml:1:1: the file is empty"),
    (b"format: 1\nid: \xff\xfe bad\n", "f.yaml:2:5: not valid UTF-8 (byte 0xff)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "f.yaml:1:1: not valid UTF-8 (byte 0x89)"),
    (b"format: 1\nid: a\x00b\n", "f.yaml:2:6: control character #x0000 is not allowed"),
    (b"- just\n- a list\n", "f.yaml:1:1: an SOP file must be a mapping of keys"),
    (b"just text", "f.yaml:1:1: an SOP file must be a mapping of keys"),
    (b"format: 1\nid: x\nid: y\n", "f.yaml:3:1: duplicate key `id` (first at line 2)"),
    (b"a: &x [1, *x]", "f.yaml:1:11: alias `*x` refers to a value that contains it"),
    (b"a: *nothing", "f.yaml:1:4: alias `*nothing` names no anchor"),
    (b"? [a, b]\n: c\n", "f.yaml:1:3: a key must be plain text, not a list"),
    (b"[" * 5000 + b"]" * 5000, "f.yaml:1:65: nested more than 64 levels deep"),
    (b"x: " + b"a" * (MAX_BYTES + 1), "f.yaml:1:1: file is too large"),
    (b"format: 1\n  id: x\n", "f.yaml:2:5: YAML syntax error: mapping values are not allowed"),
    (b"format: 1\n\tid: x\n", "f.yaml:2:1: tab character in the indentation"),
    (b"%YAML 1.1\n---\nformat: 1\n", "f.yaml:1:1: `%YAML 1.1` is not supported"),
    (b"%YAML 1.2\n---\nformat: 1\nx: !!python/object:os.system ls\n",
     "f.yaml:4:4: tag `tag:yaml.org,2002:python/object:os.system` is not allowed"),
])
def test_unreadable_input_gets_a_positioned_message(data: bytes, expected: str) -> None:
    problems = problems_of(data)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_bom_is_accepted() -> None:
    assert load_sop_text(b"\xef\xbb\xbf" + BASE_SOP.encode()).spec.id == "contoh-sop"


def test_scalars_are_kept_exactly_as_written() -> None:
    text = BASE_SOP.replace("number: 050/001/DRD", "number: 050").replace(
        'nip: "196801011990031003"', "nip: 196801011990031003").replace(
        "next: {Ya: kirim, Tidak: draft}", "next: {yes: kirim, 1: draft}")
    spec = load_sop_text(text).spec
    assert spec.number == "050"
    assert spec.approved_by is not None and spec.approved_by.nip == "196801011990031003"
    labels = [o.label for o in spec.activity("koreksi").outcomes]
    assert labels == ["yes", "1"]


def test_aliases_are_followed() -> None:
    text = BASE_SOP.replace("actor: camat\n    duration: 3 menit",
                            "actor: &boss camat\n    duration: 3 menit").replace(
        "actor: [camat, sekcam]", "actor: [*boss, sekcam]")
    assert load_sop_text(text).spec.activity("koreksi").actors == ("camat", "sekcam")


def test_the_cli_never_shows_a_traceback_for_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    result = run_cli("sop", "validate", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == f"{path}:2:118: not valid UTF-8 (byte 0x80); save the file as " \
                            "UTF-8 text\n"


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("sop", "validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such file or folder\n"


def test_an_unreadable_file_is_a_clear_error(write_sop: Callable[[str], Path]) -> None:
    path = write_sop(BASE_SOP)
    path.chmod(0)
    try:
        if path.stat().st_uid == 0:  # root reads anything; check the folder case instead
            folder = path.parent / "sub.yaml"
            folder.mkdir()
            problems = problems_of_path(folder)
        else:
            problems = problems_of_path(path)
    finally:
        path.chmod(0o644)
    assert "cannot read the file" in problems[0]


def problems_of_path(path: Path) -> list[str]:
    from engine.loader import load_sop_file

    with pytest.raises(SopValidationError) as caught:
        load_sop_file(path)
    return [str(p) for p in caught.value.problems]
