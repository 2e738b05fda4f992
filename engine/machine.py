"""The state machine of an SOP (transitions), one per SOP content, shared by all its runs.

States are the activity ids, one end state per result (``end:selesai``,
``end:ditolak``) and ``cancelled``. A run holds tokens, one per active
task, and each token's state moves through the machine: each way out of an
activity is a trigger named ``<activity>|<label>`` (the label is empty for a
plain step) and each branch of a split a trigger ``<activity>|&<branch>``,
fired on a copy of the token (so several tokens of one run are on the machine
at once). Tokens are never bound to the machine: a trigger is fired with
``machine.events[name].trigger(token)``, which only reads and writes
``token.state``; nothing from YAML ever becomes a callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from transitions import Machine, MachineError

from engine.errors import InvalidOutcome
from engine.spec import END, ActivitySpec, Outcome, SopSpec

CANCELLED = "cancelled"
CANCEL = "cancel"


class HasState(Protocol):
    """Anything with a ``state`` attribute (a token)."""

    state: str


@dataclass(slots=True)
class Token:
    """Where one line of work of a run stands: an activity, an end state, or cancelled."""

    state: str


class NotThere(RuntimeError):
    """A trigger fired on a token that is not at its activity (a bug, never a user error)."""


def end_state(result: str) -> str:
    """The machine state of a run that ended with ``result``."""
    return f"{END}:{result}"


def trigger_name(activity_id: str, label: str | None) -> str:
    """The trigger for leaving ``activity_id`` by the outcome ``label``."""
    return f"{activity_id}|{label or ''}"


def branch_trigger(activity_id: str, branch: str) -> str:
    """The trigger that starts ``branch`` of the split at ``activity_id``."""
    return f"{activity_id}|&{branch}"


def _destination(outcome: Outcome) -> str:
    return end_state(outcome.result or "selesai") if outcome.target == END else outcome.target


class SopMachine:
    """The machine of one SOP spec."""

    def __init__(self, spec: SopSpec) -> None:
        self.spec = spec
        activities = [a.id for a in spec.activities]
        ends = sorted({_destination(o) for a in spec.activities for o in a.outcomes
                       if o.target == END})
        transitions: list[dict[str, Any]] = [
            {"trigger": branch_trigger(a.id, o.target) if a.split else trigger_name(a.id, o.label),
             "source": a.id, "dest": _destination(o)}
            for a in spec.activities for o in a.outcomes
        ]
        transitions.append({"trigger": CANCEL, "source": activities, "dest": CANCELLED})
        self.machine = Machine(model=None, states=[*activities, *ends, CANCELLED],
                               transitions=transitions, initial=activities[0],
                               auto_transitions=False, send_event=True,
                               ignore_invalid_triggers=False)

    @property
    def initial(self) -> str:
        """The first activity's state."""
        return self.spec.activities[0].id

    def outcome_for(self, activity: ActivitySpec, label: str | None) -> Outcome:
        """The outcome chosen; InvalidOutcome when the label does not fit the step."""
        if not activity.is_decision:
            if label is not None:
                raise InvalidOutcome(activity.id, "not_decision")
            return activity.outcomes[0]
        labels = [o.label or "" for o in activity.outcomes]
        if label is None:
            raise InvalidOutcome(activity.id, "missing", labels, question=activity.question)
        outcome = activity.outcome(label)
        if outcome is None:
            raise InvalidOutcome(activity.id, "unknown", labels, given=label)
        return outcome

    def _fire(self, token: HasState, trigger: str) -> str:
        try:
            self.machine.events[trigger].trigger(token)
        except (MachineError, KeyError):
            raise NotThere(f"token in state `{token.state}` cannot fire `{trigger}`") from None
        return token.state

    def leave(self, token: HasState, activity: ActivitySpec, outcome: Outcome) -> str:
        """Move a token out of ``activity`` by ``outcome``; return its new state."""
        return self._fire(token, trigger_name(activity.id, outcome.label))

    def fork(self, token: HasState, activity: ActivitySpec) -> list[Token]:
        """The tokens of a split's branches, each moved out of ``activity`` by its trigger."""
        branches = []
        for branch in activity.branches:
            copy = Token(token.state)
            self._fire(copy, branch_trigger(activity.id, branch))
            branches.append(copy)
        return branches

    def cancel(self, token: HasState) -> None:
        """Move a token to ``cancelled``."""
        self._fire(token, CANCEL)


_MACHINES: dict[str, SopMachine] = {}


def machine_for(sha256: str, spec: SopSpec) -> SopMachine:
    """The machine of the SOP content ``sha256``, built once per process."""
    machine = _MACHINES.get(sha256)
    if machine is None:
        if len(_MACHINES) > 256:
            _MACHINES.clear()
        machine = _MACHINES[sha256] = SopMachine(spec)
    return machine
