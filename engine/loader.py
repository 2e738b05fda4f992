"""Load an SOP file into a ``SopSpec``, reporting every problem with its place.

Reading goes through ``engine.yaml_tree`` (positioned nodes, scalars as
written); the keys come from ``engine.sop_format``; the flow rules (targets,
reachability, decisions, the reports_to chain) live in ``engine.flow_checks``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from engine import sop_format as fmt
from engine.checker import Checker, accepted, known_actors, suggest
from engine.durations import Duration
from engine.errors import Problem, SopValidationError, did_you_mean, os_reason
from engine.flow_checks import Exits, check_flow, parse_outcomes
from engine.logo import logo_problem, name_problem
from engine.service_format import check_service_steps, parse_case, parse_register
from engine.spec import (
    EACH,
    FIRST,
    ActivitySpec,
    ActorSpec,
    Approver,
    Organization,
    Percent,
    ReminderSpec,
    SopDates,
    SopSpec,
    StartSpec,
)
from engine.text import Text
from engine.yaml_tree import Node, YamlReadError, decode, read_tree


@dataclass(frozen=True, slots=True)
class LoadedSop:
    """A valid SOP with its exact source text, content hash and warnings."""

    spec: SopSpec
    path: str
    text: str
    sha256: str
    warnings: tuple[Problem, ...] = ()


def content_hash(text: str) -> str:
    """SHA-256 of the SOP's text, the identity of one version of an SOP."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _section_values(checker: Checker, section: fmt.Section,
                    found: dict[str, tuple[Node, Node]],
                    readers: dict[str, Callable[[str, Node], Any]]) -> dict[str, Any]:
    """Read each present key of ``found`` with its reader; absent keys are left out."""
    values: dict[str, Any] = {}
    for name, (_key, value) in found.items():
        reader = readers.get(name)
        if reader is not None:
            values[name] = reader(name, value)
    return values


def _reminders(c: Checker, node: Node) -> ReminderSpec | None:
    if node.is_null:
        return None
    found = c.mapping(node, fmt.REMINDERS)
    escalate: Percent | Duration | None = None
    if "escalate_after" in found:
        value_node = found["escalate_after"][1]
        text = c.text("escalate_after", value_node)
        if text is not None and text.endswith("%"):
            number = text[:-1].strip().replace(",", ".")
            if re.fullmatch(r"\d+(\.\d+)?", number) and Fraction(number) > 0:
                escalate = Percent(Fraction(number))
            else:
                c.error(value_node, Text("`escalate_after` must be a percentage above 0 of "
                                         "the step's duration (like `100%`), not `{value}`",
                                         value=text))
        elif text is not None:
            escalate = c.duration("escalate_after", value_node)
    repeat = c.duration("repeat_every", found["repeat_every"][1]) if "repeat_every" in found \
        else None
    return ReminderSpec(escalate, repeat)


def _start_day(c: Checker, name: str, node: Node, every: str) -> tuple[int | None, int] | None:
    text = c.text(name, node, required=True)
    if text is None:
        return None
    if every == "year":
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
        if match:
            month, day = int(match[1]), int(match[2])
            try:
                dt.date(2025, month, day)  # a year without 29 February: valid every year
            except ValueError:
                pass
            else:
                return month, day
        c.error(node, Text("`{name}` must be a day of the year written MM-DD (like 01-02) "
                           "that exists every year, not `{value}`", name=name, value=text))
        return None
    if re.fullmatch(r"\d{1,2}", text) and 1 <= int(text) <= 31:
        return None, int(text)
    c.error(node, Text("`{name}` must be a day of the month 01-31 for `every: {every}` (a later "
                       "day than the month has means its last day), not `{value}`", name=name,
                       every=every, value=text))
    return None


_DEADLINE_BEFORE_ON = {
    "year": Text("`deadline` falls before `on` in the same year; the deadline must come after "
                 "the start"),
    "quarter": Text("`deadline` falls before `on` in the same quarter; the deadline must come "
                    "after the start"),
    "month": Text("`deadline` falls before `on` in the same month; the deadline must come "
                  "after the start"),
}


