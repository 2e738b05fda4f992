"""One message catalogue: every message the code uses is in both catalogues, every id entry is
translated, and each translation keeps the places its English id fills."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from runners import catalog
from runners.catalog import messages_in
from tests.conftest import REPO, run_cli

PLACE = string.Formatter()


def places(text: str) -> set[str]:
    """The ``{named}`` places of a str.format pattern (and %(named)s ones)."""
    names = {name for _, name, _, _ in PLACE.parse(text) if name is not None}
    return names | set(re.findall(r"%\((\w+)\)", text))


def entries(code: str) -> list[object]:
    return [m for m in catalog.read(code) if m.id]


def test_every_message_of_the_code_is_in_both_catalogues() -> None:
    lacking = catalog.missing(REPO)
    assert lacking == {"id": [], "en": []}, (
        "run `python -m runners.catalog update`, then translate the new id entries")


def test_the_id_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    assert catalog.todo("id") == [], "python -m runners.catalog todo lists them"


def test_no_catalogue_keeps_entries_the_code_no_longer_uses() -> None:
    used = set(catalog.code_messages(REPO)) | set(catalog.click_messages())
    for code in ("id", "en"):
        stale = [m.id for m in entries(code)  # type: ignore[attr-defined]
                 if (tuple(m.id) if isinstance(m.id, list | tuple) else m.id)  # type: ignore[attr-defined]
                 not in used]
        assert stale == [], f"{code}: run `python -m runners.catalog update`"
        kept = list(catalog.read(code).obsolete)
        assert kept == [], f"{code}: run `python -m runners.catalog update --prune`"


def test_each_translation_fills_the_same_places_as_its_english_id() -> None:
    for code in ("id", "en"):
        for entry in entries(code):
            ids = entry.id if isinstance(entry.id, list | tuple) else (entry.id,)  # type: ignore[attr-defined]
            texts = entry.string if isinstance(entry.string, list | tuple) else (  # type: ignore[attr-defined]
                entry.string,)  # type: ignore[attr-defined]
            allowed = set().union(*(places(i) for i in ids))
            for text in texts:
                if not text:
                    continue
                assert places(text) <= allowed, (code, ids, text)
                if len(ids) == 1:  # a plain message: every value it is given is shown
                    assert places(text) == allowed, (code, ids, text)


def test_the_extractor_finds_calls_help_and_command_docstrings() -> None:
    source = '''
import click
from engine.text import Text
from runners.i18n import _, N_, ngettext

@click.command()
@click.option("--x", help="An option's help.")
def hello():
    """A command's help.

    Its second paragraph.
    """
    _("A plain message {n}").format(n=1)
    N_("Marked for later")
    ngettext("{n} run", "{n} runs", 2)
    Text("no run `{run}`", run=7)
    _(f"not {1} literal")

def helper():
    """Not a command: no message."""
'''
    found = [message for _, message in messages_in(source)]
    assert sorted(found, key=str) == sorted([
        "An option's help.", "A command's help.\n\nIts second paragraph.",
        "A plain message {n}", "Marked for later", ("{n} run", "{n} runs"),
        "no run `{run}`"], key=str)


@pytest.mark.parametrize(("env", "usage", "help_line"), [
    ({"ALUR_LANG": None}, "Penggunaan: alur", "Tampilkan pesan ini lalu keluar."),
    ({"ALUR_LANG": "id"}, "Penggunaan: alur", "Tampilkan pesan ini lalu keluar."),
    ({"ALUR_LANG": "en"}, "Usage: alur", "Show this message and exit."),
])
def test_the_help_speaks_the_chosen_language(env: dict[str, str | None], usage: str,
                                             help_line: str) -> None:
    result = run_cli("--help", env=env)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert usage in result.stdout and help_line in result.stdout


def test_the_catalogues_are_kept_as_po_files_in_the_repository() -> None:
    for code in ("id", "en"):
        path = REPO / "runners" / "locale" / code / "LC_MESSAGES" / "alur.po"
        assert path.is_file()
        assert f'"Language: {code}\\n"' in path.read_text(encoding="utf-8")
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8")
    assert "*.mo" in ignored  # compiled at load time, never committed


def test_a_stale_compiled_catalogue_is_compiled_again(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from runners import i18n

    locale = tmp_path / "locale"
    target = locale / "id" / "LC_MESSAGES"
    target.mkdir(parents=True)
    source = REPO / "runners" / "locale" / "id" / "LC_MESSAGES" / "alur.po"
    (target / "alur.po").write_bytes(source.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n._compiled_dir.cache_clear()
    i18n.translations.cache_clear()
    try:
        assert i18n._compiled_dir("id") == locale
        mo = target / "alur.mo"
        assert mo.is_file()
        text = (target / "alur.po").read_text(encoding="utf-8").replace(
            'msgstr "Penggunaan:"', 'msgstr "Cara pakai:"')
        (target / "alur.po").write_text(text, encoding="utf-8")
        import os

        os.utime(mo, (1, 1))  # older than the edited .po
        i18n._compiled_dir.cache_clear()
        i18n.translations.cache_clear()
        with i18n.use_language("id"):
            assert i18n._("Usage:") == "Cara pakai:"
    finally:
        monkeypatch.undo()
        i18n._compiled_dir.cache_clear()
        i18n.translations.cache_clear()


def test_a_catalogue_that_cannot_be_compiled_in_place_goes_to_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An install whose package folder may not be written (a system-wide one)."""
    from runners import i18n

    locale = tmp_path / "site" / "locale"
    (locale / "id" / "LC_MESSAGES").mkdir(parents=True)
    source = REPO / "runners" / "locale" / "id" / "LC_MESSAGES" / "alur.po"
    (locale / "id" / "LC_MESSAGES" / "alur.po").write_bytes(source.read_bytes())
    compile_for_real = i18n._compile

    def refused_in_the_package(po: Path, mo: Path) -> None:
        if mo.is_relative_to(locale):
            raise PermissionError(13, "Permission denied", str(mo))
        compile_for_real(po, mo)

    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "_compile", refused_in_the_package)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    i18n._compiled_dir.cache_clear()
    i18n.translations.cache_clear()
    try:
        cached = i18n._compiled_dir("id")
        assert cached.parent == tmp_path / "cache" / "alur" / "locale"
        assert (cached / "id" / "LC_MESSAGES" / "alur.mo").is_file()
        assert not (locale / "id" / "LC_MESSAGES" / "alur.mo").exists()
        with i18n.use_language("id"):
            assert i18n._("Usage:") == "Penggunaan:"
    finally:
        monkeypatch.undo()
        i18n._compiled_dir.cache_clear()
        i18n.translations.cache_clear()
