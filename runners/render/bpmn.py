"""The SOP as BPMN 2.0 XML with a laid-out diagram (bpmn.io, Camunda Modeler, SpiffWorkflow).

Ids are derived from the SOP so a tool (or a test) can map back:
``Process_<sop id>``, ``Lane_<actor>``, ``Task_<activity id>``,
``Gateway_<activity id>`` (``-`` becomes ``_``), ``StartEvent_1``,
``EndEvent_<result>``, ``Flow_<n>``. Every activity is a ``userTask``; a
decision is its task followed by an ``exclusiveGateway`` named with the
question. The person completing a decision task sets the task data
``outcome`` to the chosen label, and each outgoing flow of the gateway has the
condition ``outcome == '<label>'`` (a Python expression, as SpiffWorkflow's
script engine evaluates it). The diagram is one pool with one horizontal lane
per actor, stacked top to bottom; nodes stand left to right in activity order.

Parallel work: a split's task is followed by a diverging ``parallelGateway``
``Fork_<activity id>`` with a flow to each branch's first task; the join's
task is preceded by a converging ``parallelGateway`` ``Join_<activity id>``,
which the flows from the branches' last steps enter (any other flow into the
join, a rework loop, goes to the task itself). A ``complete: each`` step is a
parallel multi-instance user task: with several actors its
``loopCardinality`` is their number (instance i is the i-th listed actor, as
its documentation says); with one actor it is one instance per person
holding the role, ``len(pemegang_<actor>)``, the list of those people that
whoever runs the process puts into the task data ``pemegang_<actor>``.
A ``complete: any`` step is one user task that any listed actor may complete.
Every task stands in the lane of its first actor. The names and documentation that are
ours (start, end, the gateways', the tasks' documentation) are in the language in use; ids,
conditions and task data names are not translated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from engine.spec import ANY, EACH, END, ActivitySpec, SopSpec
from runners.i18n import _
from runners.render.diagrams import START_LABEL, arrivals, end_label, end_results, outcome_result
from runners.render.labels import duration_text

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TARGET_NAMESPACE = "https://alur.example/sop"
for _prefix, _uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

OUTCOME_VARIABLE = "outcome"
SPACING = 150  # x distance between two consecutive nodes
LANE_HEIGHT = 140
POOL_X, POOL_Y, LABEL_BAND = 40, 40, 30
FIRST_X = POOL_X + 2 * LABEL_BAND + 30  # left edge of column 0
COLUMN_WIDTH = 100  # the widest shape (a task); gaps between columns stay free
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "userTask": (100, 80),
         "exclusiveGateway": (50, 50), "parallelGateway": (50, 50)}

Point = tuple[float, float]


def ncname(text: str) -> str:
    """An id part from a slug: ``-`` becomes ``_`` (a slug is otherwise NCName-safe)."""
    return text.replace("-", "_")


def task_id(activity_id: str) -> str:
    """The userTask id of an activity."""
    return f"Task_{ncname(activity_id)}"


def gateway_id(activity_id: str) -> str:
    """The exclusiveGateway id of a decision activity."""
    return f"Gateway_{ncname(activity_id)}"


def fork_id(activity_id: str) -> str:
    """The diverging parallelGateway after a split's task."""
    return f"Fork_{ncname(activity_id)}"


def join_id(activity_id: str) -> str:
    """The converging parallelGateway before a join's task."""
    return f"Join_{ncname(activity_id)}"


def holders(actor: str) -> str:
    """The task data naming the people who hold ``actor``'s role (``complete: each``)."""
    return f"pemegang_{ncname(actor)}"


def cardinality(activity: ActivitySpec) -> str | None:
    """The loopCardinality of a ``complete: each`` step's tasks (None for any other step)."""
    if activity.complete != EACH:
        return None
    return str(len(activity.actors)) if len(activity.actors) > 1 else (
        f"len({holders(activity.actor)})")


def end_event_id(result: str) -> str:
    """The endEvent id of a run result (results are lowercase words)."""
    return f"EndEvent_{result}"


def condition(label: str) -> str:
    """The Python condition of the flow for ``label`` (the task data ``outcome``)."""
    return f"{OUTCOME_VARIABLE} == {label!r}"


