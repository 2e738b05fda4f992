"""Who holds which role in which unit: the roster as frozen data (read by roster_loader).

A role (an SOP actor slug) may have several holders; a person may hold
several roles, and for a while act for another (Plt/Plh). While an acting
range covers a day, steps of that role go to the acting holders, and the
regular holders may still complete them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.checker import suggest
from engine.errors import PersonNotFound, UnitNotFound, in_file, in_unit
from engine.text import Text


@dataclass(frozen=True, slots=True)
class Acting:
    """Acting for ``role`` (Plt/Plh) from ``start`` to ``until``, both days included."""

    role: str
    start: date
    until: date

    def covers(self, role: str, day: date) -> bool:
        """True when this acting is for ``role`` and its range holds ``day``."""
        return self.role == role and self.start <= day <= self.until


@dataclass(frozen=True, slots=True)
class Person:
    """One person of a unit: the roles held and how to reach them."""

    id: str
    name: str
    roles: tuple[str, ...]
    nip: str | None = None
    email: str | None = None
    telegram: str | None = None
    whatsapp: str | None = None
    notify: tuple[str, ...] = ()  # apprise URLs
    acting: tuple[Acting, ...] = ()
    sample: bool = False  # written by `alur init` as an example, not a real person

    def holds(self, role: str) -> bool:
        """True when ``role`` is one of this person's regular roles."""
        return role in self.roles

    def acts_as(self, role: str, day: date) -> bool:
        """True when an acting range of this person for ``role`` covers ``day``."""
        return any(acting.covers(role, day) for acting in self.acting)


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit (kecamatan, dinas, ...) and its people, in roster order."""

    slug: str
    name: str
    people: tuple[Person, ...]

    def person(self, person_id: str) -> Person:
        """The person with this id; PersonNotFound (with did-you-mean) otherwise."""
        for person in self.people:
            if person.id == person_id:
                return person
        known = [p.id for p in self.people]
        raise PersonNotFound(person_id, known, suggest(person_id, known) or "",
                             where=in_unit(self.slug))

    def holders(self, role: str, day: date) -> tuple[Person, ...]:
        """Who a step of ``role`` goes to on ``day``: acting holders if any, else the regular."""
        acting = tuple(p for p in self.people if p.acts_as(role, day))
        return acting or self.regular_holders(role)

    def regular_holders(self, role: str) -> tuple[Person, ...]:
        """The people holding ``role`` as one of their own roles, in roster order."""
        return tuple(p for p in self.people if p.holds(role))

    def may_act_for(self, role: str, person_id: str, day: date) -> bool:
        """True when the person regularly holds ``role`` or acts for it on ``day``."""
        return any(p.id == person_id and (p.holds(role) or p.acts_as(role, day))
                   for p in self.people)

    def members(self) -> tuple[Person, ...]:
        """Everyone in the unit, in roster order."""
        return self.people

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role someone of the unit holds regularly, in order of first mention."""
        return tuple(dict.fromkeys(role for p in self.people for role in p.roles))


class UnitNotGiven(UnitNotFound):
    """The roster has several units (or none) and no unit was named."""

    def __init__(self, known: tuple[str, ...]) -> None:
        self.key = ""
        self.known = known
        if known:
            message = Text("the roster has several units ({units}); name one",
                           units=", ".join(known))
        else:
            message = Text("the roster has no units; add one to roster.yaml")
        LookupError.__init__(self, message)


@dataclass(frozen=True, slots=True)
class Roster:
    """Every unit of a workspace, read from ``file``."""

    units: tuple[Unit, ...]
    file: str = "roster.yaml"

    @property
    def slugs(self) -> tuple[str, ...]:
        """The unit slugs, in roster order."""
        return tuple(u.slug for u in self.units)

    def unit(self, slug: str | None) -> Unit:
        """The unit named ``slug``; with None, the only unit of the roster."""
        if slug is None:
            if len(self.units) == 1:
                return self.units[0]
            raise UnitNotGiven(self.slugs)
        for unit in self.units:
            if unit.slug == slug:
                return unit
        raise UnitNotFound(slug, self.slugs, suggest(slug, self.slugs) or "",
                           where=in_file(self.file))