def _start(c: Checker, node: Node) -> StartSpec | None:
    if node.is_null:
        return None
    found = c.mapping(node, fmt.START)
    every = c.choice("every", found["every"][1], fmt.EVERY) if "every" in found else "year"
    period = c.choice("period", found["period"][1], fmt.PERIODS) if "period" in found else None
    if every is None or "on" not in found:
        return None
    on = _start_day(c, "on", found["on"][1], every)
    deadline = _start_day(c, "deadline", found["deadline"][1], every) if "deadline" in found \
        else None
    if on is None:
        return None
    if deadline is not None and (deadline[0] or 0, deadline[1]) < (on[0] or 0, on[1]):
        c.error(found["deadline"][1], _DEADLINE_BEFORE_ON[every])
    return StartSpec(every, on[0], on[1], period or "previous",
                     deadline[0] if deadline else None, deadline[1] if deadline else None)


def _actors(c: Checker, node: Node) -> dict[str, tuple[Node, ActorSpec, Node | None]]:
    """Actor slug -> (its key node, spec, reports_to value node)."""
    if node.kind != "map":
        c.error(node, Text("`actors` must be a mapping of actor slugs to their `title`, not "
                           "{found}", found=node.describe()))
        return {}
    if not node.pairs:
        c.error(node, Text("`actors` needs at least one actor ({example})",
                           example="`camat: {title: Camat}`"))
    actors: dict[str, tuple[Node, ActorSpec, Node | None]] = {}
    for key, value in node.pairs:
        slug = c.slug("actor", key)
        if slug is None:
            continue
        if slug in actors:
            c.error(key, Text("duplicate actor `{actor}` (first at line {line})", actor=slug,
                              line=actors[slug][0].line + 1))
            continue
        found = c.mapping(value, fmt.ACTOR, Text("actor `{actor}`", actor=slug))
        title = c.text("title", found["title"][1], required=True) if "title" in found else None
        reports_node = found["reports_to"][1] if "reports_to" in found else None
        reports = c.slug("reports_to", reports_node) \
            if reports_node is not None and not reports_node.is_null else None
        external = c.boolean("external", found["external"][1]) if "external" in found else False
        actors[slug] = (key, ActorSpec(slug, title or slug, reports, external), reports_node)
    return actors


def _activities(c: Checker, node: Node, actor_slugs: list[str]) -> list[tuple[Node, dict[str, Any],
                                                                          dict[str, Node]]]:
    """Each activity's item node, its values and the nodes of its keys and values."""
    if node.kind != "seq":
        c.error(node, Text("`activities` must be a list of activities (`- id: ...`), not "
                           "{found}", found=node.describe()))
        return []
    if not node.items:
        c.error(node, Text("`activities` needs at least one activity"))
    result = []
    for number, item in enumerate(node.items, start=1):
        found = c.mapping(item, fmt.ACTIVITY, Text("activity {number}", number=number))
        values = _section_values(c, fmt.ACTIVITY, found, {
            "id": c.slug, "name": lambda n, v: c.text(n, v, required=True),
            "requirements": c.texts, "duration": c.duration, "output": c.text,
            "note": c.text, "decision": c.text,
            "complete": lambda n, v: c.choice(n, v, fmt.COMPLETE), "optional": c.boolean,
            "recorded_by": c.slug,
        })
        if "actor" in found:
            values["actor"] = _actor_refs(c, found["actor"][1], actor_slugs)
        if "reminders" in found:
            values["reminders"] = _reminders(c, found["reminders"][1])
        nodes = {f"key:{k}": kn for k, (kn, _v) in found.items()}
        nodes.update({k: v for k, (_k, v) in found.items()})
        result.append((item, values, nodes))
    return result


def _actor_refs(c: Checker, node: Node, actor_slugs: list[str]) -> tuple[str, ...]:
    items = node.items if node.kind == "seq" else [node]
    if node.kind == "map":
        c.error(node, Text("`actor` must be an actor slug or a list of them, not a mapping"))
        return ()
    if not items:
        c.error(node, Text("`actor` needs at least one actor"))
    refs: list[str] = []
    for item in items:
        slug = c.text("actor", item, required=True)
        if slug is None:
            continue
        if slug in refs:
            c.error(item, Text("actor `{actor}` is listed twice", actor=slug))
        elif actor_slugs and slug not in actor_slugs:
            c.error(item, Text("unknown actor `{actor}`{hint} ({actors})", actor=slug,
                               hint=did_you_mean(suggest(slug, actor_slugs)),
                               actors=known_actors(actor_slugs)))
        refs.append(slug)
    return tuple(refs)


