"""Keeping the message catalogues: extract, update, translate, check.

    python -m runners.catalog update [--prune]  # code -> runners/locale/{id,en}/.../alur.po
                                                # (--prune: drop entries no code uses)
    python -m runners.catalog todo [--under PATH]... [-o F.json]
                                                # the id entries still to translate
    python -m runners.catalog translate F.json  # {"English id": "Bahasa Indonesia", ...}
    python -m runners.catalog check             # exit 1 when an entry is missing or untranslated

The messages are found by reading the code (``ast``), not by running it:
calls of ``_``, ``N_``, ``ngettext`` and ``Text`` with a literal first
argument; ``help=`` and ``short_help=`` of click options, arguments and
commands; the docstrings of click commands (their help); and the calls of
``_`` and ``ngettext`` in the web's Jinja2 templates (``runners/web/templates``). Click's own
words (``Usage:``, ``Error: {message}``...) are taken from the installed
click. ``update`` keeps every translation whose English id is unchanged and
drops those no code uses any more.
"""

from __future__ import annotations

import ast
import fcntl
import inspect
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from runners.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

REPO_PACKAGES = ("engine", "storage", "runners")
CALLS = {"_", "N_", "Text"}
PLURAL_CALLS = {"ngettext"}
CLICK_CALLS = {"option", "argument", "command", "group", "Option", "Argument",
               "version_option", "password_option", "confirmation_option"}
HELP_KEYWORDS = ("help", "short_help")
TEMPLATES = "runners/web/templates"  # Jinja2 pages, under the repository root
TEMPLATE_CALLS = ("_", "ngettext")

