"""The SOP's flow as Mermaid and Graphviz dot text: one lane (subgraph) per actor.

Both use the same node ids: ``mulai`` for the start, ``s<no>`` for activity
number ``no`` and ``e<k>`` for the k-th end result (in the order the
activities first reach it). A decision is one diamond holding the activity's
name and its question; its ways out are edges labelled with the outcome
labels. An actor that is responsible for no step (only attends) gets no lane.
The start and end terminators (kapsul) stand outside the lanes.
"""

from __future__ import annotations

import textwrap

from engine.spec import DEFAULT_RESULT, END, ActivitySpec, Outcome, SopSpec

START_ID = "mulai"
START_LABEL = "Mulai"
_WRAP = 28


def end_results(spec: SopSpec) -> tuple[str, ...]:
    """The results a run of ``spec`` can end with, in the order activities reach them."""
    found: dict[str, None] = {}
    for activity in spec.activities:
        for outcome in activity.outcomes:
            if outcome.target == END:
                found.setdefault(outcome.result or DEFAULT_RESULT)
    return tuple(found)


def end_label(result: str) -> str:
    """The terminator's text: ``Selesai`` or ``Selesai (ditolak)``."""
    return "Selesai" if result == DEFAULT_RESULT else f"Selesai ({result})"


def outcome_result(outcome: Outcome) -> str:
    """The run result of an outcome that ends the run."""
    return outcome.result or DEFAULT_RESULT


def step_label(activity: ActivitySpec) -> str:
    """The text in a step's box: number and name, and the question of a decision."""
    label = f"{activity.no}. {activity.name}"
    if activity.is_decision and activity.question != activity.name:
        label += f"\n{activity.question}"
    return label


def _node_ids(spec: SopSpec) -> dict[str, str]:
    """Node id of every activity id and of ``end:<result>``."""
    ids = {a.id: f"s{a.no}" for a in spec.activities}
    ids.update({f"{END}:{r}": f"e{k}" for k, r in enumerate(end_results(spec), start=1)})
    return ids


def _target_id(ids: dict[str, str], outcome: Outcome) -> str:
    key = f"{END}:{outcome_result(outcome)}" if outcome.target == END else outcome.target
    return ids[key]


def _lanes(spec: SopSpec) -> list[tuple[int, str, list[ActivitySpec]]]:
    """(lane number, actor title, steps) for each actor responsible for a step."""
    lanes = []
    for number, actor in enumerate(spec.actors, start=1):
        steps = [a for a in spec.activities if a.actor == actor.slug]
        if steps:
            lanes.append((number, actor.title, steps))
    return lanes


def _wrapped(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, _WRAP, break_long_words=False) or [""])
    return lines


# Mermaid -------------------------------------------------------------------

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes; lines joined with <br>)."""
    escaped = "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text.replace("\r", ""))
    return "<br>".join(" ".join(line.split()) for line in escaped.split("\n"))


def render_mermaid(spec: SopSpec) -> str:
    """The SOP as a Mermaid ``flowchart TD`` with one subgraph per actor."""
    ids = _node_ids(spec)
    lines = ["flowchart TD", f"    %% SOP {spec.id}",  # a slug: nothing for Mermaid to read
             f'    {START_ID}(["{START_LABEL}"])']
    for number, title, steps in _lanes(spec):
        lines.append(f'    subgraph lane{number}["{mermaid_text(title)}"]')
        for activity in steps:
            label = mermaid_text(step_label(activity))
            shape = f'{{"{label}"}}' if activity.is_decision else f'["{label}"]'
            lines.append(f"        {ids[activity.id]}{shape}")
        lines.append("    end")
    for k, result in enumerate(end_results(spec), start=1):
        lines.append(f'    e{k}(["{mermaid_text(end_label(result))}"])')
    lines.append(f"    {START_ID} --> {ids[spec.activities[0].id]}")
    for activity in spec.activities:
        for outcome in activity.outcomes:
            arrow = "-->" if outcome.label is None else f'-->|"{mermaid_text(outcome.label)}"|'
            lines.append(f"    {ids[activity.id]} {arrow} {_target_id(ids, outcome)}")
    return "\n".join(lines) + "\n"


# Graphviz dot --------------------------------------------------------------


def dot_quote(text: str) -> str:
    """A double-quoted dot string; newlines become centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + escaped.replace("\n", "\\n") + '"'


def _dot_label(text: str) -> str:
    return dot_quote("\n".join(_wrapped(text)))


def render_dot(spec: SopSpec) -> str:
    """The SOP as a Graphviz digraph with one cluster per actor."""
    ids = _node_ids(spec)
    lines = [
        f"digraph {dot_quote(spec.id)} {{",
        f'    graph [charset="UTF-8", rankdir=TB, labelloc=t, '
        f"label={dot_quote(spec.title)}, fontsize=16];",
        '    node [fontsize=10, margin="0.15,0.08"];',
        "    edge [fontsize=9];",
        f'    "{START_ID}" [label="{START_LABEL}", shape=ellipse, style=bold];',
    ]
    for number, title, steps in _lanes(spec):
        lines.append(f"    subgraph cluster_{number} {{")
        lines.append(f'        label={dot_quote(title)}; style="rounded,dashed";')
        for activity in steps:
            shape = "diamond" if activity.is_decision else "box"
            lines.append(f'        "{ids[activity.id]}" [label={_dot_label(step_label(activity))}, '
                         f"shape={shape}];")
        lines.append("    }")
    for k, result in enumerate(end_results(spec), start=1):
        lines.append(f'    "e{k}" [label={dot_quote(end_label(result))}, shape=ellipse, '
                     "style=bold];")
    lines.append(f'    "{START_ID}" -> "{ids[spec.activities[0].id]}";')
    for activity in spec.activities:
        for outcome in activity.outcomes:
            attrs = [] if outcome.label is None else [f"label={dot_quote(outcome.label)}"]
            if outcome.target != END and spec.activity(outcome.target).no <= activity.no:
                attrs.append("constraint=false")  # rework loops do not push ranks back
            attr_text = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f'    "{ids[activity.id]}" -> "{_target_id(ids, outcome)}"{attr_text};')
    lines.append("}")
    return "\n".join(lines) + "\n"
