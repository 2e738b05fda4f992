"""Shared cases for the diagram tests: every SOP, a tricky one, and Alur's own path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from engine.loader import load_sop_file, load_sop_text
from engine.machine import SopMachine
from engine.spec import END, ActivitySpec, SopSpec
from tests.conftest import FIXTURES, SOPS

CORPUS = sorted((FIXTURES / "sops" / "valid").glob("*.yaml")) + sorted(SOPS.glob("*.yaml"))

# Text that breaks naive escaping in every format: quotes, pipes, backslashes,
# entity-like and markup characters, Mermaid keywords, a line break.
TRICKY = textwrap.dedent("""\
    format: 1
    id: uji-karakter
    title: 'SOP "Uji" | Karakter #1 <a> & end {x} %%{init}%%'
    organization: {name: 'Kelurahan "A\\B"'}
    actors:
      pemohon: {title: 'Pemohon "umum" | luar', external: true}
      end: {title: 'end {subgraph} [x]'}
    activities:
      - id: ajukan
        name: 'Mengajukan berkas "lengkap" | A\\B #35; <b>x</b> & {y} [z] (end)'
        actor: [pemohon, end]
        requirements: ["KTP | KK", "Surat\\npengantar"]
        output: 'Berkas -->|x| y'
      - id: periksa
        name: "Memeriksa berkas: 'baik'; graph TD"
        actor: end
        decision: 'Berkas "benar"?\\nlanjut | tidak'
        note: "baris satu\\nbaris | dua"
        next: {"Ya \\"lanjut\\"": end, "Tidak 'kembali' | x": ajukan, "end": end:ditolak}
    """)

SpecCase = tuple[str, SopSpec]


def _cases() -> list[SpecCase]:
    cases = [(p.stem, load_sop_file(p).spec) for p in CORPUS]
    return [*cases, ("uji-karakter", load_sop_text(TRICKY, "uji-karakter").spec)]


CASES = _cases()
IDS = [name for name, _ in CASES]
SPECS = dict(CASES)


# Alur's own path through an SOP -------------------------------------------------

Chooser = Callable[[ActivitySpec, int], str]  # (decision, how often seen before) -> label


@dataclass
class _Run:
    state: str


def forward_label(spec: SopSpec, activity: ActivitySpec) -> str:
    """A label that moves on (to a later row or the end), so any run finishes."""
    for outcome in activity.outcomes:
        if outcome.target == END or spec.activity(outcome.target).no > activity.no:
            return outcome.label or ""
    raise AssertionError(f"decision {activity.id} has no forward outcome")


def alur_path(spec: SopSpec, choose: Chooser) -> tuple[list[str], list[str], str]:
    """Activities visited, labels chosen and the final state, driving SopMachine."""
    machine = SopMachine(spec)
    run = _Run(machine.initial)
    ids = {a.id for a in spec.activities}
    visited: list[str] = []
    labels: list[str] = []
    while run.state in ids:
        assert len(visited) < 500, "the script does not finish"
        activity = spec.activity(run.state)
        label = None
        if activity.is_decision:
            label = choose(activity, visited.count(activity.id))
            labels.append(label)
        visited.append(activity.id)
        machine.leave(run, activity, machine.outcome_for(activity, label))
    return visited, labels, run.state


def scripts(spec: SopSpec) -> Iterator[tuple[str, Chooser]]:
    """The forward path, and for each decision label: that label once, then forward."""
    yield "forward", lambda activity, seen: forward_label(spec, activity)
    for decision in (a for a in spec.activities if a.is_decision):
        for outcome in decision.outcomes:
            def choose(activity: ActivitySpec, seen: int, d: str = decision.id,
                       label: str = outcome.label or "") -> str:
                if activity.id == d and seen == 0:
                    return label
                return forward_label(spec, activity)
            yield f"{decision.id}={outcome.label}", choose


# BPMN: schema, SpiffWorkflow, diagram ----------------------------------------------
