"""Read YAML text into a small tree of positioned nodes (the only ruamel.yaml user).

The SOP format wants every scalar exactly as written (``number: 050`` is the
text ``050``) and every problem placed on its line and column, so the loader
works on composed nodes, not constructed Python values. This module builds
that tree itself from ruamel.yaml's parse events, iteratively (no recursion,
so deeply nested input cannot overflow the stack), and turns every reading
problem into a positioned message (an ``engine.text.Text``), worded for the
kind of file read (``document``: an SOP file or the roster).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.text import Text

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000
PURE_ONLY = False  # tests set it to check both parsers give the same trees

# What libyaml (YAML 1.1) reads differently from YAML 1.2: other line breaks,
# a BOM inside the text, tabs, anchors and aliases, a comment glued to a
# block scalar header, a line of nothing but spaces (which the two read
# differently at the head of a block scalar). Texts with any of them go to the
# YAML 1.2 parser.
_SLOW_CHARS = frozenset("\x85\u2028\u2029\ufeff\t")
_SLOW_FORMS = re.compile(r"(?:^|[\s\[{,:?-])[&*][^\s]|[|>][-+0-9]*#|^ +$", re.MULTILINE)


def _libyaml_reads_it_alike(text: str) -> bool:
    return _SLOW_CHARS.isdisjoint(text) and _SLOW_FORMS.search(text) is None

NodeKind = Literal["map", "seq", "scalar"]
Document = Literal["sop", "roster"]

# The messages that name the kind of file, one whole message per kind (read with _said).
_MESSAGES: dict[Document, dict[str, Text]] = {
    "sop": {
        "too_large": Text("file is too large ({size:,} bytes); an SOP file may be at most "
                          "{limit:,} bytes"),
        "directive": Text("`{directive}` is not supported; SOP files are YAML 1.2 (remove the "
                          "directive or write %YAML 1.2)"),
        "version": Text("%YAML {version} is not supported; SOP files are YAML 1.2 (remove the "
                        "directive or write %YAML 1.2)"),
        "documents": Text("more than one YAML document (`---`); an SOP file holds exactly one"),
        "tag": Text("tag `{tag}` is not allowed; SOP files use plain YAML values without tags"),
        "values": Text("document has more than {limit:,} values; an SOP is far smaller"),
        "depth": Text("nested more than {limit} levels deep; an SOP is far flatter"),
        "empty": Text("the file is empty; an SOP file starts with `format: 1` and `id:`"),
    },
    "roster": {
        "too_large": Text("file is too large ({size:,} bytes); a roster file may be at most "
                          "{limit:,} bytes"),
        "directive": Text("`{directive}` is not supported; roster files are YAML 1.2 (remove "
                          "the directive or write %YAML 1.2)"),
        "version": Text("%YAML {version} is not supported; roster files are YAML 1.2 (remove "
                        "the directive or write %YAML 1.2)"),
        "documents": Text("more than one YAML document (`---`); a roster file holds exactly "
                          "one"),
        "tag": Text("tag `{tag}` is not allowed; roster files use plain YAML values without "
                    "tags"),
        "values": Text("document has more than {limit:,} values; a roster is far smaller"),
        "depth": Text("nested more than {limit} levels deep; a roster is far flatter"),
        "empty": Text("the file is empty; a roster starts with `format: 1` and `units:`"),
    },
}


def _said(document: Document, what: str, **values: Any) -> Text:
    """The message ``what`` worded for ``document``, filled with ``values``."""
    return Text(_MESSAGES[document][what].template, **values)


@dataclass(eq=False, slots=True)
class Node:
    """A YAML node with its 0-based start position.

    ``items`` holds ``(key, value)`` pairs for a mapping and values for a
    sequence; ``text`` holds a scalar's source text; ``plain`` is true for an
    unquoted scalar (only those can mean null, true or a number).
    """

    kind: NodeKind
    line: int
    col: int
    text: str = ""
    plain: bool = True
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    dash_col: int | None = None  # for an item of a block list: the column of its `-`

    @property
    def item_col(self) -> int:
        """Where the item starts: its `-` in a block list, else the node itself."""
        return self.col if self.dash_col is None else self.dash_col

    @property
    def is_null(self) -> bool:
        """True for an unquoted empty, ``~`` or ``null`` scalar (YAML 1.2 core)."""
        return self.kind == "scalar" and self.plain and self.text in NULLS

    def describe(self) -> str:
        """How a user would name this kind of value (a Text; a scalar as written)."""
        if self.kind == "map":
            return Text("a mapping")
        if self.kind == "seq":
            return Text("a list")
        if self.is_null:
            return Text("empty")
        return f"`{self.text}`"


NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A problem found while reading; 0-based position."""

    line: int
    col: int
    message: str  # a Text


