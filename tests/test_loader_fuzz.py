"""Property: whatever document the loader gets, it ends in a spec or a positioned error."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from engine import sop_format as fmt
from engine import yaml_tree
from engine.errors import SopValidationError
from engine.loader import load_sop_text
from engine.yaml_tree import Node
from tests.conftest import BASE_SOP, FIXTURES, SOPS

SEEDS = [BASE_SOP] + [p.read_text(encoding="utf-8") for p in sorted(SOPS.glob("*.yaml"))] + [
    p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "sops" / "valid").glob("*.yaml"))]
KEY_NAMES = sorted({k.name for s in (fmt.TOP, fmt.ACTIVITY, fmt.ACTOR, fmt.START,
                                     fmt.REMINDERS, fmt.ORGANIZATION, fmt.DATES,
                                     fmt.APPROVED_BY) for k in s.keys})
FUZZ = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def shape(node: Node) -> tuple[object, ...]:
    """A node tree as comparable data (iteratively bounded by the reader's own limits)."""
    return (node.kind, node.line, node.col, node.text, node.plain,
            tuple((shape(k), shape(v)) for k, v in node.pairs),
            tuple(shape(i) for i in node.items))


def same_tree_from_both_parsers(data: str | bytes) -> None:
    """When libyaml reads a text, the pure YAML 1.2 parser reads the very same tree."""
    try:
        text = yaml_tree.decode(data) if isinstance(data, bytes) else data
        fast = yaml_tree.read_tree(text)
    except yaml_tree.YamlReadError:
        return
    yaml_tree.PURE_ONLY = True
    try:
        pure = yaml_tree.read_tree(text)
    except yaml_tree.YamlReadError as exc:
        raise AssertionError(f"libyaml read a text YAML 1.2 refuses: {exc}") from None
    finally:
        yaml_tree.PURE_ONLY = False
    assert shape(fast) == shape(pure)


def check(data: str | bytes) -> None:
    """The loader's whole contract: a LoadedSop, or an error whose problems are placed."""
    same_tree_from_both_parsers(data)
    try:
        loaded = load_sop_text(data, "fuzz.yaml")
    except SopValidationError as exc:
        assert exc.problems, "an error without problems"
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.line >= 1 and problem.column >= 1, problem
            assert problem.message.strip(), problem
        assert any(not p.warning for p in exc.problems)
    else:
        assert loaded.spec.activities and loaded.spec.actors


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**20), st.floats(allow_nan=False),
    st.text(max_size=12), st.sampled_from(["end", "end:x", "60 menit", "1,5 jam", "100%",
                                           "2022-12-30", "01-02", "camat", "Ya", "-1"]),
)
keys = st.one_of(st.sampled_from(KEY_NAMES), st.text(min_size=1, max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, max_size=6)),
    max_leaves=25,
)


def dump(value: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    stream = io.StringIO()
    yaml.dump(value, stream)
    return stream.getvalue()


@settings(FUZZ, max_examples=400)
@given(st.dictionaries(keys, documents, max_size=12))
def test_generated_documents(document: dict[str, Any]) -> None:
    check(dump(document))


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_sop_files(seed: str, data: st.DataObject) -> None:
    lines = seed.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent",
                                            "insert", "truncate", "tab", "replace"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], line
        elif action == "indent":
            lines[index] = "  " + line
        elif action == "dedent":
            lines[index] = line[2:]
        elif action == "insert":
            where = data.draw(st.integers(0, len(line)))
            lines[index] = line[:where] + data.draw(st.text(max_size=5)) + line[where:]
        elif action == "truncate":
            lines[index] = line[: data.draw(st.integers(0, len(line)))]
        elif action == "tab":
            lines[index] = "\t" + line.lstrip()
        else:
            word = data.draw(st.sampled_from(["end", "camat", "60 menit", "{", "[", ":", "- ",
                                              "&a", "*a", "!x", "null", "'", '"', "#", "|"]))
            lines[index] = line.replace(line.strip()[:3] or " ", word, 1)
        if not lines:
            lines = [""]
    check("\n".join(lines))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.sampled_from(SEEDS), st.binary(max_size=20), st.integers(0, 5000))
def test_bytes_spliced_into_files(seed: str, junk: bytes, at: int) -> None:
    raw = seed.encode()
    at = min(at, len(raw))
    check(raw[:at] + junk + raw[at:])


def test_a_line_of_spaces_at_the_head_of_a_block_scalar_is_read_as_yaml_1_2() -> None:
    # found by test_mutated_sop_files: libyaml read this, the YAML 1.2 parser refuses it
    check("format: 1\nwarning: >-\n \n  Kegiatan tanpa rekomendasi dapat dibubarkan.\n")
