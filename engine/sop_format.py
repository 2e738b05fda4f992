"""The SOP file format, declared once: every key, its Indonesian label, type and need.

The loader checks files against these declarations and ``engine.schema``
turns the same declarations into the JSON Schema, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.text import Text

FORMATS = (1,)
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KINDS = ("rutin", "pelayanan", "penugasan")
EVERY = ("year", "quarter", "month")
PERIODS = ("previous", "current")
COMPLETE = ("first", "any", "each")
CASE_KINDS = ("text", "nik", "phone", "date", "number", "choice")
REGISTER_FIELDS = ("seq", "year", "month", "month_roman", "unit")
DEFAULT_REGISTER = "{seq:04}/{year}"

ValueKind = Literal[
    "format", "slug", "text", "texts", "kind", "date", "nip", "bool", "duration",
    "escalate", "actor_ref", "actor_refs", "complete", "next", "every", "start_day", "period",
    "case_kind", "register", "section", "actors", "activities", "case", "image",
]


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a mapping in an SOP file."""

    name: str
    label: str  # the Indonesian label printed on the official document
    kind: ValueKind
    about: str
    required: bool = False
    section: Section | None = None  # the keys inside, for "section", "actors", "activities"


@dataclass(frozen=True, slots=True)
class Section:
    """A mapping with a fixed set of keys; ``where`` names it in messages (its YAML key as
    written, or a Text when it is a word of ours)."""

    where: str
    keys: tuple[Key, ...]

    def key(self, name: str) -> Key | None:
        """The declared key of this name, if any."""
        return next((k for k in self.keys if k.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """The accepted key names, in declaration order."""
        return tuple(k.name for k in self.keys)


REMINDERS = Section("reminders", (
    Key("escalate_after", "Eskalasi setelah", "escalate",
        "How long past the due time before the reminder also goes to the actor's "
        "reports_to: a percentage of the step's duration (`100%`) or a duration (`2 jam`)."),
    Key("repeat_every", "Ulangi setiap", "duration",
        "While the step stays overdue, repeat the reminder this often (working time)."),
))

ORGANIZATION = Section("organization", (
    Key("name", "Nama Unit Kerja", "text", "The unit that owns the SOP.", required=True),
    Key("parent", "Instansi induk", "text", "The parent government (Kabupaten/Kota/Provinsi)."),
    Key("address", "Alamat", "text", "The unit's address, printed under its name."),
    Key("logo", "Logo", "image",
        "The unit's logo: a PNG or SVG file of at most 1 MB, its path relative to the SOP "
        "file's folder (or to the workspace); printed in the identity block and the kop."),
))

DATES = Section("dates", (
    Key("created", "Tanggal Pembuatan", "date", "When drafting finished (YYYY-MM-DD)."),
    Key("revised", "Tanggal Revisi", "date",
        "The revision date, or the planned review date (YYYY-MM-DD)."),
    Key("effective", "Tanggal Efektif", "date", "When the SOP takes effect: its signing date."),
))

APPROVED_BY = Section("approved_by", (
    Key("position", "Jabatan", "text", "Position of the official who signed.", required=True),
    Key("name", "Nama", "text", "Name of the official who signed."),
    Key("nip", "NIP", "nip", "NIP of the official who signed: 18 digits."),
))

ACTOR = Section(Text("actor"), (
    Key("title", "Pelaksana", "text", "The column header of this actor's swimlane.",
        required=True),
    Key("reports_to", "Atasan", "actor_ref",
        "The actor an overdue step of this actor escalates to."),
    Key("external", "Pihak luar", "bool",
        "True for an actor outside the unit (Pemohon, another office): not in the roster, "
        "its steps are recorded by any person of the unit and get no reminders."),
))

START = Section("start", (
    Key("every", "Setiap", "every", "How often a run starts by itself: year, quarter or month."),
    Key("on", "Pada tanggal", "start_day",
        "The start day: MM-DD for a year, DD for a month or a quarter (day of its first month); "
        "moved to the next working day.", required=True),
    Key("period", "Periode", "period",
        "The period the run reports on: previous (default) or current."),
    Key("deadline", "Batas waktu", "start_day",
        "Hard deadline of the whole run, in the same form as `on`."),
))

CASE_FIELD = Section(Text("case field"), (
    Key("label", "Label", "text", "What the form calls the field (`Nama pemohon`).",
        required=True),
    Key("kind", "Jenis isian", "case_kind",
        "text (default), nik (16 digits, checked), phone, date (YYYY-MM-DD), number, or "
        "choice (one of `choices`)."),
    Key("required", "Wajib", "bool", "True when a run cannot start without it."),
    Key("private", "Data pribadi", "bool",
        "True for personal data (NIK): shown masked to anyone not holding a role of the SOP, "
        "and kept out of the audit trail except as a hash."),
    Key("choices", "Pilihan", "texts", "The accepted values of a `choice` field."),
))

ACTIVITY = Section(Text("activity"), (
    Key("id", "Kode kegiatan", "slug", "Unique id of the activity (a slug; `end` is reserved).",
        required=True),
    Key("name", "Uraian Kegiatan", "text", "What is done, verb first, without a subject.",
        required=True),
    Key("actor", "Pelaksana", "actor_refs",
        "The actor, or a list of actors; the first is responsible (see `complete`).",
        required=True),
    Key("complete", "Cara penyelesaian", "complete",
        "How a step with several actors is done: `first` (default: a holder of the first "
        "actor completes it, the others attend), `any` (a holder of any listed actor) or "
        "`each` (one task per listed actor, all at once; with one actor, one task per person "
        "holding the role)."),
    Key("requirements", "Kelengkapan", "texts", "Mutu baku: what the step needs (list or text)."),
    Key("duration", "Waktu", "duration",
        "Mutu baku: standard working time, e.g. `60 menit`, `1,5 jam`, `2 hari kerja`."),
    Key("output", "Output", "text", "Mutu baku: what the step produces."),
    Key("note", "Keterangan", "text", "Remarks printed in the Keterangan column."),
    Key("decision", "Keputusan", "text",
        "The question in the decision diamond (default: the name); needs a `next` mapping."),
    Key("next", "Langkah berikutnya", "next",
        "The next activity id, `end` or `end:<result>`; a mapping of two or more outcome "
        "labels to targets makes a decision; a list of two or more activity ids starts them "
        "all at once (parallel branches that meet again at their join)."),
    Key("reminders", "Pengingat", "section", "Reminder settings for this step only.",
        section=REMINDERS),
    Key("optional", "Opsional", "bool",
        "True for a step that may be skipped with a reason (not a decision)."),
    Key("recorded_by", "Dicatat oleh", "actor_ref",
        "For a step of an external actor (the applicant): the actor of the unit who records "
        "it (default: the actor of the step that follows)."),
))

TOP = Section(Text("the SOP"), (
    Key("format", "Format", "format", "Version of the SOP file format: 1.", required=True),
    Key("id", "Kode SOP", "slug", "Unique id of the SOP in the workspace (a slug).",
        required=True),
    Key("title", "Nama SOP", "text", "The SOP's name.", required=True),
    Key("number", "Nomor SOP", "text", "The SOP's registration number, kept as written."),
    Key("kind", "Jenis SOP", "kind", "rutin, pelayanan or penugasan."),
    Key("organization", "Logo dan Nama Unit Kerja", "section", "The unit that owns the SOP.",
        required=True, section=ORGANIZATION),
    Key("dates", "Tanggal", "section", "Tanggal Pembuatan, Revisi and Efektif.", section=DATES),
    Key("approved_by", "Disahkan oleh", "section", "The official who signed the SOP.",
        section=APPROVED_BY),
    Key("legal_basis", "Dasar Hukum", "texts", "Regulations the SOP rests on."),
    Key("related", "Keterkaitan", "texts", "Related SOPs and documents."),
    Key("warning", "Peringatan", "text", "What happens when the SOP is not followed."),
    Key("qualifications", "Kualifikasi Pelaksana", "texts", "What the actors must be or know."),
    Key("equipment", "Peralatan/Perlengkapan", "texts", "Tools and supplies needed."),
    Key("records", "Pencatatan dan Pendataan", "text", "How the work is recorded."),
    Key("actors", "Pelaksana", "actors",
        "The actors (swimlane columns) in order, by slug.", required=True, section=ACTOR),
    Key("start", "Mulai otomatis", "section", "Starting runs by themselves on a calendar.",
        section=START),
    Key("reminders", "Pengingat", "section", "Reminder settings for all steps.",
        section=REMINDERS),
    Key("case", "Data permohonan", "case",
        "What one run is about, given when it starts (the applicant's name, NIK, ...): field "
        "keys (slugs) to their `label`, `kind`, `required`, `private`, `choices`.",
        section=CASE_FIELD),
    Key("register", "Nomor register", "register",
        "The number a run of an SOP without `start:` gets, from `{seq}` (or `{seq:04}`), "
        "`{year}`, `{month}`, `{month_roman}` and `{unit}`; default `{seq:04}/{year}`."),
    Key("deadline", "Waktu penyelesaian", "duration",
        "The whole run's service time, working time from its start (`1 hari`)."),
    Key("activities", "Uraian Kegiatan", "activities",
        "The activities in order (numbered 1..n on the document).", required=True,
        section=ACTIVITY),
))
