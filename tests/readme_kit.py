"""The README's transcripts, replayed: every `$ alur ...` shown is run and its real output
compared (or written back with ``python -m tests.readme_kit --write``).

A console block is checked when an HTML comment (invisible on GitHub) comes right before it:

    <!-- transcript kecamatan at 2026-01-05T08:00 08:02 = -->

runs its commands in the workspace folder ``kecamatan`` (``alur init`` runs in the folder
above it), each at the next time of the list (``HH:MM`` keeps the date before it, ``=``
the time before; the last one holds for the rest). Steps a reader need not see are
played by a comment of their own, each line a time and a command, or ``sh`` and a shell
command (run in the workspace):

    <!-- transcript kecamatan, not shown:
    2026-01-05T10:00 alur step complete 1 himpun --as kasi-tapem
    sh cp sops/pengumpulan-data-kinerja.yaml lakip-rusak.yaml
    -->

A console block that is not replayed says why: ``<!-- transcript skip: the demo's timing
varies -->``. In an output, a line ``...`` stands for any lines left out, and ``<…>``
within a line for any text (a random token). A command may read a line from standard
input as ``echo TEXT | alur ...``. Outputs are read
at 80 columns, in the default language, with the workspaces under ``/tmp``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SHOWN_ROOT = "/tmp"
ANY_TEXT = "<…>"  # in a shown line: any text (a random token, say)
COMMENT = re.compile(r"<!--\s*transcript\s+(.*?)-->", re.S)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


@dataclass
class Command:
    """One shown command of a block: its line, when it runs, the output the README shows."""

    line: str
    at: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One console block (or a hidden one), where it is in the README."""

    workspace: str
    commands: list[Command]
    start: int = 0  # the block's text span in the README (shown blocks)
    end: int = 0
    hidden: bool = False
    skip: str = ""
    file: tuple[str, str] | None = None  # a file block: its name and text, written as shown


def _times(tokens: list[str], previous: str) -> Iterator[str]:
    current = previous
    for token in tokens:
        if token == "=":
            pass
        elif re.fullmatch(r"\d{1,2}:\d{2}", token):
            current = current[:11] + token.zfill(5)
        else:
            dt.datetime.fromisoformat(token)
            current = token
        yield current


def _hidden(workspace: str, rest: str, last_time: str) -> tuple[Block, str]:
    commands = []
    for raw in rest.strip().splitlines():
        line = raw.strip()
        if line.startswith("sh "):
            commands.append(Command(line, last_time))
            continue
        when, _, command = line.partition(" ")
        last_time = next(_times([when], last_time))
        commands.append(Command(command.strip(), last_time))
    return Block(workspace, commands, hidden=True), last_time


def parse(text: str) -> list[Block]:
    """The README's replayed, written and skipped blocks, in order."""
    blocks: list[Block] = []
    last_time = "2026-01-05T08:00"
    pending: re.Match[str] | None = None
    events = sorted([(m.start(), m) for m in COMMENT.finditer(text)]
                    + [(m.start(), m) for m in FENCE.finditer(text)], key=lambda e: e[0])
    for _position, match in events:
        if match.re is COMMENT:
            body = match.group(1).strip()
            head, _, rest = body.partition("\n")
            if head.rstrip().endswith("not shown:"):
                block, last_time = _hidden(head.split(",")[0].strip(), rest, last_time)
                blocks.append(block)
                pending = None
            else:
                pending = match
            continue
        language, block_text = match.group(1), match.group(2)
        attached = pending is not None and not text[pending.end():match.start()].strip()
        body = pending.group(1).strip() if pending is not None and attached else ""
        pending = None
        if language != "console":
            if ", file " in body:
                workspace, _, name = body.partition(", file ")
                blocks.append(Block(workspace.strip(), [], match.start(), match.end(),
                                    file=(name.strip(), block_text)))
            continue
        if not body or body.startswith("skip"):
            blocks.append(Block("", [], match.start(), match.end(),
                                skip=body or "no transcript comment"))
            continue
        workspace, _, times = body.partition(" at ")
        commands: list[Command] = []
        for line in block_text.splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:], ""))
            elif commands:
                commands[-1].shown.append(line)
        moments = list(_times(times.split() or [last_time], last_time))
        for index, command in enumerate(commands):
            command.at = moments[min(index, len(moments) - 1)]
            while command.shown and not command.shown[-1].strip():
                command.shown.pop()
        last_time = moments[-1]
        blocks.append(Block(workspace.strip(), commands, match.start(), match.end()))
    return blocks


