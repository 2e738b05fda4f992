"""Parallel work in Mermaid, dot, BPMN and Markdown: fork and join bars or gateways, a node
per acting actor, parallel multi-instance tasks, SpiffWorkflow running both branches."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from runners.render import render
from tests.render_kit import HOLDERS, PARALLEL_SPECS, SPECS, alur_path, forward_label
from tests.test_render_bpmn import NS, bpmn_of, need_spiff, spiff_path, spiff_spec
from tests.test_render_diagrams import table_rows

PARALLEL = PARALLEL_SPECS["contoh-paralel"]


@pytest.mark.usefixtures("bahasa")
def test_mermaid_draws_fork_and_join_bars_and_a_node_per_acting_actor() -> None:
    text = render(PARALLEL, "mermaid")
    assert isinstance(text, str)
    lines = [line.strip() for line in text.splitlines()]
    for line in ("f1@{ shape: fork }", "j5@{ shape: join }", "s1 --> f1", "f1 --> s2",
                 "f1 --> s3", "s2 --> j5", 's4 -->|"Ya"| j5', 's4 -->|"Tidak"| s3', "j5 --> s5",
                 "f1 ~~~ s2_2", "s2_2 ~~~ j5", "s3 ~~~ s4_2", "s4_2 ~~~ j5",
                 "class s4,s4_2 salahsatu"):
        assert line in lines, line
    assert 's2_2["2. Menyampaikan data seksi<br>(masing-masing)"]' in lines
    assert 's3["3. Membuat draf<br>(masing-masing Staf)"]' in lines
    assert 's4_2{"4. Memeriksa draf<br>Draf benar?<br>(salah satu)"}' in lines
    lanes = re.findall(r'subgraph lane\d+\["([^"]*)"\]\n((?:        .*\n)*)    end', text)
    nodes = {title: re.findall(r"^\s+(\w+)", body, re.M) for title, body in lanes}
    assert nodes == {"Camat": ["s1", "f1"], "Sekretaris Kecamatan": ["j5", "s5"],
                     "Kasi A": ["s2", "s4"], "Kasi B": ["s2_2", "s4_2"], "Staf": ["s3"]}
    assert "-.-" not in text  # Mermaid ranks every visible link; the nodes rank by ~~~


@pytest.mark.usefixtures("bahasa")
def test_dot_ties_the_acting_nodes_without_ranking_them_and_draws_bars() -> None:
    text = render(PARALLEL, "dot")
    assert isinstance(text, str)
    for line in ('"s2" -> "s2_2" [dir=none, style=dashed, constraint=false];',
                 '"s4" -> "s4_2" [dir=none, style=dashed, constraint=false];',
                 '"f1" -> "s2_2" [style=invis];', '"s4" -> "j5" [label="Ya"];',
                 '"s4" -> "s3" [label="Tidak", constraint=false];', '"j5" -> "s5";'):
        assert f"    {line}" in text.splitlines(), line
    bars = re.findall(r'"([fj]\d+)" \[shape=box, style=filled, fillcolor=black, label=""', text)
    assert bars == ["f1", "j5"]
    assert re.search(r'"s4_2" \[label="4\. Memeriksa draf\\nDraf benar\?\\n\(salah satu\)", '
                     r"shape=diamond, style=dashed\]", text)


def test_dot_rework_loop_into_a_join_skips_the_join_bar() -> None:
    text = render(SPECS["perencanaan-kinerja"], "dot")
    assert isinstance(text, str)
    assert '"s7" -> "s5" [constraint=false];' in text  # perbaikan back to kompilasi
    assert '"s3" -> "j5";' in text and '"s4" -> "j5";' in text


def process(name: str) -> ET.Element:
    found = ET.fromstring(bpmn_of(name)).find("bpmn:process", NS)
    assert found is not None
    return found


def flows(name: str) -> dict[str, tuple[str, str, str | None]]:
    return {f.get("id", ""): (f.get("sourceRef", ""), f.get("targetRef", ""), f.get("name"))
            for f in process(name).iterfind("bpmn:sequenceFlow", NS)}


def test_bpmn_parallel_gateways_for_the_split_and_the_join() -> None:
    gateways = {g.get("id"): g for g in process("contoh-paralel").iterfind(
        "bpmn:parallelGateway", NS)}
    assert set(gateways) == {"Fork_perintah", "Join_kompilasi"}
    assert gateways["Fork_perintah"].get("gatewayDirection") == "Diverging"
    assert gateways["Join_kompilasi"].get("gatewayDirection") == "Converging"
    edges = {(s, t) for s, t, _ in flows("contoh-paralel").values()}
    assert {("Task_perintah", "Fork_perintah"), ("Fork_perintah", "Task_data_seksi"),
            ("Fork_perintah", "Task_draf"), ("Task_data_seksi", "Join_kompilasi"),
            ("Gateway_periksa", "Join_kompilasi"), ("Join_kompilasi", "Task_kompilasi"),
            ("Gateway_periksa", "Task_draf")} <= edges
    assert {t for s, t in edges if s == "Task_perintah"} == {"Fork_perintah"}
    assert {s for s, t in edges if t == "Task_kompilasi"} == {"Join_kompilasi"}
    lanes = {r.text: lane.get("name") for lane in process("contoh-paralel").iterfind(
        "bpmn:laneSet/bpmn:lane", NS) for r in lane.iterfind("bpmn:flowNodeRef", NS)}
    assert lanes["Fork_perintah"] == "Camat" and lanes["Join_kompilasi"] == "Sekretaris Kecamatan"
    # a rework loop into the join from after it enters the task, not the gateway
    quarterly = {(s, t) for s, t, _ in flows("perencanaan-kinerja").values()}
    assert ("Task_perbaikan", "Task_kompilasi") in quarterly
    assert {s for s, t in quarterly if t == "Join_kompilasi"} == {"Task_data_seksi",
                                                                  "Task_data_kepegawaian"}


@pytest.mark.usefixtures("bahasa")
def test_bpmn_each_is_a_parallel_multi_instance_task() -> None:
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    loops = {}
    for task in process("contoh-paralel").iterfind("bpmn:userTask", NS):
        loop = task.find("bpmn:multiInstanceLoopCharacteristics", NS)
        if loop is not None:
            assert loop.get("isSequential") == "false"
            count = loop.find("bpmn:loopCardinality", NS)
            assert count is not None and count.get(xsi_type) == "bpmn:tFormalExpression"
            loops[task.get("id")] = count.text
            assert list(task)[-1] is loop  # after documentation, incoming and outgoing
    assert loops == {"Task_data_seksi": "2", "Task_draf": "len(pemegang_staf)"}
    docs = {t.get("id"): t.findtext("bpmn:documentation", "", NS)
            for t in process("contoh-paralel").iterfind("bpmn:userTask", NS)}
    assert docs["Task_data_seksi"].startswith("Pelaksana, masing-masing (instans ke-1, ke-2, "
                                              "...): Kasi A, Kasi B")
    assert docs["Task_periksa"].startswith("Pelaksana, cukup salah satu: Kasi A, Kasi B")
    assert "`pemegang_staf`" in docs["Task_draf"]
    five = [t for t in process("perencanaan-kinerja").iterfind("bpmn:userTask", NS)
            if t.find("bpmn:multiInstanceLoopCharacteristics", NS) is not None]
    assert [t.findtext("bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality", "", NS)
            for t in five] == ["5"]


def test_spiffworkflow_runs_both_branches_at_once_to_the_end() -> None:
    need_spiff()
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    workflow = BpmnWorkflow(spiff_spec("contoh-paralel"))
    for start in workflow.get_tasks(state=TaskState.READY):
        start.data["pemegang_staf"] = list(HOLDERS)
    workflow.do_engine_steps()
    (first,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    first.run()
    workflow.do_engine_steps()
    ready = sorted(t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY,
                                                                   manual=True))
    assert ready == ["Task_data_seksi"] * 2 + ["Task_draf"] * len(HOLDERS)  # all at once
    lanes = sorted(t.task_spec.lane for t in workflow.get_tasks(state=TaskState.READY,
                                                               manual=True))
    assert lanes == ["Kasi A", "Kasi A", "Staf", "Staf"]
    spec = PARALLEL_SPECS["contoh-paralel"]
    visited, labels, end = alur_path(spec, lambda a, seen: "Tidak" if seen == 0 else "Ya")
    assert labels == ["Tidak", "Ya"] and end == "end:selesai"
    assert visited.count("draf") == 2 * len(HOLDERS) and visited[-1] == "kompilasi"
    assert spiff_path("contoh-paralel", labels) == (visited, end)


@pytest.mark.parametrize("name", ["contoh-bersarang", "contoh-tiga-cabang",
                                  "perencanaan-kinerja"])
def test_spiffworkflow_waits_at_every_join(name: str) -> None:
    spec = SPECS[name]
    visited, labels, end = alur_path(spec, lambda a, seen: forward_label(spec, a))
    assert spiff_path(name, labels) == (visited, end)
    order = {a: visited.index(a) for a in dict.fromkeys(visited)}
    for split in spec.splits:  # the join comes after every step of its branches
        assert all(order[a] < order[split.join] for a in split.region)


@pytest.mark.usefixtures("bahasa")
def test_markdown_marks_every_acting_column_and_says_where_branches_go() -> None:
    text = render(PARALLEL, "md")
    assert isinstance(text, str)
    rows = {r[0]: r for r in table_rows(text)[-1][2:]}
    marks = {no: row[2:7] for no, row in rows.items()}  # Camat, Sekcam, Kasi A, Kasi B, Staf
    assert marks == {"1": ["▭", "", "", "", ""], "2": ["", "", "▭", "▭", ""],
                     "3": ["", "", "", "", "▭"], "4": ["", "", "◇", "◇", ""],
                     "5": ["", "▭", "", "", ""]}
    notes = {no: row[-1] for no, row in rows.items()}
    assert notes == {"1": "bercabang ke 2, 3 (paralel)",
                     "2": "→ 5<br>dikerjakan masing-masing pelaksana",
                     "3": "dikerjakan masing-masing Staf",
                     "4": "Ya → 5; Tidak → 3<br>cukup oleh salah satu pelaksana",
                     "5": "→ Selesai<br>menunggu 2 dan 4"}
    three = render(PARALLEL_SPECS["contoh-tiga-cabang"], "md")
    assert isinstance(three, str)
    first = next(r for r in table_rows(three)[-1] if r[0] == "1")
    assert first[2:7] == ["", "", "⬚", "⬚", "⬚"]  # any: the dashed box in every column
    second = next(r for r in table_rows(three)[-1] if r[0] == "2")
    assert second[2:4] == ["●", "▭"]  # first: the Camat attends
    assert "⬚ proses yang cukup dikerjakan salah satu pelaksana" in three
    assert "⬚" not in text.split("Simbol:")[1]  # its any step is a decision: ◇
