"""Who holds which role of the SOPs on a day, and what is missing: roles nobody holds, people
who cannot be reached through the channels that are on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import Problem
from engine.loader import LoadedSop
from engine.roster import Roster, Unit
from engine.text import Text


@dataclass(frozen=True, slots=True)
class Holder:
    """A person holding a role on the day; ``acting`` for a Plt/Plh."""

    person: str
    name: str
    acting: bool


@dataclass(frozen=True, slots=True)
class RoleHolders:
    """A role the SOPs use, where (its titles, its SOPs), and who holds it in a unit."""

    unit: str
    role: str
    title: str
    sops: tuple[str, ...]
    holders: tuple[Holder, ...]


def sop_roles(sops: Sequence[LoadedSop]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every role of the unit the SOPs use: its title and the SOPs using it."""
    found: dict[str, tuple[str, list[str]]] = {}
    for loaded in sops:
        for actor in loaded.spec.actors:
            if actor.external:
                continue
            _title, using = found.setdefault(actor.slug, (actor.title, []))
            using.append(loaded.spec.id)
    return {role: (title, tuple(using)) for role, (title, using) in found.items()}


def holders_of(unit: Unit, role: str, day: dt.date) -> tuple[Holder, ...]:
    """Regular holders and, marked, those acting for the role on ``day``."""
    regular = [Holder(p.id, p.name, False) for p in unit.people if p.holds(role)]
    acting = [Holder(p.id, p.name, True) for p in unit.people
              if p.acts_as(role, day) and not p.holds(role)]
    return tuple(acting + regular)


def roles_report(roster: Roster, sops: Sequence[LoadedSop], day: dt.date,
                 unit: str | None = None) -> list[RoleHolders]:
    """For each unit (or one), each role of the SOPs with its holders on ``day``."""
    roles = sop_roles(sops)
    units = [roster.unit(unit)] if unit else list(roster.units)
    return [RoleHolders(u.slug, role, title, using, holders_of(u, role, day))
            for u in units for role, (title, using) in sorted(roles.items())]


def contact_problems(roster: Roster, sops: Sequence[LoadedSop], channels: Sequence[str],
                     shared_apprise: bool = False) -> list[Text]:
    """People holding a role of the SOPs whom a channel that is on cannot reach (messages)."""
    roles = set(sop_roles(sops))
    problems = []
    for unit in roster.units:
        for person in unit.people:
            if not roles.intersection(person.roles):
                continue
            if "email" in channels and not person.email:
                problems.append(Text("{person} ({unit}) has no `email`, and the email channel "
                                     "is on", person=person.id, unit=unit.slug))
            if "apprise" in channels and not person.notify and not shared_apprise:
                problems.append(Text("{person} ({unit}) has no `notify` URL, and the apprise "
                                     "channel is on", person=person.id, unit=unit.slug))
    return problems


def _actor_position(text: str, slug: str) -> tuple[int, int]:
    """Where an actor is declared in an SOP file (its key under `actors:`)."""
    start = text.find("\nactors:")
    match = re.compile(rf"^([ \t]+){re.escape(slug)}[ \t]*:", re.MULTILINE).search(
        text, max(start, 0))
    if match is None:
        return 1, 1
    return text.count("\n", 0, match.start()) + 1, len(match.group(1)) + 1


def unheld_role_warnings(roster: Roster, sops: Sequence[LoadedSop],
                         day: dt.date) -> list[Problem]:
    """A warning at each actor of an SOP that nobody in some unit holds on ``day``."""
    warnings = []
    for loaded in sops:
        for actor in loaded.spec.actors:
            if actor.external:
                continue
            empty = [u.slug for u in roster.units if not holders_of(u, actor.slug, day)]
            if empty:
                line, column = _actor_position(loaded.text, actor.slug)
                warnings.append(Problem(loaded.path, line, column, Text(
                    "role `{role}` ({title}) has no holder in unit {units} of the roster",
                    role=actor.slug, title=actor.title, units=", ".join(empty)), warning=True))
    return warnings