class YamlReadError(Exception):
    """The bytes are not one readable YAML 1.2 document."""

    def __init__(self, problem: ReadProblem) -> None:
        self.problem = problem
        super().__init__(problem.message)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return line, index - start


def decode(data: bytes, document: Document = "sop") -> str:
    """Decode UTF-8 (a BOM is allowed), or raise a positioned YamlReadError."""
    if len(data) > MAX_BYTES:
        raise YamlReadError(
            ReadProblem(0, 0, _said(document, "too_large", size=len(data), limit=MAX_BYTES))
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        line, col = _position(good, len(good))
        raise YamlReadError(
            ReadProblem(line, col, Text("not valid UTF-8 (byte 0x{byte:02x}); save the file "
                                        "as UTF-8 text", byte=data[exc.start]))
        ) from None


def _tab_problem(text: str, line: int) -> ReadProblem | None:
    """A tab in the indentation of ``line`` or a line before it, if any."""
    lines = text.split("\n")
    for number in range(min(line, len(lines) - 1), -1, -1):
        raw = lines[number]
        indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in indent and raw.strip():
            return ReadProblem(number, indent.index("\t"),
                               Text("tab character in the indentation; YAML indents with "
                                    "spaces only (replace the tab with spaces)"))
    return None


def _syntax_problem(text: str, exc: Exception) -> ReadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = getattr(mark, "line", 0) or 0
    col = getattr(mark, "column", 0) or 0
    position = getattr(exc, "position", None)
    if mark is None and isinstance(position, int):  # ReaderError
        line, col = _position(text, position)
        character = getattr(exc, "character", None)
        code = ord(character) if isinstance(character, str) else character
        if isinstance(code, int):
            return ReadProblem(line, col, Text("control character #x{code:04x} is not allowed "
                                               "in a YAML file; remove it", code=code))
    if "\t" in str(problem) or "'\\t'" in str(problem):
        tab = _tab_problem(text, line)
        if tab is not None:
            return tab
    tab = _tab_problem(text, line)
    if tab is not None:
        return tab
    return ReadProblem(line, col, Text("YAML syntax error: {problem}", problem=str(problem)))


def read_tree(text: str, document: Document = "sop") -> Node:
    """Parse one YAML 1.2 document into a Node tree; raise YamlReadError otherwise (its
    message worded for ``document``: an SOP file or the roster)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    lines = text.split("\n")
    for number, raw in enumerate(lines):
        if raw.startswith("---") or (raw.strip() and not raw.startswith(("%", "#"))):
            break
        if raw.startswith("%YAML") and raw.split()[1:2] != ["1.2"]:
            raise YamlReadError(ReadProblem(
                number, 0, _said(document, "directive", directive=raw.strip())))
    # libyaml (through ruamel.yaml.clib) is ~30x faster but reads YAML 1.1: it
    # refuses a few YAML 1.2 forms such as `{Ya: end:ditolak}`. So the fast
    # parser goes first and the pure YAML 1.2 parser has the last word.
    if not PURE_ONLY and _libyaml_reads_it_alike(text):
        try:
            return _compose(YAML(typ="safe").parse(io.StringIO(text)), lines, document)
        except Exception:
            pass
    try:
        return _compose(YAML(typ="safe", pure=True).parse(io.StringIO(text)), lines, document)
    except YamlReadError:
        raise
    except (YAMLError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise YamlReadError(_syntax_problem(text, exc)) from None


def _compose(events: object, lines: list[str], document: Document = "sop") -> Node:
    """Build the tree from parse events with an explicit stack."""
    from ruamel.yaml import events as ev

    root: Node | None = None
    documents = 0
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    anchors: dict[str, Node] = {}
    open_nodes: set[int] = set()
    count = 0

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.items.append(node)
            if node.line < len(lines):
                before = lines[node.line][: node.col].rstrip()
                if before.endswith("-") and node.dash_col is None:
                    node.dash_col = len(before) - 1
        elif pending_key[-1] is None:
            pending_key[-1] = node
        else:
            key = pending_key[-1]
            assert key is not None
            if node.kind == "scalar" and node.plain and node.text == "" and not node.pairs:
                # ruamel places an empty value at the next token; put it after its key
                node.line, node.col = key.line, key.col + len(key.text) + 1
            parent.pairs.append((key, node))
            pending_key[-1] = None

    for event in events:  # type: ignore[attr-defined]
        mark = event.start_mark
        line, col = (mark.line, mark.column) if mark is not None else (0, 0)
        if isinstance(event, ev.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlReadError(ReadProblem(line, col, _said(document, "documents")))
            version = getattr(event, "version", None)
            if version is not None and tuple(version) != (1, 2):
                raise YamlReadError(ReadProblem(line, col, _said(
                    document, "version", version=".".join(map(str, version)))))
            continue
        if isinstance(event, ev.CollectionEndEvent):
            closed = stack.pop()
            pending_key.pop()
            open_nodes.discard(id(closed))
            continue
        if not isinstance(event, ev.NodeEvent):
            continue
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ("!", ""):
            raise YamlReadError(ReadProblem(line, col, _said(document, "tag", tag=str(tag))))
        count += 1
        if count > MAX_NODES:
            raise YamlReadError(ReadProblem(line, col, _said(document, "values",
                                                             limit=MAX_NODES)))
        if isinstance(event, ev.AliasEvent):
            target = anchors.get(str(event.anchor))
            if target is None:
                raise YamlReadError(ReadProblem(line, col, Text(
                    "alias `*{anchor}` names no anchor", anchor=str(event.anchor))))
            if id(target) in open_nodes:
                raise YamlReadError(ReadProblem(line, col, Text(
                    "alias `*{anchor}` refers to a value that contains it (a loop)",
                    anchor=str(event.anchor))))
            attach(target)
            continue
        if isinstance(event, ev.ScalarEvent):
            node = Node("scalar", line, col, text=event.value, plain=not event.style)
        elif isinstance(event, ev.MappingStartEvent):
            node = Node("map", line, col)
        else:  # SequenceStartEvent
            node = Node("seq", line, col)
        if event.anchor is not None:
            anchors[str(event.anchor)] = node
        if node.kind == "scalar":
            attach(node)
            continue
        if stack and stack[-1].kind == "map" and pending_key[-1] is None:
            raise YamlReadError(ReadProblem(line, col, Text("a key must be plain text, not "
                                                            "{found}", found=node.describe())))
        attach(node)
        if len(stack) >= MAX_DEPTH:
            raise YamlReadError(ReadProblem(line, col, _said(document, "depth",
                                                             limit=MAX_DEPTH)))
        stack.append(node)
        pending_key.append(None)
        open_nodes.add(id(node))
    if root is None:
        raise YamlReadError(ReadProblem(0, 0, _said(document, "empty")))
    return root
