"""Words people read for the engine's vocabularies, shared by every runner.

The engine keeps its own words as data (``active``, ``step_completed``): they are
what the database, the audit trail and ``--json`` hold. Each map below takes
such a word to its message id, said in the language in use where it is shown
(``status_word``), and accepted as people say it in option values
(``runners.cli.localized.Words``).
"""

from __future__ import annotations

from runners.i18n import LANGUAGES, N_, _, translations

# a run's status
RUN_STATUS_WORDS = {"active": N_("active"), "completed": N_("completed"),
                    "cancelled": N_("cancelled")}
# a run's or a task's status
STATUS_WORDS = {**RUN_STATUS_WORDS, "not_reached": N_("not reached"),
                "skipped": N_("skipped"), "reopened": N_("reopened"),
                "withdrawn": N_("withdrawn")}
# a reminder's status
REMINDER_STATUS_WORDS = {"pending": N_("pending"), "sending": N_("sending"),
                         "sent": N_("sent"), "failed": N_("failed"),
                         "retired": N_("retired")}
# the kinds of audit events (engine.runs.EVENT_KINDS)
EVENT_WORDS = {"run_started": N_("run started"), "step_activated": N_("step activated"),
               "step_completed": N_("step completed"),
               "step_reassigned": N_("step reassigned"),
               "step_skipped": N_("step skipped"), "step_reopened": N_("step reopened"),
               "run_cancelled": N_("run cancelled"), "run_completed": N_("run completed"),
               "reminder_sent": N_("reminder sent"), "reminder_failed": N_("reminder failed"),
               "password_set": N_("password set"), "sessions_ended": N_("sessions ended"),
               "login_link_made": N_("login link made")}
# the keys of an audit event's data, as the history table names them
DATA_WORDS = {"actor": N_("actor"), "assignees": N_("assignees"), "automatic": N_("automatic"),
              "channel": N_("via"), "channels": N_("channels"),
              "completed_by": N_("completed by"), "due_at": N_("due"), "error": N_("error"),
              "evidence": N_("files"), "fields": N_("fields"),
              "from": N_("from"), "level": N_("level"), "next": N_("next"),
              "note": N_("note"), "on_behalf_of": N_("on behalf of"),
              "outcome": N_("outcome"), "period": N_("period"), "person": N_("person"),
              "reason": N_("reason"),
              "recipients": N_("recipients"), "reminder": N_("reminder"),
              "result": N_("result"), "sessions": N_("sessions ended"), "sop": N_("SOP"),
              "sop_hash": N_("SOP hash"),
              "tasks": N_("tasks"), "to": N_("to"), "unit": N_("unit"),
              "valid_until": N_("valid until"),
              "waiting_at": N_("waiting at"), "waiting_for": N_("waiting for"),
              "whole_run": N_("whole run"), "withdrawn": N_("withdrawn")}


def status_word(status: str) -> str:
    """A run's or task's status as people say it in the language in use (``aktif``,
    ``selesai``, ...; a word Alur does not know is shown as it is)."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def reminder_status_word(status: str) -> str:
    """A reminder's status in the language in use (``terkirim``, ``gagal``, ...)."""
    return _(REMINDER_STATUS_WORDS[status]) if status in REMINDER_STATUS_WORDS else status


def event_word(kind: str) -> str:
    """An audit event's kind in the language in use (``langkah selesai``, ...)."""
    return _(EVENT_WORDS[kind]) if kind in EVENT_WORDS else kind


def data_word(key: str) -> str:
    """The key of an audit event's data in the language in use (``alasan``, ...)."""
    return _(DATA_WORDS[key]) if key in DATA_WORDS else key


def said_in_any_language(msgid: str) -> set[str]:
    """``msgid`` as every language Alur speaks says it, case-folded."""
    return {translations(code).gettext(msgid).casefold() for code in LANGUAGES}


def run_status(status: str, result: str | None) -> str:
    """A run's status with its result (the end the SOP's author named) when the result
    says something more: ``selesai (ditolak)``, but ``selesai``, not ``selesai (selesai)``
    (nor ``completed (selesai)``: the end an SOP has when it names none says nothing more)."""
    from engine.spec import DEFAULT_RESULT

    word = status_word(status)
    if not result:
        return word
    same = {status.casefold(), word.casefold(), DEFAULT_RESULT.casefold()}
    if status in STATUS_WORDS:
        same |= said_in_any_language(STATUS_WORDS[status])
    return word if result.strip().casefold() in same else f"{word} ({result})"