Message = str | tuple[str, str]


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_command(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a click decorator makes ``function`` a command (its docstring is its help)."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _name(target) in ("command", "group"):
            return True
    return False


def messages_in(source: str) -> Iterator[tuple[int, Message]]:
    """Every message of one Python source, with its line."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            first = _literal(node.args[0]) if node.args else None
            if name in CALLS and first:
                yield node.lineno, first
            elif name in PLURAL_CALLS and len(node.args) >= 2:
                second = _literal(node.args[1])
                if first and second:
                    yield node.lineno, (first, second)
            if name in CLICK_CALLS:
                for keyword in node.keywords:
                    text = _literal(keyword.value)
                    if keyword.arg in HELP_KEYWORDS and text:
                        yield node.lineno, inspect.cleandoc(text)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, doc


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
            options: Any) -> Iterator[tuple[int, str, Message, list[str]]]:
    """A Babel extraction method (``runners.catalog:extract``) doing what ``messages_in`` does."""
    for line, message in messages_in(fileobj.read().decode("utf-8")):
        yield line, "_", message, []


def template_messages(source: bytes) -> Iterator[tuple[int, Message]]:
    """Every message of one Jinja2 template (the web's pages): calls of ``_`` and
    ``ngettext`` with literal ids, read by Jinja2's own Babel extractor."""
    import io

    from jinja2.ext import babel_extract

    for line, _function, message, _comments in babel_extract(
            io.BytesIO(source), TEMPLATE_CALLS, [], {"trim_blocks": "true",
                                                     "lstrip_blocks": "true"}):
        if isinstance(message, str):
            yield line, message
        elif isinstance(message, tuple | list) and len(message) >= 2:
            singular, plural = message[0], message[1]
            if isinstance(singular, str) and isinstance(plural, str):
                yield line, (singular, plural)


def code_messages(root: Path) -> dict[Message, list[tuple[str, int]]]:
    """Every message of Alur's packages under ``root`` and of the web's templates, with
    where it is used (a file that does not parse is named on standard error and skipped)."""
    found: dict[Message, list[tuple[str, int]]] = {}
    for path in sorted((root / TEMPLATES).rglob("*.html")):
        where = path.relative_to(root).as_posix()
        try:
            for line, message in template_messages(path.read_bytes()):
                found.setdefault(message, []).append((where, line))
        except Exception as exc:  # a template Jinja2 cannot read (jinja2.TemplateSyntaxError)
            print(f"{where}: skipped, it does not parse: {exc}", file=sys.stderr)
    for package in REPO_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            try:
                messages = list(messages_in(path.read_text(encoding="utf-8")))
            except SyntaxError as exc:
                print(f"{where}:{exc.lineno}: skipped, it does not parse: {exc.msg}",
                      file=sys.stderr)
                continue
            for line, message in messages:
                found.setdefault(message, []).append((where, line))
    return found


def click_messages() -> dict[Message, list[tuple[str, int]]]:
    """Click's own messages (it calls ``gettext`` with them), from the installed click."""
    import click
    from babel.messages.extract import extract_from_dir

    folder = Path(click.__file__).parent
    found: dict[Message, list[tuple[str, int]]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python")],
            keywords={"_": None, "ngettext": (1, 2)}):
        if message in ("d",) or filename.startswith("_win"):
            continue  # a format letter and Windows-only errors
        key: Message = (message[0], message[1]) if isinstance(message, tuple) else message
        found.setdefault(key, []).append((f"click/{filename}", line))
    return found


def template(root: Path) -> Any:
    """The catalogue template (a Babel ``Catalog``) of everything to translate."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(domain=DOMAIN, project="Alur", charset="utf-8")
    for source in (code_messages(root), click_messages()):
        for message, places in source.items():
            catalog.add(message, locations=places)
    return catalog


def po_path(code: str) -> Path:
    """Where the catalogue of language ``code`` is kept."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(code: str) -> Any:
    """The catalogue of ``code`` as a Babel ``Catalog`` (an empty one if there is none yet)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = po_path(code)
    if not path.exists():
        return Catalog(locale=code, domain=DOMAIN, project="Alur", charset="utf-8")
    with path.open("rb") as source:
        return read_po(source, locale=code, domain=DOMAIN)


def write(code: str, catalog: Any) -> None:
    """Write the catalogue of ``code``: sorted, file names without line numbers (quiet diffs)."""
    import datetime as dt

    from babel.messages.pofile import write_po

    fixed = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # no date churn in the diffs
    catalog.creation_date = catalog.revision_date = fixed
    catalog.fuzzy = False
    catalog.project, catalog.version = "Alur", "1"
    catalog.copyright_holder = "the Alur authors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = "Alur"
    catalog.header_comment = (f"# The {LANGUAGES[code]} messages of Alur "
                              f"(python -m runners.catalog update).\n#")
    path = po_path(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".po.partial")
    with partial.open("wb") as target:
        write_po(target, catalog, width=100, sort_output=True, include_lineno=False,
                 omit_header=False)
    partial.replace(path)


@contextmanager
def locked() -> Iterator[None]:
    """One catalogue writer at a time."""
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(root: Path, prune: bool = False) -> dict[str, int]:
    """Bring both catalogues in line with the code; how many entries each has.

    An entry no code uses any more is kept as obsolete (``#~``) unless ``prune``, and its
    translation comes back when its id is used again (while several people edit)."""
    pot = template(root)
    sizes = {}
    with locked():
        for code in LANGUAGES:
            catalog = read(code)
            memory = {m.id: m.string for m in [*catalog, *catalog.obsolete.values()]
                      if m.id and _translated(m.string)}
            catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
            for message in catalog:
                if message.id and not _translated(message.string) and message.id in memory:
                    message.string = memory[message.id]
                catalog.obsolete.pop(message.id, None)
            if prune:
                catalog.obsolete.clear()
            write(code, catalog)
            sizes[code] = len(catalog)
    return sizes


def _key(message: Any) -> Message:
    return tuple(message) if isinstance(message, list | tuple) else message


def todo(code: str = "id", under: tuple[str, ...] = ()) -> list[Message]:
    """The entries of ``code`` without a (non-fuzzy) translation (only those used in files
    whose path starts with one of ``under``, when given)."""
    catalog = read(code)
    return [_key(m.id) for m in catalog if m.id and (m.fuzzy or not _translated(m.string))
            and (not under or any(f.startswith(under) for f, _line in m.locations))]


def _translated(string: Any) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def translate(pairs: dict[str, Any], code: str = "id") -> tuple[int, list[str]]:
    """Set translations (English id -> text, or -> [singular, plural] for plural entries);
    the number set and the ids that are not in the catalogue."""
    done, unknown = 0, []
    with locked():
        catalog = read(code)
        for msgid, text in pairs.items():
            entry = catalog.get(msgid)
            if entry is None:
                entry = next((m for m in catalog if isinstance(m.id, tuple | list)
                              and m.id[0] == msgid), None)
            if entry is None:
                unknown.append(msgid)
                continue
            entry.string = tuple(text) if isinstance(text, list) else text
            entry.flags.discard("fuzzy")
            done += 1
        write(code, catalog)
    return done, unknown


def missing(root: Path) -> dict[str, list[Message]]:
    """Per language, the messages the code and click use that its catalogue lacks."""
    wanted = set(code_messages(root)) | set(click_messages())
    result = {}
    for code in LANGUAGES:
        have = {_key(m.id) for m in read(code) if m.id}
        result[code] = sorted(wanted - have, key=str)
    return result


def main(argv: list[str]) -> int:
    """The command line of this module."""
    root = Path(__file__).resolve().parent.parent
    if not argv or argv[0] not in ("update", "todo", "translate", "check"):
        print(__doc__)
        return 2
    if argv[0] == "update":
        sizes = update(root, prune="--prune" in argv)
        print("updated: " + ", ".join(f"{code} {n} entries" for code, n in sizes.items()))
        left = todo("id")
        print(f"{len(left)} id entries to translate (python -m runners.catalog todo)")
        return 0
    if argv[0] == "todo":
        under = tuple(argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--under")
        output = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-o"), None)
        blank: dict[str, str | list[str]] = {
            m if isinstance(m, str) else m[0]: "" if isinstance(m, str) else [""]
            for m in todo("id", under)}
        text = json.dumps(blank, ensure_ascii=False, indent=1)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            print(f"{len(blank)} entries written to {output}")
        else:
            print(text)
        return 0
    if argv[0] == "translate":
        pairs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        done, unknown = translate({k: v for k, v in pairs.items() if v})
        print(f"{done} translations set" + (f"; not in the catalogue: {unknown}" if unknown
                                              else ""))
        return 1 if unknown else 0
    lacking = missing(root)
    untranslated = todo("id")
    for code, messages in lacking.items():
        for message in messages:
            print(f"{code}: missing: {message!r}")
    for message in untranslated:
        print(f"id: untranslated: {message!r}")
    return 1 if untranslated or any(lacking.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
