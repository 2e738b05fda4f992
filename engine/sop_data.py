"""An SOP as plain JSON-ready data, in the shape `spec/cli.md` gives for `sop show --json`."""

from __future__ import annotations

from typing import Any

from engine.durations import Duration
from engine.spec import ActivitySpec, SopSpec


def _days(duration: Duration | None) -> float | None:
    if duration is None or not duration.days:
        return None
    return float(duration.days)


def _minutes(duration: Duration | None) -> int | None:
    if duration is None or (duration.days and not duration.minutes):
        return None
    return duration.minutes


def next_data(activity: ActivitySpec) -> str | dict[str, str]:
    """``next`` as a target string, or outcome label -> target for a decision."""
    if activity.is_decision:
        return {o.label or "": o.text for o in activity.outcomes}
    return activity.outcomes[0].text if activity.outcomes else "end"


def activity_data(activity: ActivitySpec) -> dict[str, Any]:
    """One activity row as data."""
    return {
        "no": activity.no,
        "id": activity.id,
        "name": activity.name,
        "actors": list(activity.actors),
        "requirements": list(activity.requirements),
        "duration_minutes": _minutes(activity.duration),
        "duration_days": _days(activity.duration),
        "output": activity.output,
        "note": activity.note,
        "decision": activity.question if activity.is_decision else None,
        "next": next_data(activity),
    }


def sop_data(spec: SopSpec) -> dict[str, Any]:
    """The whole SOP as data."""
    dates = spec.dates
    total = spec.total_duration
    return {
        "id": spec.id,
        "title": spec.title,
        "number": spec.number,
        "kind": spec.kind,
        "organization": {"name": spec.organization.name, "parent": spec.organization.parent,
                         "address": spec.organization.address,
                         "logo": spec.organization.logo},
        "dates": {"created": dates.created and dates.created.isoformat(),
                  "revised": dates.revised and dates.revised.isoformat(),
                  "effective": dates.effective and dates.effective.isoformat()},
        "approved_by": None if spec.approved_by is None else {
            "position": spec.approved_by.position, "name": spec.approved_by.name,
            "nip": spec.approved_by.nip},
        "legal_basis": list(spec.legal_basis),
        "related": list(spec.related),
        "warning": spec.warning,
        "qualifications": list(spec.qualifications),
        "equipment": list(spec.equipment),
        "records": spec.records,
        "actors": {a.slug: {"title": a.title, "reports_to": a.reports_to, "external": a.external}
                   for a in spec.actors},
        "start": None if spec.start is None else {
            "every": spec.start.every, "month": spec.start.month, "day": spec.start.day,
            "period": spec.start.period, "deadline_month": spec.start.deadline_month,
            "deadline_day": spec.start.deadline_day},
        "activities": [activity_data(a) for a in spec.activities],
        "total_minutes": total.minutes,
        "total_days": float(total.days),
    }