def _check_complete(c: Checker, rows: list[tuple[Node, dict[str, Any], dict[str, Node]]],
                    outcomes: list[Exits | None], actors: dict[str, ActorSpec]) -> None:
    """`complete:` fits the step: several actors for first/any, one person for a decision."""
    for (_item, values, nodes), exits in zip(rows, outcomes, strict=True):
        how = values.get("complete")
        refs = values.get("actor") or ()
        if how is None or not refs:
            continue
        where = nodes["complete"]
        decision = exits is not None and not exits.split and len(exits.outcomes) > 1
        if how == EACH and decision:
            c.error(where, Text("`complete: each` on a decision: a decision is taken by one "
                                "person (use `first` or `any`, or make the decision a step of "
                                "its own)"))
        elif how != EACH and len(refs) == 1:
            c.error(where, Text("`complete: {how}` needs several actors in `actor`; with one "
                                "actor only `each` has a meaning (one task per person holding "
                                "the role; {accepted})", how=how,
                                accepted=accepted(fmt.COMPLETE)))
        elif how == EACH and len(refs) == 1 and refs[0] in actors and actors[refs[0]].external:
            c.error(where, Text("`complete: each` over `{actor}`, an external actor: nobody in "
                                "the roster holds it, so there is no person to give a task to",
                                actor=refs[0]))


def _check_dates(c: Checker, found: dict[str, tuple[Node, Node]]) -> SopDates:
    created, revised, effective = (
        c.date(name, found[name][1]) if name in found else None
        for name in ("created", "revised", "effective"))
    if created is not None:
        for name, value in (("effective", effective), ("revised", revised)):
            if value is not None and value < created:
                c.error(found[name][1], Text("`{name}` ({value}) is before `created` "
                                             "({created})", name=name, value=str(value),
                                             created=str(created)))
    return SopDates(created, revised, effective)


