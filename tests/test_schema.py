"""The JSON Schema is generated from the format's declarations and kept in sops/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine import sop_format as fmt
from engine.schema import sop_schema, sop_schema_json
from engine.yaml_tree import Node, read_tree
from tests.conftest import BASE_SOP, FIXTURES, SOPS, run_cli

VALID = sorted(SOPS.glob("*.yaml")) + sorted((FIXTURES / "sops" / "valid").glob("*.yaml"))


def as_editor_sees_it(node: Node) -> Any:
    """Values as yaml-language-server gives them to the schema (dates stay strings)."""
    if node.kind == "map":
        return {k.text: as_editor_sees_it(v) for k, v in node.pairs}
    if node.kind == "seq":
        return [as_editor_sees_it(i) for i in node.items]
    if not node.plain:
        return node.text
    if node.is_null:
        return None
    if node.text in ("true", "false"):
        return node.text == "true"
    for kind in (int, float):
        try:
            return kind(node.text)
        except ValueError:
            pass
    return node.text


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = (SOPS / "sop.schema.json").read_text(encoding="utf-8")
    assert committed == sop_schema_json(), "run `alur sop schema > sops/sop.schema.json`"


def test_the_cli_prints_the_schema() -> None:
    result = run_cli("sop", "schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == sop_schema()


def test_every_key_has_its_indonesian_label_in_the_description() -> None:
    schema = sop_schema()

    def described(section: fmt.Section, properties: dict[str, Any]) -> None:
        for key in section.keys:
            assert properties[key.name]["description"].startswith(f"{key.label}: ")
            if key.section is not None:
                sub = properties[key.name]
                sub = sub.get("items") or sub.get("additionalProperties") or sub
                described(key.section, sub["properties"])

    described(fmt.TOP, schema["properties"])
    assert schema["properties"]["title"]["description"].startswith("Nama SOP")
    assert schema["properties"]["activities"]["items"]["properties"]["duration"][
        "description"].startswith("Waktu")


def test_the_schema_is_valid_draft_07() -> None:
    jsonschema.Draft7Validator.check_schema(sop_schema())


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_sops_pass_the_schema(path: Path) -> None:
    document = as_editor_sees_it(read_tree(path.read_text(encoding="utf-8")))
    jsonschema.validate(document, sop_schema())


@pytest.mark.parametrize(("old", "new", "where"), [
    ("kind: rutin", "kind: rutn", "kind"),
    ("activities:", "activites:", "activites"),
    ("actor: staf", "actor: Staf Umum", "actor"),
])
def test_the_schema_flags_what_editors_should_underline(old: str, new: str, where: str) -> None:
    document = as_editor_sees_it(read_tree(BASE_SOP.replace(old, new, 1)))
    errors = list(jsonschema.Draft7Validator(sop_schema()).iter_errors(document))
    assert errors
    assert any(where in json.dumps(list(e.absolute_path)) or where in e.message for e in errors)
