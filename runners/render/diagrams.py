"""The SOP's flow as Mermaid and Graphviz dot text: one lane (subgraph) per actor.

Both use the same node ids: ``mulai`` for the start, ``s<no>`` for activity
number ``no`` and ``e<k>`` for the k-th end result (in the order the
activities first reach it). A decision is one diamond holding the activity's
name and its question; its ways out are edges labelled with the outcome
labels. An actor that neither is responsible for a step nor acts in one (only
attends) gets no lane. The start and end terminators (kapsul) stand outside
the lanes.

Parallel work: a step that several actors do (``complete: each`` or ``any``)
has one node per acting actor, ``s<no>`` in the first actor's lane and
``s<no>_<k>`` for its k-th actor; the flow enters and leaves ``s<no>``, as on
the paper document, and invisible links keep the others at its rank. Their
labels end with ``(masing-masing)`` or ``(salah satu)`` (``(each)``, ``(any one)`` in
English), and ``any`` nodes are
dashed. dot also ties them to ``s<no>`` by an undirected dashed edge that
does not rank (Mermaid ranks every visible link, so it has none). A split's
node leads to a fork bar ``f<no>`` whose edges go to the branches; the
branches' last steps lead to a join bar ``j<no>`` (number of the join
activity) that leads into the join.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from engine.spec import ANY, DEFAULT_RESULT, EACH, END, ActivitySpec, Outcome, SopSpec
from runners.i18n import N_, _

START_ID = "mulai"
START_LABEL = N_("Start")  # said where it is shown: Mulai
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
    """The terminator's text: ``Selesai`` or ``Selesai (ditolak)`` (``End``, ``End (ditolak)``
    in English: the result is the author's word)."""
    return _("End") if result == DEFAULT_RESULT else _("End ({result})").format(result=result)


def outcome_result(outcome: Outcome) -> str:
    """The run result of an outcome that ends the run."""
    return outcome.result or DEFAULT_RESULT


def step_label(activity: ActivitySpec) -> str:
    """The text in a step's box: number and name, and the question of a decision."""
    label = f"{activity.no}. {activity.name}"
    if activity.is_decision and activity.question != activity.name:
        label += f"\n{activity.question}"
    return label


def _numbers(numbers: list[int]) -> str:
    """``2``, ``2 dan 4``, ``2, 4 dan 6`` (``2 and 4``, ``2, 4 and 6``)."""
    words = [str(n) for n in sorted(numbers)]
    return words[0] if len(words) == 1 else _("{items} and {last}").format(
        items=", ".join(words[:-1]), last=words[-1])


def arrivals(spec: SopSpec, activity_id: str) -> list[ActivitySpec]:
    """The steps whose flow arrives at ``activity_id`` as the join of a split (its branches'
    last steps), in row order; empty when it joins nothing."""
    regions = [s.region for s in spec.splits if s.join == activity_id]
    return [a for a in spec.activities if any(a.id in r for r in regions)
            and any(o.target == activity_id for o in a.outcomes)]


def parallel_notes(spec: SopSpec, activity: ActivitySpec) -> list[str]:
    """What the Keterangan says of parallel work: who completes a step of several actors,
    where a split leads (``bercabang ke 2, 3 (paralel)``), what a join waits for."""
    notes = []
    if activity.complete == EACH:
        notes.append(_("done by each of the actors") if len(activity.actors) > 1 else
                     _("done by each {actor}").format(actor=spec.actor(activity.actor).title))
    elif activity.complete == ANY:
        notes.append(_("any one of the actors is enough"))
    if activity.split:
        numbers = [spec.activity(b).no for b in activity.branches]
        notes.append(_("branches to {steps} (in parallel)").format(
            steps=", ".join(map(str, numbers))))
    if joined := arrivals(spec, activity.id):
        notes.append(_("waits for {steps}").format(steps=_numbers([a.no for a in joined])))
    return notes


@dataclass(frozen=True, slots=True)
class _Node:
    id: str
    label: str
    shape: str  # process | decision | fork | join
    dashed: bool = False  # a step any of its actors may complete


@dataclass(frozen=True, slots=True)
class _Edge:
    source: str
    target: str
    label: str | None = None
    kind: str = "flow"  # flow | loop (back to an earlier step) | link (undirected, dotted)
    # | rank (invisible: an acting actor's node stands where the step's own node stands)


def _marker(spec: SopSpec, activity: ActivitySpec) -> str:
    if activity.complete == EACH:
        return "\n" + (_("(each)") if len(activity.actors) > 1 else _("(each {actor})").format(
            actor=spec.actor(activity.actor).title))
    return "\n" + _("(any one)") if activity.complete == ANY else ""