def parse_sop(tree: Node, c: Checker, folders: Sequence[Path] = ()) -> SopSpec | None:
    """Check a whole SOP tree; return the spec when nothing is wrong. ``folders`` are where
    files it names (the logo) are looked for; without them those files are not checked."""
    if tree.kind != "map":
        c.error(tree, Text("an SOP file must be a mapping of keys (`format: 1`, `id: ...`, "
                           "`activities: ...`), not {found}", found=tree.describe()))
        return None
    top = c.mapping(tree, fmt.TOP)
    if "format" in top:
        node = top["format"][1]
        if not (node.kind == "scalar" and node.plain and node.text in {str(f) for f in
                                                                        fmt.FORMATS}):
            readable = ", ".join(str(f) for f in fmt.FORMATS)
            c.error(node, Text("unknown format {found}; this version of Alur reads format "
                               "{formats} (write `format: 1`)", found=node.describe(),
                               formats=readable))
    values = _section_values(c, fmt.TOP, top, {
        "id": c.slug, "title": lambda n, v: c.text(n, v, required=True), "number": c.text,
        "kind": lambda n, v: c.choice(n, v, fmt.KINDS), "legal_basis": c.texts,
        "related": c.texts, "warning": c.text, "qualifications": c.texts,
        "equipment": c.texts, "records": c.text,
    })
    organization = None
    if "organization" in top:
        org = c.mapping(top["organization"][1], fmt.ORGANIZATION)
        name = c.text("name", org["name"][1], required=True) if "name" in org else None
        parent = c.text("parent", org["parent"][1]) if "parent" in org else None
        address = c.text("address", org["address"][1]) if "address" in org else None
        logo = c.text("logo", org["logo"][1]) if "logo" in org else None
        if logo is not None:
            problem = logo_problem(logo, folders) if folders else name_problem(logo)
            if problem:
                c.error(org["logo"][1], problem)
        organization = Organization(name, parent, address, logo) if name else None
    dates = _check_dates(c, c.mapping(top["dates"][1], fmt.DATES)) \
        if "dates" in top and not top["dates"][1].is_null else SopDates()
    approver = None
    if "approved_by" in top and not top["approved_by"][1].is_null:
        found = c.mapping(top["approved_by"][1], fmt.APPROVED_BY)
        position = c.text("position", found["position"][1], required=True) \
            if "position" in found else None
        name = c.text("name", found["name"][1]) if "name" in found else None
        nip = c.text("nip", found["nip"][1]) if "nip" in found else None
        if nip is not None and not re.fullmatch(r"\d{18}", nip.replace(" ", "")):
            c.error(found["nip"][1], Text("`nip` must be a NIP of 18 digits (spaces allowed), "
                                          "not `{value}`", value=nip))
        approver = Approver(position, name, nip) if position else None
    start = _start(c, top["start"][1]) if "start" in top else None
    reminders = _reminders(c, top["reminders"][1]) if "reminders" in top else None
    actors = _actors(c, top["actors"][1]) if "actors" in top else {}
    activity_rows = _activities(c, top["activities"][1], list(actors)) \
        if "activities" in top else []
    outcomes = parse_outcomes(c, activity_rows)
    actor_specs = {k: a for k, (_n, a, _r) in actors.items()}
    _check_complete(c, activity_rows, outcomes, actor_specs)
    recorders = check_service_steps(c, activity_rows, outcomes, actor_specs)
    splits = check_flow(c, actors, activity_rows, outcomes)
    case = parse_case(c, top["case"][1]) if "case" in top else ()
    register = parse_register(c, top["register"][1], start is not None) \
        if "register" in top else None
    deadline = c.duration("deadline", top["deadline"][1]) if "deadline" in top else None
    if any(not p.warning for p in c.problems) or organization is None:
        return None
    activities = tuple(
        ActivitySpec(no=number, id=v["id"], name=v["name"], actors=v["actor"],
                     requirements=v.get("requirements", ()), duration=v.get("duration"),
                     output=v.get("output"), note=v.get("note"), decision=v.get("decision"),
                     outcomes=exits.outcomes, reminders=v.get("reminders"),
                     complete=v.get("complete") or FIRST, split=exits.split,
                     optional=bool(v.get("optional")), recorded_by=recorder)
        for number, ((_item, v, _nodes), exits, recorder) in enumerate(
            zip(activity_rows, outcomes, recorders, strict=True), start=1) if exits is not None)
    return SopSpec(
        id=values["id"], title=values["title"], organization=organization,
        actors=tuple(spec for _key, spec, _node in actors.values()), activities=activities,
        number=values.get("number"), kind=values.get("kind"), dates=dates, approved_by=approver,
        legal_basis=values.get("legal_basis", ()), related=values.get("related", ()),
        warning=values.get("warning"), qualifications=values.get("qualifications", ()),
        equipment=values.get("equipment", ()), records=values.get("records"), start=start,
        reminders=reminders, splits=splits, case=case, register=register, deadline=deadline)


def load_sop_text(data: str | bytes, file: str = "<sop>",
                  folders: Sequence[Path] = ()) -> LoadedSop:
    """Load SOP text or bytes; raise SopValidationError listing every problem. Files the
    SOP names (its logo) are checked when ``folders`` say where to look for them."""
    c = Checker(file)
    try:
        text = decode(data) if isinstance(data, bytes) else data
        tree = read_tree(text)
    except YamlReadError as exc:
        p = exc.problem
        raise SopValidationError([Problem(file, p.line + 1, p.col + 1, p.message)]) from None
    spec = parse_sop(tree, c, folders)
    problems = sorted(c.problems, key=lambda p: (p.line, p.column, p.warning))
    if spec is None:
        raise SopValidationError(problems)
    return LoadedSop(spec, file, text, content_hash(text), tuple(problems))


def load_sop_file(path: str | Path) -> LoadedSop:
    """Load one SOP file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SopValidationError([Problem(str(path), 1, 1, Text(
            "cannot read the file: {reason}", reason=os_reason(exc)))]) from None
    folder = path.absolute().parent
    return load_sop_text(data, str(path), (folder, folder.parent))
