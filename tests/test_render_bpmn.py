"""BPMN 2.0 export: valid against the XSD SpiffWorkflow ships, laid out (BPMNDI), and run in
SpiffWorkflow, whose user tasks must be the activities Alur's own machine visits."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from itertools import pairwise
from typing import Any

import pytest

from engine.spec import EACH, END
from runners.i18n import language, use_language
from runners.render.bpmn import holders, render_bpmn
from tests.render_kit import HOLDERS, IDS, SPECS, alur_path, scripts

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "userTask", "exclusiveGateway", "parallelGateway", "endEvent")


def need_spiff() -> None:
    """Skip (with the reason) where SpiffWorkflow, which brings lxml, is not installed."""
    pytest.importorskip("SpiffWorkflow", reason="the BPMN checks need SpiffWorkflow>=3.2 "
                        "(and lxml, which it brings) from the test extra")


@cache
def bpmn_schema() -> Any:
    need_spiff()
    from lxml import etree
    from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH  # .../parser/schema/BPMN20.xsd

    return etree.XMLSchema(etree.parse(XSD_PATH))


def bpmn_of(name: str) -> str:
    """The BPMN of a case in the language in use (rendered once per language)."""
    return _bpmn_in(name, language())


@cache
def _bpmn_in(name: str, code: str) -> str:
    with use_language(code):
        return render_bpmn(SPECS[name])


@cache
def spiff_spec(name: str) -> Any:
    need_spiff()
    from lxml import etree
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator

    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_xml(etree.fromstring(bpmn_of(name).encode()), filename=f"{name}.bpmn")
    (process_id,) = parser.get_process_ids()
    return parser.get_spec(process_id)


def spiff_path(name: str, labels: list[str]) -> tuple[list[str], str]:
    """Run the BPMN in SpiffWorkflow with these choices: (activities visited, end state).

    As in ``alur_path``, the ready task of the lowest-numbered activity goes first (the
    instances of a multi-instance task are ready together); the holders of every role a
    `complete: each` step has one task per are in the start's data."""
    need_spiff()
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    spec = SPECS[name]
    by_task = {"Task_" + a.id.replace("-", "_"): a for a in spec.activities}
    workflow = BpmnWorkflow(spiff_spec(name))
    for start in workflow.get_tasks(state=TaskState.READY):
        start.data.update({holders(a.actor): list(HOLDERS) for a in spec.activities
                           if a.complete == EACH and len(a.actors) == 1})
    workflow.do_engine_steps()
    choices, visited = iter(labels), []
    while not workflow.is_completed():
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        assert ready, "no ready user task, and the workflow has not ended"
        if not any(a.split or a.complete == EACH for a in spec.activities):
            assert len(ready) == 1, f"expected one ready user task, got {ready}"
        task = min(ready, key=lambda t: by_task[t.task_spec.bpmn_id].no)
        activity = by_task[task.task_spec.bpmn_id]
        assert task.task_spec.lane == spec.actor(activity.actor).title
        visited.append(activity.id)
        if activity.is_decision:
            task.data["outcome"] = next(choices)
        task.run()
        workflow.do_engine_steps()
        assert len(visited) < 500
    ends = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id and t.task_spec.bpmn_id.startswith("EndEvent_")]
    assert len(ends) == 1, ends
    return visited, f"{END}:{ends[0].removeprefix('EndEvent_')}"


@pytest.mark.parametrize("name", IDS)
def test_bpmn_is_valid_bpmn_20(name: str) -> None:
    schema = bpmn_schema()
    from lxml import etree

    document = etree.fromstring(bpmn_of(name).encode())
    schema.assertValid(document)
    (process,) = document.findall("bpmn:process", NS)
    assert process.get("isExecutable") == "true"
    assert re.fullmatch(r"[A-Za-z_][\w.-]*", process.get("id"))
    spec = SPECS[name]
    tasks = {t.get("id"): t.get("name") for t in process.findall("bpmn:userTask", NS)}
    assert tasks == {"Task_" + a.id.replace("-", "_"): a.name for a in spec.activities}
    gateways = process.findall("bpmn:exclusiveGateway", NS)
    assert sorted(g.get("name") for g in gateways) == sorted(
        a.question for a in spec.activities if a.is_decision)
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == [a.title for a in spec.actors]
    refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    nodes = [n.get("id") for kind in FLOW_NODES for n in process.findall(f"bpmn:{kind}", NS)]
    assert sorted(refs) == sorted(nodes)
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    for flow in process.findall("bpmn:sequenceFlow", NS):
        expression = flow.find("bpmn:conditionExpression", NS)
        if flow.get("name") is not None:
            assert expression is not None and expression.get(xsi_type) == "bpmn:tFormalExpression"
            assert expression.text == f"outcome == {flow.get('name')!r}"