@dataclass(slots=True)
class _Node:
    id: str
    kind: str
    name: str
    lane: int
    column: int
    documentation: str | None = None
    loop: str | None = None  # a parallel multi-instance task's loopCardinality
    direction: str | None = None  # a parallel gateway's gatewayDirection
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None


class _Model:
    """The nodes and flows of the process, with the lane and column of each node."""

    def __init__(self, spec: SopSpec) -> None:
        self.spec = spec
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []
        lanes = {actor.slug: index for index, actor in enumerate(spec.actors)}
        first = spec.activities[0]
        self._add(_Node("StartEvent_1", "startEvent", _(START_LABEL), lanes[first.actor], 0))
        joins = {a.id: {b.id for b in arrivals(spec, a.id)} for a in spec.activities}
        for activity in spec.activities:
            lane = lanes[activity.actor]
            if joins[activity.id]:
                self._add(_Node(join_id(activity.id), "parallelGateway",
                                _("Wait for every branch"), lane, len(self.nodes),
                                direction="Converging"))
            self._add(_Node(task_id(activity.id), "userTask", activity.name, lane,
                            len(self.nodes), self._task_documentation(activity.id),
                            cardinality(activity)))
            if activity.split:
                self._add(_Node(fork_id(activity.id), "parallelGateway",
                                _("Branch out (in parallel)"), lane, len(self.nodes),
                                direction="Diverging"))
            if activity.is_decision:
                labels = ", ".join(o.label or "" for o in activity.outcomes)
                self._add(_Node(gateway_id(activity.id), "exclusiveGateway", activity.question,
                                lane, len(self.nodes),
                                _("Choices (task data `{variable}`): {labels}").format(
                                    variable=OUTCOME_VARIABLE, labels=labels)))
        end_lanes: dict[str, int] = {}
        for activity in spec.activities:
            for outcome in activity.outcomes:
                if outcome.target == END:
                    end_lanes.setdefault(outcome_result(outcome), lanes[activity.actor])
        for result in end_results(spec):
            self._add(_Node(end_event_id(result), "endEvent", end_label(result),
                            end_lanes[result], len(self.nodes)))
        self._connect("StartEvent_1", task_id(first.id))
        for activity in spec.activities:
            source = task_id(activity.id)
            if joins[activity.id]:
                self._connect(join_id(activity.id), source)
            for kind, gateway in ((activity.is_decision, gateway_id), (activity.split, fork_id)):
                if kind:
                    self._connect(source, gateway(activity.id))
                    source = gateway(activity.id)
            for outcome in activity.outcomes:
                target = (end_event_id(outcome_result(outcome)) if outcome.target == END
                          else join_id(outcome.target) if activity.id in joins[outcome.target]
                          else task_id(outcome.target))
                label = outcome.label if activity.is_decision else None
                self._connect(source, target, label, None if label is None else condition(label))

    def _add(self, node: _Node) -> None:
        self.nodes[node.id] = node

    def _connect(self, source: str, target: str, name: str | None = None,
                 expression: str | None = None) -> None:
        flow = _Flow(f"Flow_{len(self.flows) + 1}", source, target, name, expression)
        self.flows.append(flow)
        self.nodes[source].outgoing.append(flow.id)
        self.nodes[target].incoming.append(flow.id)

    def _task_documentation(self, activity_id: str) -> str:
        activity = self.spec.activity(activity_id)
        titles = [self.spec.actor(slug).title for slug in activity.actors]
        if activity.complete == EACH and len(titles) > 1:
            parts = [_("Actors, each of them (instance 1, 2, ...): {actors}").format(
                actors=", ".join(titles))]
        elif activity.complete == EACH:
            parts = [_("Actor: each {actor} (one instance per person in the task data "
                       "`{holders}`)").format(actor=titles[0], holders=holders(activity.actor))]
        elif activity.complete == ANY:
            parts = [_("Actors, any one of them: {actors}").format(actors=", ".join(titles))]
        else:
            parts = [_("Actor: {actor}").format(actor=titles[0])] + (
                [_("attending: {actors}").format(actors=", ".join(titles[1:]))]
                if len(titles) > 1 else [])
        if activity.requirements:
            parts.append(_("Requirements: {requirements}").format(
                requirements=", ".join(activity.requirements)))
        if activity.duration is not None:
            parts.append(_("Time: {duration}").format(duration=duration_text(activity.duration)))
        if activity.output:
            parts.append(_("Output: {output}").format(output=activity.output))
        if activity.note:
            parts.append(_("Remarks: {note}").format(note=activity.note))
        return "; ".join(parts)


