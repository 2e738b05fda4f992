"""Load roster.yaml into a ``Roster``, reporting every problem with its place.

The keys are declared here with the SOP format's ``Key``/``Section`` and
checked by the SOP loader's ``Checker``, so both files read and complain
alike: FILE:LINE:COL, what would be accepted, did you mean.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.checker import Checker
from engine.errors import ConfigError, Problem
from engine.roster import Acting, Person, Roster, Unit
from engine.sop_format import SLUG_PATTERN, Key, Section
from engine.text import Text
from engine.yaml_tree import Node, YamlReadError, decode, read_tree

FORMATS = (1,)
PERSON_ID_PATTERN = r"^[a-z0-9]+([-_.][a-z0-9]+)*$"
_PERSON_ID = re.compile(PERSON_ID_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)
_NIP = re.compile(r"\d(?: *\d){17}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?\d[\d -]{6,20}\d")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")

# Key kinds reuse the SOP format's words: "actors" is a mapping of slugs to
# sections, "activities" a list of sections, "actor_refs" a list of slugs.
ACTING = Section("acting", (
    Key("role", "Jabatan", "slug", "The role acted for (an actor slug of the SOPs).",
        required=True),
    Key("from", "Mulai", "date", "First day of the acting, YYYY-MM-DD.", required=True),
    Key("until", "Sampai", "date", "Last day of the acting (included), YYYY-MM-DD.",
        required=True),
))

PERSON = Section("person", (
    Key("id", "ID", "slug", "The person's id: how they say who is acting.", required=True),
    Key("name", "Nama", "text", "The person's name.", required=True),
    Key("nip", "NIP", "nip", "NIP: 18 digits (spaces allowed)."),
    Key("roles", "Jabatan", "actor_refs",
        "The actor slugs of the SOPs this person holds (may be empty).", required=True),
    Key("email", "E-mail", "text", "E-mail address for reminders."),
    Key("telegram", "Telegram", "text", "Telegram chat id or @username."),
    Key("whatsapp", "WhatsApp", "text", "WhatsApp number, like +6281234567890."),
    Key("notify", "Notifikasi", "texts", "Apprise URLs for this person's reminders."),
    Key("acting", "Plt/Plh", "activities", "Roles held for a while (Plt/Plh).",
        section=ACTING),
    Key("sample", "Contoh", "bool", "True for an example person written by `alur init`."),
))

UNIT = Section("unit", (
    Key("name", "Nama Unit Kerja", "text", "The unit's name.", required=True),
    Key("people", "Pegawai", "activities", "The people of the unit, in order.",
        required=True, section=PERSON),
))

TOP = Section(Text("the roster"), (
    Key("format", "Format", "format", "Version of the roster format: 1.", required=True),
    Key("units", "Unit kerja", "actors", "The units by slug (how a run names its unit).",
        required=True, section=UNIT),
))


def _top_format(c: Checker, node: Node) -> None:
    if not (node.kind == "scalar" and node.plain and node.text in {str(f) for f in FORMATS}):
        readable = ", ".join(str(f) for f in FORMATS)
        c.error(node, Text("unknown format {found}; this version of Alur reads roster format "
                           "{formats} (write `format: 1`)", found=node.describe(),
                           formats=readable))


_ROLE = Text("an actor slug of the SOPs (lowercase letters and digits joined by single "
             "hyphens, like `kasi-tapem`)")


def _matching(c: Checker, name: str, node: Node, pattern: re.Pattern[str],
              accepted: str, required: bool = False) -> str | None:
    value = c.text(name, node, required)
    if value is not None and not pattern.fullmatch(value):
        c.error(node, Text("`{key}` must be {accepted}, not `{value}`", key=name,
                           accepted=accepted, value=value))
        return None
    return value


def _roles(c: Checker, node: Node) -> tuple[str, ...]:
    if node.is_null:
        return ()
    if node.kind == "map":
        c.error(node, Text("`roles` must be a list of actor slugs (like `[camat]`), not a "
                           "mapping"))
        return ()
    roles: list[str] = []
    for item in node.items if node.kind == "seq" else [node]:
        role = _matching(c, "role", item, _SLUG, _ROLE, required=True)
        if role is not None and role in roles:
            c.error(item, Text("role `{role}` is listed twice", role=role))
        elif role is not None:
            roles.append(role)
    return tuple(roles)


def _notify(c: Checker, node: Node) -> tuple[str, ...]:
    if node.kind == "map":
        c.error(node, Text("`notify` must be an apprise URL or a list of them, not a mapping"))
        return ()
    urls: list[str] = []
    for item in node.items if node.kind == "seq" else [node]:
        url = c.text("notify", item)
        if url is None or _URL.fullmatch(url):
            urls += [url] if url else []
        else:
            c.error(item, Text("`notify` takes apprise URLs such as `tgram://BOTTOKEN/CHATID` "
                               "or `mailto://user:pass@example.com`, not `{url}`", url=url))
    return tuple(urls)


def _acting(c: Checker, node: Node, where: str) -> tuple[Acting, ...]:
    if node.is_null:
        return ()
    if node.kind != "seq":
        c.error(node, Text("`acting` must be a list of {{role, from, until}}, not {found}",
                           found=node.describe()))
        return ()
    result: list[Acting] = []
    for number, item in enumerate(node.items, start=1):
        found = c.mapping(item, ACTING, Text("acting {number} of {where}", number=number,
                                             where=where))
        role = _matching(c, "role", found["role"][1], _SLUG, _ROLE, required=True) \
            if "role" in found else None
        start = c.date("from", found["from"][1]) if "from" in found else None
        until = c.date("until", found["until"][1]) if "until" in found else None
        if start is not None and until is not None and until < start:
            c.error(found["until"][1], Text("`until` ({until}) is before `from` ({start})",
                                            until=until.isoformat(), start=start.isoformat()))
        elif role is not None and start is not None and until is not None:
            result.append(Acting(role, start, until))
    return tuple(result)


def _person(c: Checker, item: Node, where: str) -> Person | None:
    found = {name: value for name, (_key, value) in c.mapping(item, PERSON, where).items()}
    before = len(c.problems)

    def read(name: str, pattern: re.Pattern[str] | None = None, accepted: str = "",
             required: bool = False) -> str | None:
        if name not in found:
            return None
        if pattern is None:
            return c.text(name, found[name], required)
        return _matching(c, name, found[name], pattern, accepted, required)

    person_id = read("id", _PERSON_ID, Text("lowercase letters and digits joined by single "
                                            "`-`, `_` or `.` (like `camat` or `staf-1`)"),
                     required=True)
    name = read("name", required=True)
    nip = read("nip", _NIP, Text("a NIP of 18 digits (spaces allowed)"))
    person = Person(
        id=person_id or "", name=name or "",
        roles=_roles(c, found["roles"]) if "roles" in found else (),
        nip=nip.replace(" ", "") if nip else None,
        email=read("email", _EMAIL, Text("an e-mail address like `camat@example.go.id`")),
        telegram=read("telegram"),
        whatsapp=read("whatsapp", _PHONE, Text("a phone number like `+6281234567890`")),
        notify=_notify(c, found["notify"]) if "notify" in found else (),
        acting=_acting(c, found["acting"], where) if "acting" in found else (),
        sample=c.boolean("sample", found["sample"]) if "sample" in found else False)
    return person if len(c.problems) == before and person_id and name else None


def _unit(c: Checker, slug: str, node: Node) -> Unit | None:
    where = Text("unit `{unit}`", unit=slug)
    found = c.mapping(node, UNIT, where)
    name_node = found["name"][1] if "name" in found else None
    name = c.text("name", name_node, required=True) if name_node is not None else None
    if "people" not in found:
        return None
    people_node = found["people"][1]
    if people_node.kind != "seq":
        c.error(people_node, Text("`people` of {where} must be a list of people (`- id: ...`), "
                                  "not {found}", where=where, found=people_node.describe()))
        return None
    if not people_node.items:
        c.error(people_node, Text("{where} has no people; list at least one under `people`",
                                  where=where))
    people: list[Person] = []
    first: dict[str, Node] = {}
    ok = True
    for number, item in enumerate(people_node.items, start=1):
        person = _person(c, item, Text("person {number} of {where}", number=number,
                                       where=where))
        id_node = next((v for k, v in item.pairs if k.text == "id"), None)
        if id_node is not None and id_node.kind == "scalar" and id_node.text.strip():
            person_id = id_node.text.strip()
            if person_id in first:
                c.error(id_node, Text("person id `{person}` is used twice in {where} (first at "
                                      "line {line}); ids are unique in a unit",
                                      person=person_id, where=where,
                                      line=first[person_id].line + 1))
                ok = False
            first.setdefault(person_id, id_node)
        if person is None:
            ok = False
        else:
            people.append(person)
    return Unit(slug, name, tuple(people)) if ok and name else None


def parse_roster(tree: Node, c: Checker) -> Roster | None:
    """Check a whole roster tree; return the roster when nothing is wrong."""
    if tree.kind != "map":
        c.error(tree, Text("roster.yaml must be a mapping of keys (`format: 1`, `units: ...`), "
                           "not {found}", found=tree.describe()))
        return None
    top = c.mapping(tree, TOP)
    if "format" in top:
        _top_format(c, top["format"][1])
    if "units" not in top:
        return None
    node = top["units"][1]
    if node.kind != "map":
        c.error(node, Text("`units` must be a mapping of unit slugs to units (`darangdan: "
                           "{{name: ..., people: [...]}}`), not {found}", found=node.describe()))
        return None
    if not node.pairs:
        c.error(node, Text("`units` needs at least one unit"))
    units: list[Unit] = []
    seen: dict[str, Node] = {}
    for key, value in node.pairs:
        slug = key.text
        if slug in seen:
            c.error(key, Text("unit `{unit}` is listed twice (first at line {line})", unit=slug,
                              line=seen[slug].line + 1))
            continue
        seen[slug] = key
        if not _SLUG.match(slug):
            c.error(key, Text("a unit slug must be lowercase letters and digits joined by "
                              "single hyphens (like `darangdan`), not `{unit}`", unit=slug))
        unit = _unit(c, slug, value)
        if unit is not None:
            units.append(unit)
    if c.problems:
        return None
    return Roster(tuple(units), c.file)


def load_roster_text(data: str | bytes, file: str = "roster.yaml") -> Roster:
    """Load roster text or bytes; raise ConfigError listing every problem."""
    try:
        text = decode(data, "roster") if isinstance(data, bytes) else data
        tree = read_tree(text, "roster")
    except YamlReadError as exc:
        p = exc.problem
        raise ConfigError([Problem(file, p.line + 1, p.col + 1, p.message)]) from None
    c = Checker(file)
    roster = parse_roster(tree, c)
    if roster is None:
        raise ConfigError(sorted(c.problems, key=lambda p: (p.line, p.column)))
    return roster


def load_roster(path: str | Path) -> Roster:
    """Load roster.yaml from disk; a missing file says that `alur init` creates one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError.at(str(path), 1, 1, Text(
            "the roster file does not exist; `alur init` creates one with sample people to "
            "edit")) from None
    except OSError as exc:
        raise ConfigError.at(str(path), 1, 1, Text("cannot read the roster file: {reason}",
                                                   reason=exc.strerror or str(exc))) from None
    return load_roster_text(data, str(path))
