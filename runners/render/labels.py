"""The words of the SOP document (Permenpan RB 35/2012) that are ours, not the author's:
the identity block's labels and the flowchart table's headers, marked for the catalogue and
said in the language in use where they are shown."""

from __future__ import annotations

from engine.durations import Duration
from runners.i18n import N_, _, say

FACTS = {"number": N_("SOP number"), "created": N_("Date created"),
         "revised": N_("Date revised"), "effective": N_("Effective date"),
         "approved_by": N_("Approved by"), "title": N_("SOP name")}
PAIRS = (N_("Legal basis"), N_("Implementer qualifications"), N_("Related SOPs"),
         N_("Equipment/supplies"), N_("Warning"), N_("Records and data keeping"))
HEADS = {"no": N_("No."), "uraian": N_("Activity"), "pelaksana": N_("Actors"),
         "mutu": N_("Quality standard"), "kelengkapan": N_("Requirements"),
         "waktu": N_("Time"), "output": N_("Output"), "keterangan": N_("Remarks")}


def fact(key: str) -> str:
    """An identity block label (``number``: ``Nomor SOP``) in the language in use."""
    return _(FACTS[key])


def pairs() -> list[str]:
    """The six paired identity labels (``Dasar Hukum``, ...) in the language in use."""
    return [_(label) for label in PAIRS]


def head(key: str) -> str:
    """A flowchart table header (``uraian``: ``Uraian Kegiatan``) in the language in use."""
    return _(HEADS[key])


def duration_text(duration: Duration) -> str:
    """A duration as its author wrote it (``1 jam``); a sum, which nobody wrote, as Alur
    counts it, in the language in use (``12 jam 3 menit``, ``12 hours 3 minutes``)."""
    return duration.written or say(duration.computed)