class _Layout:
    """Bounds of the pool, lanes and nodes, and the waypoints of every flow."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        columns = len(model.nodes)
        self.width = 2 * LABEL_BAND + 30 + columns * SPACING
        self.height = len(model.spec.actors) * LANE_HEIGHT
        self.occupied = {(n.lane, n.column) for n in model.nodes.values()}

    def lane_bounds(self, lane: int) -> tuple[float, float, float, float]:
        """x, y, width, height of a lane (inside the pool, after its label band)."""
        return (POOL_X + LABEL_BAND, POOL_Y + lane * LANE_HEIGHT, self.width - LABEL_BAND,
                LANE_HEIGHT)

    def bounds(self, node: _Node) -> tuple[float, float, float, float]:
        """x, y, width, height of a node: its column, centred in its lane."""
        width, height = SIZES[node.kind]
        x = FIRST_X + node.column * SPACING + (COLUMN_WIDTH - width) / 2
        y = POOL_Y + node.lane * LANE_HEIGHT + (LANE_HEIGHT - height) / 2
        return x, y, width, height

    def _free(self, lane: int, first: int, last: int) -> bool:
        return all((lane, column) not in self.occupied for column in range(first, last + 1))

    def waypoints(self, flow: _Flow, index: int) -> list[Point]:
        """An orthogonal route from source to target through the free gaps and lane edges.

        Each column holds one node, so a vertical line through a node's own
        column or through the gap beside it crosses nothing; horizontal runs
        go along the node's lane centre when it is free, else along a lane's
        empty top or bottom strip.
        """
        source, target = self.model.nodes[flow.source], self.model.nodes[flow.target]
        sx, sy, sw, sh = self.bounds(source)
        tx, ty, tw, th = self.bounds(target)
        s_centre, t_mid = sx + sw / 2, ty + th / 2
        offset = 8 + 6 * (index % 3)
        if target.column <= source.column:  # a loop back: along the lower lane's bottom strip
            strip = self._lane_bottom(max(source.lane, target.lane)) - offset
            dock = tx + tw / 2 - (20 if target.kind == "userTask" else 0)  # off the centre,
            # where a forward flow may leave the same task downwards
            return [(s_centre, sy + sh), (s_centre, strip), (dock, strip), (dock, ty + th)]
        gap = (SPACING - COLUMN_WIDTH) / 2
        before_target = FIRST_X + target.column * SPACING - gap
        end = (tx, t_mid)
        clear = self._free(target.lane, source.column + 1, target.column - 1)
        if source.lane == target.lane:
            if clear:
                return [(sx + sw, sy + sh / 2), end]
            strip = self._lane_bottom(source.lane) - offset
            return [(s_centre, sy + sh), (s_centre, strip), (before_target, strip),
                    (before_target, t_mid), end]
        down = target.lane > source.lane
        exit_point = (s_centre, sy + sh) if down else (s_centre, sy)
        if clear:
            return [exit_point, (s_centre, t_mid), end]
        strip = (POOL_Y + target.lane * LANE_HEIGHT + offset if down
                 else self._lane_bottom(target.lane) - offset)
        return [exit_point, (s_centre, strip), (before_target, strip), (before_target, t_mid),
                end]

    @staticmethod
    def _lane_bottom(lane: int) -> float:
        return POOL_Y + (lane + 1) * LANE_HEIGHT


def _sub(parent: ET.Element, ns: str, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)


def _num(value: float) -> str:
    return f"{value:g}"


def _bounds(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    _sub(parent, DC, "Bounds", x=_num(x), y=_num(y), width=_num(width), height=_num(height))


def _process(definitions: ET.Element, model: _Model, process_id: str) -> None:
    spec = model.spec
    process = _sub(definitions, BPMN, "process", id=process_id, name=spec.title,
                   isExecutable="true")
    _sub(process, BPMN, "documentation").text = _(
        "Made from the SOP `{sop}`. At a decision step, the person completing the task sets "
        "the task data `{variable}` to the label chosen; the flows out of the gateway use "
        "Python conditions such as {condition}.").format(
            sop=spec.id, variable=OUTCOME_VARIABLE, condition=condition(_("Yes")))
    lane_set = _sub(process, BPMN, "laneSet", id="LaneSet_1")
    for index, actor in enumerate(spec.actors):
        lane = _sub(lane_set, BPMN, "lane", id=f"Lane_{ncname(actor.slug)}", name=actor.title)
        if actor.external:
            _sub(lane, BPMN, "documentation").text = _("A party outside the work unit "
                                                       "(external)")
        for node in model.nodes.values():
            if node.lane == index:
                _sub(lane, BPMN, "flowNodeRef").text = node.id
    for node in model.nodes.values():
        element = _sub(process, BPMN, node.kind, id=node.id, name=node.name)
        if node.direction:
            element.set("gatewayDirection", node.direction)
        if node.documentation:
            _sub(element, BPMN, "documentation").text = node.documentation
        for flow_id in node.incoming:
            _sub(element, BPMN, "incoming").text = flow_id
        for flow_id in node.outgoing:
            _sub(element, BPMN, "outgoing").text = flow_id
        if node.loop:
            loop = _sub(element, BPMN, "multiInstanceLoopCharacteristics", isSequential="false")
            count = _sub(loop, BPMN, "loopCardinality")
            count.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            count.text = node.loop
    for flow in model.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.name is not None:
            attrs["name"] = flow.name
        element = _sub(process, BPMN, "sequenceFlow", **attrs)
        if flow.condition is not None:
            expression = _sub(element, BPMN, "conditionExpression")
            expression.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            expression.text = flow.condition


def _diagram(definitions: ET.Element, model: _Model, layout: _Layout) -> None:
    diagram = _sub(definitions, BPMNDI, "BPMNDiagram", id="BPMNDiagram_1")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id="BPMNPlane_1",
                 bpmnElement="Collaboration_1")
    pool = _sub(plane, BPMNDI, "BPMNShape", id="Participant_1_di",
                bpmnElement="Participant_1", isHorizontal="true")
    _bounds(pool, POOL_X, POOL_Y, layout.width, layout.height)
    for index, actor in enumerate(model.spec.actors):
        lane_id = f"Lane_{ncname(actor.slug)}"
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{lane_id}_di", bpmnElement=lane_id,
                     isHorizontal="true")
        _bounds(shape, *layout.lane_bounds(index))
    for node in model.nodes.values():
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{node.id}_di", bpmnElement=node.id)
        x, y, width, height = layout.bounds(node)
        _bounds(shape, x, y, width, height)
        if node.kind != "userTask":  # events and gateways carry their name below
            _bounds(_sub(shape, BPMNDI, "BPMNLabel"), x + width / 2 - 60, y + height + 4,
                    120, 28)
    labels_at: dict[tuple[str, str], int] = {}  # labels already placed at a node's side
    for index, flow in enumerate(model.flows):
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        points = layout.waypoints(flow, index)
        for px, py in points:
            _sub(edge, DI, "waypoint", x=_num(px), y=_num(py))
        if flow.name is not None:
            (x0, y0), (_x1, y1) = points[0], points[1]
            side = (flow.source, "down" if y1 > y0 else "up" if y1 < y0 else "right")
            stacked = labels_at.get(side, 0)
            labels_at[side] = stacked + 1
            y = y0 + 4 + 16 * stacked if side[1] == "down" else y0 - 20 - 16 * stacked
            _bounds(_sub(edge, BPMNDI, "BPMNLabel"), x0 + 6, y, max(30, 7 * len(flow.name)), 14)


def render_bpmn(spec: SopSpec) -> str:
    """The SOP as a BPMN 2.0 document with its diagram (BPMNDI), as UTF-8 XML text."""
    model = _Model(spec)
    process_id = f"Process_{ncname(spec.id)}"
    definitions = ET.Element(f"{{{BPMN}}}definitions", {
        "id": f"Definitions_{ncname(spec.id)}", "targetNamespace": TARGET_NAMESPACE,
        "exporter": "Alur", "exporterVersion": "1"})
    collaboration = _sub(definitions, BPMN, "collaboration", id="Collaboration_1")
    _sub(collaboration, BPMN, "participant", id="Participant_1",
         name=f"{spec.title} ({spec.organization.name})", processRef=process_id)
    _process(definitions, model, process_id)
    _diagram(definitions, model, _Layout(model))
    ET.indent(definitions, space="  ")
    body = ET.tostring(definitions, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
