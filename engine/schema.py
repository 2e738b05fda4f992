"""The JSON Schema of the SOP format, generated from ``engine.sop_format``.

Editors (yaml-language-server) use it to complete keys and show each key's
Indonesian label. The validator is the authority; the schema is its shadow
for editors, made from the same declarations so that they cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

from engine import sop_format as fmt
from engine.durations import ACCEPTED_UNITS

_TEXT: dict[str, Any] = {"type": ["string", "number"]}
_SLUG: dict[str, Any] = {"type": "string", "pattern": fmt.SLUG_PATTERN}
_DURATION: dict[str, Any] = {
    "type": ["integer", "string"], "minimum": 1, "pattern": r"^\s*\d",
    "examples": ["60 menit", "1,5 jam", "2 hari kerja", 60],
}


def _value(key: fmt.Key) -> dict[str, Any]:
    """The schema of one key's value, without its description."""
    kind = key.kind
    if kind == "format":
        return {"type": "integer", "enum": list(fmt.FORMATS)}
    if kind == "slug":
        return dict(_SLUG)
    if kind == "text":
        return dict(_TEXT)
    if kind == "texts":
        return {"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]}
    if kind in ("kind", "every", "period", "complete", "case_kind"):
        choices = {"kind": fmt.KINDS, "every": fmt.EVERY, "period": fmt.PERIODS,
                   "complete": fmt.COMPLETE, "case_kind": fmt.CASE_KINDS}[kind]
        return {"type": "string", "enum": list(choices)}
    if kind == "date":
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if kind == "nip":
        return {"type": ["string", "integer"], "pattern": r"^(\d ?){17}\d$"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "duration":
        return dict(_DURATION)
    if kind == "escalate":
        return {"type": ["integer", "string"], "pattern": r"^\s*\d",
                "examples": ["100%", "50%", "2 jam"]}
    if kind == "actor_ref":
        return dict(_SLUG)
    if kind == "actor_refs":
        return {"anyOf": [_SLUG, {"type": "array", "items": _SLUG, "minItems": 1}]}
    if kind == "next":
        return {"anyOf": [
            {"type": "string", "pattern": r"^([a-z0-9]+(-[a-z0-9]+)*|end(:.+)?)$"},
            {"type": "object", "minProperties": 2,
             "additionalProperties": {"type": "string"}},
            {"type": "array", "minItems": 2, "uniqueItems": True, "items": _SLUG},
        ]}
    if kind == "register":
        return {"type": "string", "pattern": r"\{seq(:0?\d{1,2})?\}",
                "examples": [fmt.DEFAULT_REGISTER, "{seq:04}/SKTM/{month_roman}/{year}"]}
    if kind == "image":
        return {"type": "string", "pattern": r"\.([pP][nN][gG]|[sS][vV][gG])$",
                "examples": ["logo-purwakarta.png", "../logo.svg"]}
    if kind == "start_day":
        return {"type": ["string", "integer"], "pattern": r"^\d{1,2}(-\d{1,2})?$"}
    assert key.section is not None, key
    if kind == "section":
        return section_schema(key.section)
    if kind in ("actors", "case"):
        return {"type": "object", "minProperties": int(kind == "actors"), "propertyNames": _SLUG,
                "additionalProperties": section_schema(key.section)}
    return {"type": "array", "minItems": 1, "items": section_schema(key.section)}


def section_schema(section: fmt.Section) -> dict[str, Any]:
    """The schema of a mapping declared by ``section``."""
    properties: dict[str, Any] = {}
    for key in section.keys:
        value = _value(key)
        if key.kind == "duration":
            value["description"] = f"{key.label}: {key.about} Units: {ACCEPTED_UNITS}."
        else:
            value["description"] = f"{key.label}: {key.about}"
        if not key.required and key.kind not in ("section", "actors", "activities", "case"):
            value = {"anyOf": [{"type": "null"}, value], "description": value["description"]}
        properties[key.name] = value
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    required = [k.name for k in section.keys if k.required]
    if required:
        schema["required"] = required
    return schema


def sop_schema() -> dict[str, Any]:
    """The whole JSON Schema (draft-07, what yaml-language-server reads best)."""
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://alur.example/schema/sop-1.json",
        "title": "Alur SOP file (format 1)",
        "description": "Standar Operasional Prosedur Administrasi Pemerintahan (Permenpan RB "
                       "35/2012) as an Alur SOP file: the identity block and the activities.",
    }
    schema.update(section_schema(fmt.TOP))
    return schema


def sop_schema_json() -> str:
    """The schema as the text committed at ``sops/sop.schema.json``."""
    return json.dumps(sop_schema(), indent=2, ensure_ascii=False) + "\n"