class Player:
    """Plays the blocks in temporary workspaces, with the real `alur`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.code = 0

    def env(self, at: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("ALUR_") and k not in ("COLUMNS", "LANGUAGE")}
        env.update({"ALUR_NOW": at, "COLUMNS": "80", "PYTHONPATH": str(README.parent)})
        return env

    def run(self, workspace: str, command: Command) -> list[str]:
        """Run one command; its output lines as a terminal would show them."""
        folder = self.root / workspace
        if command.line.startswith("sh "):
            done = subprocess.run(["bash", "-c", command.line[3:]], cwd=folder,
                                  capture_output=True, text=True, env=self.env(command.at),
                                  check=False)
            if done.returncode:
                raise AssertionError(f"{command.line}: {done.stderr}")
            return []
        if command.line.strip() == "echo $?":
            return [str(self.code)]
        given = None
        piped = re.fullmatch(r"echo (.+?) \| (alur .+)", command.line.strip())
        if piped:  # `echo TEXT | alur ...`: TEXT on the command's standard input
            given, line = shlex.split(piped[1])[0] + "\n", piped[2]
        else:
            line = command.line
        argv = shlex.split(line)
        if argv[0] != "alur":
            raise AssertionError(f"only alur commands are replayed: {command.line}")
        cwd = self.root if argv[1:2] == ["init"] else folder
        done = subprocess.run(
            [sys.executable, "-c", "from runners.cli.main import main; main()", *argv[1:]],
            cwd=cwd, capture_output=True, text=True, env=self.env(command.at), check=False,
            input=given if given is not None else "")
        self.code = done.returncode
        output = (done.stdout + done.stderr).replace(str(self.root), SHOWN_ROOT)
        lines = [line.rstrip() for line in output.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        return lines


def matches(shown: list[str], real: list[str]) -> bool:
    """Whether the real lines fit the shown ones (``...`` standing for any lines)."""
    def line_pattern(line: str) -> str:  # `<…>` in a line stands for any text (a token)
        return ".*".join(re.escape(part) for part in line.rstrip().split(ANY_TEXT))

    pattern = "\n".join(line_pattern(line) if line.strip() != "..." else "(?:.*\n)*?.*"
                        for line in shown)
    return re.fullmatch(pattern, "\n".join(real)) is not None


def written(shown: list[str], real: list[str]) -> list[str]:
    """The output to write back: the README's own when the real lines fit it (its cuts
    kept), else the real lines, keeping a cut at the start or end as it was."""
    if matches(shown, real):
        return shown
    cuts = [i for i, line in enumerate(shown) if line.strip() == "..."]
    if not cuts:
        return real
    head, tail = cuts[0], len(shown) - cuts[-1] - 1
    indent = shown[cuts[0]][: len(shown[cuts[0]]) - len(shown[cuts[0]].lstrip())]
    if head + tail >= len(real):
        return real
    return [*real[:head], f"{indent}...", *(real[len(real) - tail:] if tail else [])]


def replay(text: str, root: Path) -> tuple[list[tuple[Block, Command, list[str]]], str]:
    """Every shown command with its real output, and the README as it would be written."""
    player = Player(root)
    results = []
    pieces, done = [], 0
    for block in parse(text):
        if block.skip:
            continue
        if block.file is not None:
            name, content = block.file
            (root / block.workspace / name).write_text(content, encoding="utf-8")
            continue
        outputs = []
        for command in block.commands:
            real = player.run(block.workspace, command)
            if block.hidden:
                if player.code and not command.line.startswith("sh "):
                    raise AssertionError(f"hidden step failed: {command.line}\n" +
                                         "\n".join(real))
                continue
            results.append((block, command, real))
            outputs.append((command, written(command.shown, real)))
        if block.hidden:
            continue
        lines = []
        for command, output in outputs:
            lines += [f"$ {command.line}", *output, ""]
        pieces += [text[done:block.start], "```console\n", "\n".join(lines[:-1]) + "\n",
                   "```\n"]
        done = block.end
    pieces.append(text[done:])
    return results, "".join(pieces)


def main(argv: list[str]) -> int:
    """``--write``: replay the README and write the real outputs into it."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="a") as folder:
        results, new = replay(text, Path(folder))
    different = [c.line for _b, c, real in results if not matches(c.shown, real)]
    if "--write" in argv:
        README.write_text(new, encoding="utf-8")
        print(f"README.md: {len(results)} commands replayed, {len(different)} outputs updated")
        return 0
    for line in different:
        print(f"differs: $ {line}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
