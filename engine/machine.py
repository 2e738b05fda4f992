"""The state machine of an SOP (transitions), one per SOP content, shared by all its runs.

States are the activity ids, one end state per result (``end:selesai``,
``end:ditolak``) and ``cancelled``. Each way out of an activity is a trigger
named ``<activity>|<label>`` (the label is empty for a plain step). Runs are
never bound to the machine: a trigger is fired on a loaded run with
``machine.events[name].trigger(run)``, which only reads and writes
``run.state``; nothing from YAML ever becomes a callback.
"""

from __future__ import annotations

from typing import Any, Protocol

from transitions import Machine, MachineError

from engine.errors import InvalidOutcome, RunFinished
from engine.spec import END, ActivitySpec, Outcome, SopSpec

CANCELLED = "cancelled"
CANCEL = "cancel"


class HasState(Protocol):
    """Anything with a ``state`` attribute (a Run)."""

    state: str


def end_state(result: str) -> str:
    """The machine state of a run that ended with ``result``."""
    return f"{END}:{result}"


def trigger_name(activity_id: str, label: str | None) -> str:
    """The trigger for leaving ``activity_id`` by the outcome ``label``."""
    return f"{activity_id}|{label or ''}"


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
            {"trigger": trigger_name(a.id, o.label), "source": a.id, "dest": _destination(o)}
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
                raise InvalidOutcome(f"step `{activity.id}` is not a decision; leave out "
                                     "--outcome")
            return activity.outcomes[0]
        labels = ", ".join(o.label or "" for o in activity.outcomes)
        if label is None:
            raise InvalidOutcome(f"step `{activity.id}` is a decision ({activity.question}); "
                                 f"give --outcome, one of: {labels}")
        outcome = activity.outcome(label)
        if outcome is None:
            raise InvalidOutcome(f"`{label}` is not an outcome of step `{activity.id}`; "
                                 f"choose one of: {labels}")
        return outcome

    def leave(self, run: HasState, activity: ActivitySpec, outcome: Outcome) -> str:
        """Fire the trigger leaving ``activity`` by ``outcome``; return the new state."""
        try:
            self.machine.events[trigger_name(activity.id, outcome.label)].trigger(run)
        except MachineError:
            raise RunFinished(f"the run is in state `{run.state}`, not at step "
                              f"`{activity.id}`") from None
        return run.state

    def cancel(self, run: HasState) -> None:
        """Move the run to ``cancelled``."""
        try:
            self.machine.events[CANCEL].trigger(run)
        except MachineError:
            raise RunFinished(f"the run has already ended (`{run.state}`)") from None


_MACHINES: dict[str, SopMachine] = {}


def machine_for(sha256: str, spec: SopSpec) -> SopMachine:
    """The machine of the SOP content ``sha256``, built once per process."""
    machine = _MACHINES.get(sha256)
    if machine is None:
        if len(_MACHINES) > 256:
            _MACHINES.clear()
        machine = _MACHINES[sha256] = SopMachine(spec)
    return machine
