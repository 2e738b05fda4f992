"""The README's transcripts are real output: each shown command is replayed and compared
(tests/readme_kit.py; `python -m tests.readme_kit --write` writes the real outputs in)."""

from __future__ import annotations

import difflib
import tempfile
from pathlib import Path

import pytest

from tests.readme_kit import README, matches, parse, replay, written


def test_every_console_block_is_replayed_or_says_why() -> None:
    blocks = parse(README.read_text(encoding="utf-8"))
    unchecked = [README.read_text(encoding="utf-8")[b.start:b.end].splitlines()[1]
                 for b in blocks if b.skip == "no transcript comment"]
    assert unchecked == [], "give each a <!-- transcript ... --> comment (tests/readme_kit.py)"
    assert sum(len(b.commands) for b in blocks if not b.hidden and not b.skip) >= 30


@pytest.mark.slow  # about 60 real `alur` processes
def test_the_readme_transcripts_are_what_alur_prints() -> None:
    # a short folder, so that paths shown as /tmp/kecamatan wrap as they do there
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="a") as folder:
        results, _ = replay(README.read_text(encoding="utf-8"), Path(folder))
    different = []
    for _block, command, real in results:
        if not matches(command.shown, real):
            diff = "\n".join(difflib.unified_diff(command.shown, real, "README", "real",
                                                  lineterm="", n=1))
            different.append(f"$ {command.line}\n{diff}")
    assert not different, ("README transcripts differ from the real output (run `python -m "
                           "tests.readme_kit --write`):\n\n" + "\n\n".join(different))


def test_a_cut_stands_for_any_lines_and_is_kept_when_written() -> None:
    real = ["Run 1", "a", "b", "c", "Total"]
    assert matches(["Run 1", "...", "Total"], real)
    assert matches(["Run 1", "..."], real)
    assert matches(real, real)
    assert not matches(["Run 1", "...", "Jumlah"], real)
    assert not matches(["Run 2", "..."], real)
    assert written(["Run 1", "  ...", "Total"], real) == ["Run 1", "  ...", "Total"]
    assert written(["Run 1", "Run 2"], real) == real


def test_any_text_within_a_line_stands_for_a_token() -> None:
    real = ["https://alur.example/masuk/tautan/Zx9_k2 (valid 72 hours)"]
    assert matches(["https://alur.example/masuk/tautan/<…> (valid 72 hours)"], real)
    assert not matches(["https://alur.example/masuk/<…> (valid 24 hours)"], real)
