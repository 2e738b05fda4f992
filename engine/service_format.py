"""The parts of the format for service SOPs: `case:` fields, the `register:` pattern, and the
steps' `optional:` and `recorded_by:` (who records the applicant's step)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine import sop_format as fmt
from engine.errors import did_you_mean
from engine.spec import END, ActorSpec, CaseField
from engine.text import Text

if TYPE_CHECKING:
    from engine.checker import Checker
    from engine.flow_checks import Exits, Row
    from engine.yaml_tree import Node

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::0?(\d{1,2}))?")


def parse_case(c: Checker, node: Node) -> tuple[CaseField, ...]:
    """The `case:` fields: slug keys to their label, kind, required, private, choices."""
    if node.is_null:
        return ()
    if node.kind != "map":
        c.error(node, Text("`case` must be a mapping of field keys to their `label` "
                           "({example}), not {found}", example="`pemohon: {label: Nama pemohon}`",
                           found=node.describe()))
        return ()
    fields: list[CaseField] = []
    first_at: dict[str, Node] = {}
    for key, value in node.pairs:
        slug = c.slug(Text("case field"), key)
        if slug is None:
            continue
        if slug in first_at:
            c.error(key, Text("duplicate case field `{field}` (first at line {line})",
                              field=slug, line=first_at[slug].line + 1))
            continue
        first_at[slug] = key
        found = c.mapping(value, fmt.CASE_FIELD, Text("case field `{field}`", field=slug))
        label = c.text("label", found["label"][1], required=True) if "label" in found else None
        kind = (c.choice("kind", found["kind"][1], fmt.CASE_KINDS) if "kind" in found
                else "text") or "text"
        choices = c.texts("choices", found["choices"][1]) if "choices" in found else ()
        if kind == "choice" and not choices:
            c.error(found["kind"][1], Text("case field `{field}` is a `choice` without "
                                           "`choices`; list the accepted values (`choices: "
                                           "[Sekolah, Berobat]`)", field=slug))
        if choices and kind != "choice":
            c.error(found["choices"][0], Text("`choices` is only for a field of `kind: choice`; "
                                              "case field `{field}` is `{kind}`", field=slug,
                                              kind=kind))
        if len({x.casefold() for x in choices}) != len(choices):
            c.error(found["choices"][1], Text("`choices` of case field `{field}` repeats a "
                                              "value (values are matched ignoring case)",
                                              field=slug))
        flags = {name: c.boolean(name, found[name][1]) if name in found else False
                 for name in ("required", "private")}
        fields.append(CaseField(slug, label or slug, kind, flags["required"],
                                flags["private"], choices))
    return tuple(fields)


def parse_register(c: Checker, node: Node, has_start: bool) -> str | None:
    """The register number pattern: known placeholders, and a `{seq}` to keep numbers apart."""
    text = c.text("register", node)
    if text is None:
        return None
    from engine.checker import accepted, suggest

    names = fmt.REGISTER_FIELDS
    fields = accepted([*(f"{{{n}}}" for n in names), "{seq:04}"])
    placeholders = _PLACEHOLDER.findall(text)
    for name in placeholders:
        if name in names or _SEQ.fullmatch(name):
            continue
        close = suggest(name, names)
        c.error(node, Text("unknown placeholder `{placeholder}` in `register`{hint} ({accepted})",
                           placeholder=f"{{{name}}}",
                           hint=did_you_mean(f"{{{close}}}" if close else None),
                           accepted=fields))
        return None
    if not any(_SEQ.fullmatch(n) for n in placeholders):
        c.error(node, Text("`register` needs {seq} (or {seq04}), the running number, so that no "
                           "two runs get the same number ({accepted})", seq="`{seq}`",
                           seq04="`{seq:04}`", accepted=fields))
        return None
    if has_start:
        c.error(node, Text("`register` numbers the runs of an SOP without `start:`; runs that "
                           "start by themselves are named by their period (2025, 2025-Q4)"))
        return None
    return text


def check_service_steps(c: Checker, rows: list[Row], outcomes: list[Exits | None],
                        actors: dict[str, ActorSpec]) -> list[str | None]:
    """`optional` (never on a decision) and `recorded_by` (an actor of the unit, on an
    external actor's step); return each step's recorder, the default filled in."""
    ids = {values.get("id"): values for _item, values, _nodes in rows}
    recorders: list[str | None] = []
    for (_item, values, nodes), exits in zip(rows, outcomes, strict=True):
        refs: tuple[str, ...] = values.get("actor") or ()
        external = bool(refs) and refs[0] in actors and actors[refs[0]].external
        decision = exits is not None and not exits.split and len(exits.outcomes) > 1
        if values.get("optional") and decision:
            c.error(nodes["optional"], Text("a decision cannot be `optional`: skipping it would "
                                            "leave the run without a way to go; make the step "
                                            "before or after it optional instead"))
        recorder = values.get("recorded_by")
        if recorder is not None:
            if recorder not in actors:
                from engine.checker import known_actors, suggest

                c.error(nodes["recorded_by"], Text(
                    "`recorded_by` names unknown actor `{actor}`{hint} ({actors})", actor=recorder,
                    hint=did_you_mean(suggest(recorder, list(actors))),
                    actors=known_actors(actors)))
            elif actors[recorder].external:
                c.error(nodes["recorded_by"], Text(
                    "`recorded_by` names `{actor}`, an external actor; the step is recorded by "
                    "an actor of the unit", actor=recorder))
            elif not external:
                c.error(nodes["key:recorded_by"], Text(
                    "`recorded_by` is for a step of an external actor (the applicant); this "
                    "step's holders record it themselves"))
        elif external and exits is not None:
            recorder = _following_actor(exits, ids, actors)
        recorders.append(recorder if external else None)
    return recorders


def _following_actor(exits: Exits, ids: dict[Any, dict[str, Any]],
                     actors: dict[str, ActorSpec]) -> str | None:
    """The first actor of the unit among the steps this one leads to (the default recorder)."""
    for outcome in exits.outcomes:
        if outcome.target == END or outcome.target not in ids:
            continue
        for actor in ids[outcome.target].get("actor") or ():
            if actor in actors and not actors[actor].external:
                return str(actor)
    return None
