"""The reminder policy with a fixed clock: due, escalation up the chain, repeats, catch-up."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from engine import reminder_policy as policy
from engine.calendar import WorkCalendar
from engine.durations import Duration
from engine.loader import load_sop_text
from engine.spec import Percent, ReminderSpec
from tests.office import LAKIP, wib

CAL = WorkCalendar()
SPEC = LAKIP.spec
DRAFT = SPEC.activity("draft")  # Staf, 60 minutes
DEFAULTS = ReminderSpec(Percent(Fraction(100)), Duration(days=Fraction(1)))
# activated Monday 5 January 2026 08:00, due 09:00
STEP = policy.StepTiming(("staf",), wib(2026, 1, 5, 8, 0), wib(2026, 1, 5, 9, 0))


def follow(sent: policy.Plan, now: dt.datetime) -> policy.Plan:
    return policy.following(SPEC, DRAFT, STEP, sent, DEFAULTS, CAL, now)


def test_the_chain_goes_up_reports_to() -> None:
    assert SPEC.chain("staf") == ("staf", "kasi", "sekcam", "camat")
    assert SPEC.chain("camat") == ("camat",)


def test_the_first_reminder_is_at_the_due_time() -> None:
    assert policy.first(SPEC, STEP) == policy.Plan(0, wib(2026, 1, 5, 9, 0))
    assert policy.first(SPEC, policy.StepTiming(("staf",), STEP.activated_at, None)) is None


def test_escalation_staf_kasi_sekcam_camat_then_repeats_at_the_top() -> None:
    plans = [policy.Plan(0, wib(2026, 1, 5, 9, 0))]
    for _ in range(5):
        plans.append(follow(plans[-1], plans[-1].at))
    assert plans == [
        policy.Plan(0, wib(2026, 1, 5, 9, 0)),    # due: to the Staf
        policy.Plan(1, wib(2026, 1, 5, 10, 0)),   # 100 % of 60 min later: the Kasi/Kasubbag
        policy.Plan(2, wib(2026, 1, 6, 10, 0)),   # a working day later: the Sekcam
        policy.Plan(3, wib(2026, 1, 7, 10, 0)),   # then the Camat
        policy.Plan(3, wib(2026, 1, 8, 10, 0)),   # the top: repeats, never further
        policy.Plan(3, wib(2026, 1, 9, 10, 0)),
    ]


def test_level_zero_repeats_until_the_escalation() -> None:
    slow = ReminderSpec(Duration(days=Fraction(2)), Duration(minutes=120))
    sent = policy.Plan(0, wib(2026, 1, 5, 9, 0))
    plans = []
    for _ in range(3):
        sent = policy.following(SPEC, DRAFT, STEP, sent, slow, CAL, sent.at)
        plans.append(sent)
    assert plans[0] == policy.Plan(0, wib(2026, 1, 5, 11, 0))
    assert plans[1] == policy.Plan(0, wib(2026, 1, 5, 14, 0))  # 11:00 + 2 h across the break
    assert plans[2] == policy.Plan(0, wib(2026, 1, 6, 7, 30))  # 14:00 + 2 h: 16:00 is closing


def test_nothing_is_planned_outside_working_hours() -> None:
    late = policy.StepTiming(("staf",), wib(2026, 1, 9, 15, 0), wib(2026, 1, 9, 16, 0))
    sent = policy.Plan(0, late.due_at or late.activated_at)
    for _ in range(8):
        sent = policy.following(SPEC, DRAFT, late, sent, DEFAULTS, CAL, sent.at)
        assert CAL.next_working_instant(sent.at) == sent.at, sent
    # 60 min escalation from Friday 16:00: 30 min to 16:30, then Monday 07:30 + 30 min
    assert policy.following(SPEC, DRAFT, late, policy.Plan(0, wib(2026, 1, 9, 16, 0)),
                            DEFAULTS, CAL, wib(2026, 1, 9, 16, 0)) == \
        policy.Plan(1, wib(2026, 1, 12, 8, 0))


def test_a_restart_catches_up_once_per_level_not_a_flood() -> None:
    now = wib(2026, 1, 8, 11, 0)  # the daemon was down from Monday to Thursday 11:00
    sent = policy.Plan(0, wib(2026, 1, 5, 9, 0))
    due_now = []
    while True:
        sent = follow(sent, now)
        if sent.at > now:
            break
        due_now.append(sent.level)
    assert due_now == [1, 2, 3]
    assert sent == policy.Plan(3, wib(2026, 1, 9, 10, 0))  # Thursday's repeat is skipped


SOP_WITH_REMINDERS = LAKIP.text.replace(
    "start:\n", "reminders:\n  escalate_after: 50%\n  repeat_every: 2 jam\nstart:\n", 1)


def test_sop_and_activity_settings_override_the_defaults() -> None:
    spec = load_sop_text(SOP_WITH_REMINDERS).spec
    draft = spec.activity("draft")
    assert policy.settings_for(draft, spec, DEFAULTS) == (Percent(Fraction(50)),
                                                          Duration(minutes=120))
    first = policy.Plan(0, wib(2026, 1, 5, 9, 0))
    assert policy.following(spec, draft, STEP, first, DEFAULTS, CAL, first.at) == \
        policy.Plan(1, wib(2026, 1, 5, 9, 30))  # 50 % of 60 minutes
    own = load_sop_text(SOP_WITH_REMINDERS.replace(
        "    name: Membuat draft Lakip\n",
        "    name: Membuat draft Lakip\n    reminders: {escalate_after: 3 jam}\n", 1)).spec
    assert policy.settings_for(own.activity("draft"), own, DEFAULTS)[0] == Duration(minutes=180)


@pytest.mark.parametrize("actor", ["camat"])
def test_the_top_of_the_chain_only_repeats(actor: str) -> None:
    step = policy.StepTiming((actor,), STEP.activated_at, STEP.due_at)
    order = SPEC.activity("perintah")
    after = policy.following(SPEC, order, step, policy.Plan(0, wib(2026, 1, 5, 9, 0)),
                             DEFAULTS, CAL, wib(2026, 1, 5, 9, 0))
    assert after == policy.Plan(0, wib(2026, 1, 6, 9, 0))