def _graph(spec: SopSpec) -> tuple[list[tuple[int, str, list[_Node]]], list[_Edge]]:
    """The lanes (number, actor title, nodes) of the actors with a node, and the edges."""
    ids = {a.id: f"s{a.no}" for a in spec.activities}
    ids.update({f"{END}:{r}": f"e{k}" for k, r in enumerate(end_results(spec), start=1)})
    nodes: dict[str, list[_Node]] = {a.slug: [] for a in spec.actors}
    edges = [_Edge(START_ID, ids[spec.activities[0].id])]
    joins = {a.id: {b.id for b in arrivals(spec, a.id)} for a in spec.activities}
    for a in spec.activities:
        label, shape = step_label(a) + _marker(spec, a), "decision" if a.is_decision else "process"
        if joins[a.id]:
            nodes[a.actor].append(_Node(f"j{a.no}", "", "join"))
            edges.append(_Edge(f"j{a.no}", ids[a.id]))
        for k, slug in enumerate(a.acting, start=1):
            suffix = "" if k == 1 else f"_{k}"
            nodes[slug].append(_Node(ids[a.id] + suffix, label, shape, a.complete == ANY))
            if suffix:
                edges.append(_Edge(ids[a.id], ids[a.id] + suffix, kind="link"))
        source = ids[a.id]
        if a.split:
            nodes[a.actor].append(_Node(f"f{a.no}", "", "fork"))
            edges.append(_Edge(source, f"f{a.no}"))
            source = f"f{a.no}"
        for o in a.outcomes:
            if o.target != END and a.id in joins[o.target]:
                edges.append(_Edge(source, f"j{spec.activity(o.target).no}", o.label))
                continue
            back = o.target != END and spec.activity(o.target).no <= a.no
            edges.append(_Edge(source, _target_id(ids, o), o.label, "loop" if back else "flow"))
    lanes = [(n, actor.title, nodes[actor.slug]) for n, actor in enumerate(spec.actors, start=1)
             if nodes[actor.slug]]
    flows = [e for e in edges if e.kind == "flow"]
    for link in [e for e in edges if e.kind == "link"]:
        edges += [_Edge(e.source, link.target, kind="rank") for e in flows
                  if e.target == link.source]
        edges += [_Edge(link.target, e.target, kind="rank") for e in flows
                  if e.source == link.source]
    return lanes, edges


def _target_id(ids: dict[str, str], outcome: Outcome) -> str:
    key = f"{END}:{outcome_result(outcome)}" if outcome.target == END else outcome.target
    return ids[key]


def _wrapped(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, _WRAP, break_long_words=False) or [""])
    return lines


# Mermaid -------------------------------------------------------------------

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
_MERMAID_SHAPES = {"process": '["{}"]', "decision": '{{"{}"}}', "fork": "@{{ shape: fork }}",
                   "join": "@{{ shape: join }}"}


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes; lines joined with <br>)."""
    escaped = "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text.replace("\r", ""))
    return "<br>".join(" ".join(line.split()) for line in escaped.split("\n"))


def render_mermaid(spec: SopSpec) -> str:
    """The SOP as a Mermaid ``flowchart TD`` with one subgraph per actor."""
    lanes, edges = _graph(spec)
    lines = ["flowchart TD", f"    %% SOP {spec.id}",  # a slug: nothing for Mermaid to read
             f'    {START_ID}(["{mermaid_text(_(START_LABEL))}"])']
    for number, title, nodes in lanes:
        lines.append(f'    subgraph lane{number}["{mermaid_text(title)}"]')
        lines += [f"        {node.id}{_MERMAID_SHAPES[node.shape]}".format(
            mermaid_text(node.label)) for node in nodes]
        lines.append("    end")
    for k, result in enumerate(end_results(spec), start=1):
        lines.append(f'    e{k}(["{mermaid_text(end_label(result))}"])')
    for edge in (e for e in edges if e.kind != "link"):
        arrow = "~~~" if edge.kind == "rank" else (
            "-->" if edge.label is None else f'-->|"{mermaid_text(edge.label)}"|')
        lines.append(f"    {edge.source} {arrow} {edge.target}")
    dashed = [node.id for _, _, nodes in lanes for node in nodes if node.dashed]
    if dashed:
        lines += ["    classDef salahsatu stroke-dasharray: 5 4",
                  f"    class {','.join(dashed)} salahsatu"]
    return "\n".join(lines) + "\n"


# Graphviz dot --------------------------------------------------------------

_DOT_BAR = ('shape=box, style=filled, fillcolor=black, label="", height=0.06, width=1.4, '
            "fixedsize=true")


def dot_quote(text: str) -> str:
    """A double-quoted dot string; newlines become centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + escaped.replace("\n", "\\n") + '"'


def _dot_label(text: str) -> str:
    return dot_quote("\n".join(_wrapped(text)))


def _dot_node(node: _Node) -> str:
    if node.shape in ("fork", "join"):
        return f'"{node.id}" [{_DOT_BAR}];'
    style = ", style=dashed" if node.dashed else ""
    shape = "diamond" if node.shape == "decision" else "box"
    return f'"{node.id}" [label={_dot_label(node.label)}, shape={shape}{style}];'


def render_dot(spec: SopSpec) -> str:
    """The SOP as a Graphviz digraph with one cluster per actor."""
    lanes, edges = _graph(spec)
    lines = [
        f"digraph {dot_quote(spec.id)} {{",
        f'    graph [charset="UTF-8", rankdir=TB, labelloc=t, '
        f"label={dot_quote(spec.title)}, fontsize=16];",
        '    node [fontsize=10, margin="0.15,0.08"];',
        "    edge [fontsize=9];",
        f'    "{START_ID}" [label={dot_quote(_(START_LABEL))}, shape=ellipse, style=bold];',
    ]
    for number, title, nodes in lanes:
        lines.append(f"    subgraph cluster_{number} {{")
        lines.append(f'        label={dot_quote(title)}; style="rounded,dashed";')
        lines += [f"        {_dot_node(node)}" for node in nodes]
        lines.append("    }")
    for k, result in enumerate(end_results(spec), start=1):
        lines.append(f'    "e{k}" [label={dot_quote(end_label(result))}, shape=ellipse, '
                     "style=bold];")
    for edge in edges:
        attrs = [] if edge.label is None else [f"label={dot_quote(edge.label)}"]
        if edge.kind == "loop":
            attrs.append("constraint=false")  # rework loops do not push ranks back
        elif edge.kind == "link":  # the other actors of a step, beside its node
            attrs += ["dir=none", "style=dashed", "constraint=false"]
        elif edge.kind == "rank":
            attrs.append("style=invis")
        attr_text = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f'    "{edge.source}" -> "{edge.target}"{attr_text};')
    lines.append("}")
    return "\n".join(lines) + "\n"
