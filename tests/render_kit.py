"""Shared cases for the diagram tests: every SOP, a tricky one, parallel ones, and Alur's
own path through an SOP (several lines of work at once when it splits)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator

from engine.flow_graph import reach
from engine.loader import load_sop_file, load_sop_text
from engine.machine import SopMachine, Token
from engine.spec import EACH, END, ActivitySpec, SopSpec
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

# Parallel work: a split as the first step, `each` over listed actors and over one role, an
# `any` decision looping back inside its branch; a nested split; three branches with an
# `any` process, attendees, a rework loop into the join from after it, and two ends.
PARALLEL = {"contoh-paralel": textwrap.dedent("""\
    format: 1
    id: contoh-paralel
    title: SOP Contoh Paralel
    organization: {name: Kecamatan Contoh}
    actors:
      camat: {title: Camat}
      sekcam: {title: Sekretaris Kecamatan, reports_to: camat}
      kasi-a: {title: Kasi A, reports_to: sekcam}
      kasi-b: {title: Kasi B, reports_to: sekcam}
      staf: {title: Staf, reports_to: kasi-a}
    activities:
      - {id: perintah, name: Memerintahkan, actor: camat, duration: 10 menit,
         next: [data-seksi, draf]}
      - {id: data-seksi, name: Menyampaikan data seksi, actor: [kasi-a, kasi-b],
         complete: each, duration: 2 jam, next: kompilasi}
      - {id: draf, name: Membuat draf, actor: staf, complete: each, duration: 1 jam}
      - {id: periksa, name: Memeriksa draf, actor: [kasi-a, kasi-b], complete: any,
         duration: 30 menit, decision: Draf benar?, next: {Ya: kompilasi, Tidak: draf}}
      - {id: kompilasi, name: Menghimpun, actor: sekcam, duration: 1 jam}
    """), "contoh-bersarang": textwrap.dedent("""\
    format: 1
    id: contoh-bersarang
    title: SOP Contoh Cabang Bersarang
    organization: {name: Kecamatan Contoh}
    actors:
      camat: {title: Camat}
      sekcam: {title: Sekretaris Kecamatan, reports_to: camat}
      kasi-a: {title: Kasi A, reports_to: sekcam}
      kasi-b: {title: Kasi B, reports_to: sekcam}
      staf: {title: Staf, reports_to: kasi-a}
    activities:
      - {id: tugas, name: Menugaskan, actor: camat, duration: 10 menit, next: [rencana, anggaran]}
      - {id: rencana, name: Menyusun rencana, actor: sekcam, duration: 1 jam,
         next: [data-a, data-b]}
      - {id: data-a, name: Mengumpulkan data A, actor: kasi-a, duration: 2 jam, next: gabung}
      - {id: data-b, name: Mengumpulkan data B, actor: kasi-b, duration: 3 jam, next: gabung}
      - {id: gabung, name: Menggabungkan data, actor: sekcam, duration: 30 menit, next: final}
      - {id: anggaran, name: Menghitung anggaran, actor: staf, duration: 2 jam, next: final}
      - {id: final, name: Menetapkan hasil, actor: camat, duration: 30 menit, next: end}
    """), "contoh-tiga-cabang": textwrap.dedent("""\
    format: 1
    id: contoh-tiga-cabang
    title: SOP Contoh Tiga Cabang
    organization: {name: Kecamatan Contoh}
    actors:
      camat: {title: Camat}
      sekcam: {title: Sekretaris Kecamatan, reports_to: camat}
      kasubbag: {title: Kasubbag Umum, reports_to: sekcam}
      kasi-a: {title: Kasi A, reports_to: sekcam}
      kasi-b: {title: Kasi B, reports_to: sekcam}
    activities:
      - {id: terima, name: Menerima berkas, actor: [kasubbag, kasi-a, kasi-b], complete: any,
         duration: 15 menit}
      - {id: bagi, name: Membagi tugas, actor: [sekcam, camat], duration: 10 menit,
         next: [cek-a, cek-b, arsip]}
      - {id: cek-a, name: Memeriksa bagian A, actor: kasi-a, duration: 1 jam, next: rekap}
      - {id: cek-b, name: Memeriksa bagian B, actor: kasi-b, duration: 2 jam, next: rekap}
      - {id: arsip, name: Mengarsipkan salinan, actor: kasubbag, complete: each,
         duration: 30 menit, next: rekap}
      - {id: rekap, name: Merekap hasil, actor: sekcam, duration: 1 jam}
      - {id: putus, name: Memutuskan, actor: camat, decision: Disetujui?, duration: 30 menit,
         next: {Ya: end, Tidak: "end:ditolak", Ulang: rekap}}
    """)}
# Two pages: a split whose branch and a branch's arrival cross the page break (off-page
# connectors), `each` inside a branch, and a rework loop into the join from after it.
PARALLEL["contoh-panjang"] = "\n".join([
    "format: 1", "id: contoh-panjang", "title: SOP Contoh Panjang Paralel",
    "organization: {name: Kecamatan Contoh}", "actors:", "  camat: {title: Camat}",
    "  sekcam: {title: Sekretaris Kecamatan, reports_to: camat}",
    "  kasi-a: {title: Kasi A, reports_to: sekcam}",
    "  kasi-b: {title: Kasi B, reports_to: sekcam}",
    "  staf: {title: Staf, reports_to: kasi-a}", "activities:",
    *(f"  - {{id: a{i}, name: Langkah persiapan nomor {i} dengan uraian yang cukup panjang, "
      f"actor: {('camat', 'sekcam', 'kasi-a')[i % 3]}, duration: 1 jam}}" for i in range(1, 9)),
    "  - {id: pisah, name: Membagi pekerjaan, actor: sekcam, duration: 1 jam, next: [b1, c1]}",
    *(f"  - {{id: b{i}, name: Cabang B langkah {i} dengan uraian yang cukup panjang, "
      f"actor: {('kasi-a', 'kasi-b')[i % 2]}, duration: 1 jam, "
      f"next: {f'b{i + 1}' if i < 5 else 'gabung'}}}" for i in range(1, 6)),
    "  - {id: c1, name: Cabang C langkah pertama, actor: staf, duration: 2 jam}",
    "  - {id: c2, name: Cabang C langkah kedua, actor: [kasi-a, kasi-b], complete: each,"
    " duration: 2 jam}",
    "  - {id: c3, name: Cabang C langkah ketiga, actor: staf, duration: 2 jam, next: gabung}",
    "  - {id: gabung, name: Menggabungkan, actor: sekcam, duration: 1 jam}",
    "  - {id: tetap, name: Menetapkan, actor: camat, duration: 1 jam, decision: Setuju?,"
    " next: {Ya: end, Tidak: gabung}}", ""])
PARALLEL_SPECS = {name: load_sop_text(text, name).spec for name, text in PARALLEL.items()}

SpecCase = tuple[str, SopSpec]


def _cases() -> list[SpecCase]:
    cases = [(p.stem, load_sop_file(p).spec) for p in CORPUS]
    return [*cases, ("uji-karakter", load_sop_text(TRICKY, "uji-karakter").spec),
            *PARALLEL_SPECS.items()]


CASES = _cases()
IDS = [name for name, _ in CASES]
SPECS = dict(CASES)


# Alur's own path through an SOP -------------------------------------------------

Chooser = Callable[[ActivitySpec, int], str]  # (decision, how often seen before) -> label


HOLDERS = ("Ani", "Budi")  # the people holding a role a `complete: each` step has one task per


def tasks_of(activity: ActivitySpec) -> int:
    """How many tasks a step gives: one per actor or holder for ``each``, else one."""
    if activity.complete != EACH:
        return 1
    return len(activity.actors) if len(activity.actors) > 1 else len(HOLDERS)


def forward_label(spec: SopSpec, activity: ActivitySpec) -> str:
    """A label that moves on, so any run finishes: one that cannot come back to the decision,
    else one to a later row or the end."""
    edges = {a.id: [o.target for o in a.outcomes] for a in spec.activities}
    for outcome in activity.outcomes:
        if outcome.target == END or activity.id not in reach(outcome.target, edges):
            return outcome.label or ""
    for outcome in activity.outcomes:
        if outcome.target == END or spec.activity(outcome.target).no > activity.no:
            return outcome.label or ""
    raise AssertionError(f"decision {activity.id} has no forward outcome")


def alur_path(spec: SopSpec, choose: Chooser) -> tuple[list[str], list[str], str]:
    """Activities visited (once per task), labels chosen and the final state, driving
    SopMachine: the active step with the lowest number goes first, all its tasks at once;
    a split forks its tokens, a branch's arrival waits until no token is left in its region."""
    machine = SopMachine(spec)
    tokens, waiting = [Token(machine.initial)], list[tuple[Token, str]]()
    ids, number = {a.id for a in spec.activities}, {a.id: a.no for a in spec.activities}
    visited: list[str] = []
    labels: list[str] = []
    while active := [t for t in tokens if t.state in ids]:
        assert len(visited) < 500, "the script does not finish"
        token = min(active, key=lambda t: number[t.state])
        activity = spec.activity(token.state)
        seen = visited.count(activity.id)
        visited += [activity.id] * tasks_of(activity)
        tokens.remove(token)
        if activity.split:
            tokens += machine.fork(token, activity)
            continue
        label = None
        if activity.is_decision:
            label = choose(activity, seen)
            labels.append(label)
        machine.leave(token, activity, machine.outcome_for(activity, label))
        split = spec.arrival(activity.id, token.state)
        if split is None:
            tokens.append(token)
            continue
        waiting.append((token, split.join))
        if not any(t.state in split.region for t in tokens):  # the last branch arrived
            waiting = [(t, j) for t, j in waiting if j != split.join]
            tokens.append(Token(split.join))
    assert not waiting, waiting
    (last,) = {t.state for t in tokens}
    return visited, labels, last


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
