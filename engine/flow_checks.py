"""The flow rules of an SOP: targets, decisions, reachability and the reports_to chain."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import did_you_mean
from engine.flow_graph import reach, reverse
from engine.spec import DEFAULT_RESULT, END, ActorSpec, Outcome, SplitSpec
from engine.text import Text

if TYPE_CHECKING:
    from engine.checker import Checker
    from engine.yaml_tree import Node

Row = tuple["Node", dict[str, Any], dict[str, "Node"]]
_RESULT = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")
TARGETS_ACCEPTED = Text("an activity id, `end` or `end:<result>`")
_TWO_OUTCOMES = "`next: {Ya: ..., Tidak: ...}`"  # an example, as written in a file


@dataclass(frozen=True, slots=True)
class Exits:
    """The ways out of one activity; ``split`` when they are parallel branches (a list)."""

    outcomes: tuple[Outcome, ...]
    split: bool = False


def _target(c: Checker, node: Node, ids: list[str], label: str | None) -> Outcome | None:
    """Read one target (``draft``, ``end``, ``end:ditolak``) of ``next``."""
    text = c.text("next", node, required=True)
    if text is None:
        return None
    if text == END:
        return Outcome(label, END, DEFAULT_RESULT)
    if text.startswith(f"{END}:"):
        result = text[len(END) + 1:].strip()
        if _RESULT.match(result):
            return Outcome(label, END, result)
        c.error(node, Text("`{target}`: the result after `end:` must be a word in lowercase "
                           "letters and digits (like `end:ditolak`)", target=text))
        return None
    if text in ids:
        return Outcome(label, text)
    from engine.checker import suggest

    c.error(node, Text("unknown target `{target}` in `next`{hint} ({accepted})", target=text,
                       hint=did_you_mean(suggest(text, [*ids, END])),
                       accepted=Text("accepted: {choices}", choices=TARGETS_ACCEPTED)))
    return None


def _branches(c: Checker, node: Node, key: Node, ids: list[str]) -> list[Outcome]:
    """The branches of a split (`next: [a, b]`): two or more different activity ids."""
    from engine.checker import suggest

    if len(node.items) < 2:
        c.error(key, Text("a split needs at least two branches in `next` (`next: [a, b]` "
                          "starts both at once); for a single target write `next: <activity "
                          "id>`"))
    seen: dict[str, Node] = {}
    branches: list[Outcome] = []
    for item in node.items:
        text = c.text("next", item, required=True)
        if text is None:
            continue
        if text == END or text.startswith(f"{END}:"):
            c.error(item, Text("`{target}` cannot be a branch of a split: a branch is an "
                               "activity that starts at once with the others (the run ends "
                               "after the branches meet)", target=text))
        elif text not in ids:
            c.error(item, Text("unknown branch `{branch}` in `next`{hint} (a branch is an "
                               "activity id)", branch=text,
                               hint=did_you_mean(suggest(text, ids))))
        elif text in seen:
            c.error(item, Text("branch `{branch}` is listed twice (first at line {line}); each "
                               "branch starts once", branch=text, line=seen[text].line + 1))
        else:
            seen[text] = item
            branches.append(Outcome(None, text))
    return branches


def parse_outcomes(c: Checker, rows: list[Row]) -> list[Exits | None]:
    """The ways out of each activity (None where `next` is wrong); problems go to ``c``."""
    ids = [values["id"] for _item, values, _nodes in rows if values.get("id")]
    result: list[Exits | None] = []
    for index, (_item, _values, nodes) in enumerate(rows):
        errors_before = len(c.problems)
        node = nodes.get("next")
        outcomes: list[Outcome] = []
        if node is None or node.is_null:
            following = rows[index + 1][1].get("id") if index + 1 < len(rows) else END
            if following:
                outcomes.append(Outcome(None, following,
                                        DEFAULT_RESULT if following == END else None))
        elif node.kind == "map":
            if len(node.pairs) < 2:
                c.error(nodes["key:next"], Text(
                    "a decision needs at least two outcomes in `next` ({example}); for a "
                    "single target write `next: <activity id>`", example=_TWO_OUTCOMES))
            seen: dict[str, Node] = {}
            for label_node, target_node in node.pairs:
                label = c.text(Text("outcome label"), label_node, required=True)
                if label is None:
                    continue
                first = seen.get(label.casefold())
                if first is not None:
                    c.error(label_node, Text("outcome `{label}` repeats `{first}` (line "
                                             "{line}); labels are matched ignoring case",
                                             label=label, first=first.text,
                                             line=first.line + 1))
                    continue
                seen[label.casefold()] = label_node
                outcome = _target(c, target_node, ids, label)
                if outcome is not None:
                    outcomes.append(outcome)
        elif node.kind == "seq":
            outcomes = _branches(c, node, nodes["key:next"], ids)
        else:
            outcome = _target(c, node, ids, None)
            if outcome is not None:
                outcomes.append(outcome)
        if "decision" in nodes and (node is None or node.kind != "map"):
            c.error(nodes["key:decision"], Text("`decision` needs `next` with two or more "
                                                "outcomes ({example})", example=_TWO_OUTCOMES))
        split = node is not None and node.kind == "seq"
        result.append(Exits(tuple(outcomes), split) if len(c.problems) == errors_before
                      else None)
    return result


def _check_ids(c: Checker, rows: list[Row]) -> None:
    first_at: dict[str, Node] = {}
    for _item, values, nodes in rows:
        activity_id = values.get("id")
        if not activity_id:
            continue
        if activity_id == END:
            c.error(nodes["id"], Text("activity id `end` is reserved (it means the end of the "
                                      "SOP); choose another id"))
        elif activity_id in first_at:
            c.error(nodes["id"], Text("duplicate activity id `{activity}` (first at line "
                                      "{line})", activity=activity_id,
                                      line=first_at[activity_id].line + 1))
        else:
            first_at[activity_id] = nodes["id"]


def _check_reachability(c: Checker, rows: list[Row], outcomes: list[Exits | None]) -> bool:
    """Every activity reachable, `end` reachable from every one; True when both hold."""
    if any(outs is None for outs in outcomes):
        return False  # a wrong `next` is reported itself; guessing the flow would mislead
    errors_before = len(c.problems)
    order: list[str] = []
    where: dict[str, Node] = {}
    edges: dict[str, set[str]] = {}
    for (item, values, _nodes), outs in zip(rows, outcomes, strict=True):
        activity_id = values.get("id")
        if not activity_id or activity_id in edges or activity_id == END:
            continue
        order.append(activity_id)
        where[activity_id] = item
        edges[activity_id] = {o.target for o in outs.outcomes} if outs else set()
    if not order:
        return False
    reachable = reach(order[0], edges)
    for activity_id in order:
        if activity_id not in reachable:
            c.error_at_item(where[activity_id], Text(
                "activity `{activity}` cannot be reached from the first activity `{first}`",
                activity=activity_id, first=order[0]))
    finishes = reach(END, reverse(edges))
    stuck = [a for a in order if a not in finishes]
    # Report each trap loop once, at its first member in file order: the stuck
    # activities from which no other stuck loop can be left.
    reported: set[str] = set()
    for activity_id in stuck:
        if activity_id in reported:
            continue
        loop = reach(activity_id, edges) - {END}
        members = [a for a in order if a in loop and activity_id in reach(a, edges)]
        if not members or any(a in reported for a in loop):
            continue
        if set(members) != loop:
            continue  # leads into another loop; that one is reported
        if len(members) == 1 and members[0] not in edges[members[0]]:
            continue
        reported.update(members)
        if len(members) == 1:
            c.error_at_item(where[members[0]], Text(
                "activity `{activity}` leads only back to itself, never to `end`",
                activity=members[0]))
        else:
            names = ", ".join(f"`{m}`" for m in members)
            c.error_at_item(where[members[0]], Text(
                "activities {activities} loop without a way to `end`", activities=names))
    return len(c.problems) == errors_before


def _check_reports_to(c: Checker, actors: dict[str, tuple[Node, ActorSpec, Node | None]]) -> None:
    slugs = list(actors)
    broken: set[str] = set()
    for slug, (_key, spec, node) in actors.items():
        target = spec.reports_to
        if target is None or node is None:
            continue
        if target == slug:
            c.error(node, Text("`reports_to` of `{actor}` names the actor itself; name its "
                               "superior", actor=slug))
            broken.add(slug)
        elif target not in actors:
            from engine.checker import known_actors, suggest

            c.error(node, Text("`reports_to` names unknown actor `{actor}`{hint} ({actors})",
                               actor=target,
                               hint=did_you_mean(suggest(target, [s for s in slugs if s != slug])),
                               actors=known_actors(slugs)))
            broken.add(slug)
        elif actors[target][1].external and not spec.external:
            c.error(node, Text("`reports_to` names `{actor}`, an external actor; escalation "
                               "goes to an actor of the unit", actor=target))
    reported: set[str] = set()
    for slug in slugs:
        visited: list[str] = []
        current: str | None = slug
        while current in actors and current not in broken and current not in visited:
            visited.append(current)
            current = actors[current][1].reports_to
        if current is None or current not in visited:
            continue
        loop = visited[visited.index(current):]
        if not reported.isdisjoint(loop):
            continue
        reported.update(loop)
        first = min(loop, key=slugs.index)
        turn = loop.index(first)
        path = " -> ".join([*loop[turn:], *loop[:turn], first])
        node = actors[first][2]
        if node is not None:
            c.error(node, Text("`reports_to` chain loops: {path}", path=path))


def check_flow(c: Checker, actors: dict[str, tuple[Node, ActorSpec, Node | None]],
               rows: list[Row], outcomes: list[Exits | None]) -> tuple[SplitSpec, ...]:
    """Check ids, reachability, splits, the reports_to chain; warn about unused actors and
    steps without a time. Returns the splits with their joins."""
    from engine.split_checks import check_splits

    errors_before = len(c.problems)
    _check_ids(c, rows)
    flows = _check_reachability(c, rows, outcomes) and len(c.problems) == errors_before
    splits = check_splits(c, rows, outcomes) if flows else ()
    _check_reports_to(c, actors)
    used = {a for _item, values, _nodes in rows for a in values.get("actor", ())}
    used |= {spec.reports_to for _key, spec, _node in actors.values() if spec.reports_to}
    for slug, (key, _spec, _node) in actors.items():
        if slug not in used:
            c.warn(key, Text("actor `{actor}` is not used by any activity or `reports_to`",
                             actor=slug))
    for item, values, nodes in rows:
        if "duration" not in nodes and values.get("id"):
            c.warn(item, Text("activity `{activity}` has no `duration`: it gets no due time "
                              "and no reminders", activity=values["id"]))
    return splits