def test_the_schema_check_rejects_a_broken_document() -> None:
    schema = bpmn_schema()
    from lxml import etree

    broken = bpmn_of("pengumpulan-data-kinerja").replace('isExecutable="true"',
                                                         'isExecutable="ya"')
    assert not schema.validate(etree.fromstring(broken.encode()))


@pytest.mark.parametrize("name", IDS)
def test_bpmn_diagram_has_every_shape_and_edge(name: str) -> None:
    root = ET.fromstring(bpmn_of(name))
    process = root.find("bpmn:process", NS)
    assert process is not None
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane is not None

    def box(shape: ET.Element) -> tuple[float, float, float, float]:
        bounds = shape.find("dc:Bounds", NS)
        assert bounds is not None
        x, y, w, h = (float(bounds.get(k, "nan")) for k in ("x", "y", "width", "height"))
        return x, y, w, h

    shapes = {s.get("bpmnElement"): box(s) for s in plane.findall("bpmndi:BPMNShape", NS)}
    nodes = [n for kind in FLOW_NODES for n in process.findall(f"bpmn:{kind}", NS)]
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert {n.get("id") for n in nodes} | {lane.get("id") for lane in lanes} <= set(shapes)
    lane_boxes = [shapes[lane.get("id")] for lane in lanes]
    assert [b[1] for b in lane_boxes] == sorted(b[1] for b in lane_boxes)  # stacked downwards
    for lane, (lx, ly, lw, lh) in zip(lanes, lane_boxes, strict=True):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = shapes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, ref.text
    spec = SPECS[name]
    task_x = [shapes["Task_" + a.id.replace("-", "_")][0] for a in spec.activities]
    assert task_x == sorted(task_x) and len(set(task_x)) == len(task_x)  # left to right
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    for flow in process.findall("bpmn:sequenceFlow", NS):
        points = [(float(p.get("x", "nan")), float(p.get("y", "nan")))
                  for p in edges[flow.get("id")].findall("di:waypoint", NS)]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in pairwise(points))  # orthogonal
        for (px, py), element in ((points[0], flow.get("sourceRef")),
                                  (points[-1], flow.get("targetRef"))):
            x, y, w, h = shapes[element]
            assert x <= px <= x + w and y <= py <= y + h, (flow.get("id"), element)


@pytest.mark.parametrize("name", IDS)
def test_spiffworkflow_visits_what_alur_visits(name: str) -> None:
    spec = SPECS[name]
    for script, choose in scripts(spec):
        visited, labels, end = alur_path(spec, choose)
        assert spiff_path(name, labels) == (visited, end), script


def test_lakip_rework_loop_runs_the_same_in_spiffworkflow() -> None:
    name = "pengumpulan-data-kinerja"
    visited, labels, end = alur_path(SPECS[name], lambda a, seen: "Tidak" if seen == 0 else "Ya")
    assert labels == ["Tidak", "Ya"] and end == "end:selesai"
    assert visited[4:8] == ["draft", "koreksi", "draft", "koreksi"]
    assert spiff_path(name, labels) == (visited, end)


@pytest.mark.usefixtures("bahasa")
def test_rejection_ends_with_its_own_end_event() -> None:
    name = "pelayanan-ktp-el"
    assert spiff_path(name, ["Tidak lengkap"]) == (["datang", "verifikasi"], "end:ditolak")
    assert spiff_path(name, ["Lengkap", "Tidak terdaftar"])[1] == "end:dirujuk"
    names = {e.get("name") for e in ET.fromstring(bpmn_of(name)).iterfind(".//bpmn:endEvent", NS)}
    assert names == {"Selesai", "Selesai (ditolak)", "Selesai (dirujuk)"}


# Graphviz dot ----------------------------------------------------------------------
