"""The command tree's help in the language in use, and option values in both languages.

Click keeps each command's and option's help as the text it was given (the
English message id). ``localize(cli)`` gives every command and parameter of
the tree a class whose ``help`` is read through the catalogue, so the help
is said in the language of the moment it is shown, not of the moment the
module was imported. ``Words`` is a ``click.Choice`` of the engine's words
(``active``) that also takes them as people say them (``aktif``).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import click

from runners.i18n import _


def _said(raw: str | None) -> str | None:
    return _(inspect.cleandoc(raw)) if raw else raw


class _HelpSaid:
    """``help`` and ``short_help`` read through the catalogue (set as given)."""

    @property
    def help(self) -> str | None:
        return _said(self.__dict__.get("help"))

    @help.setter
    def help(self, value: str | None) -> None:
        self.__dict__["help"] = value

    @property
    def options_metavar(self) -> str | None:
        raw = self.__dict__.get("options_metavar")
        return _("[OPTIONS]") if raw == "[OPTIONS]" else raw

    @options_metavar.setter
    def options_metavar(self, value: str | None) -> None:
        self.__dict__["options_metavar"] = value

    @property
    def subcommand_metavar(self) -> str | None:
        raw = self.__dict__.get("subcommand_metavar")
        return _("COMMAND [ARGS]...") if raw == "COMMAND [ARGS]..." else raw

    @subcommand_metavar.setter
    def subcommand_metavar(self, value: str | None) -> None:
        self.__dict__["subcommand_metavar"] = value

    @property
    def short_help(self) -> str | None:
        return _said(self.__dict__.get("short_help"))

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self.__dict__["short_help"] = value



def _help_option(self: click.Command, ctx: click.Context) -> click.Option | None:
    """Click's help option (made once, in the language of that moment), its help kept as
    click's English message id and said when shown."""
    option = click.Command.get_help_option(self, ctx)
    if option is not None and not isinstance(option, _HelpSaid):
        option.__class__ = _said_class(type(option))
        option.help = "Show this message and exit."
    return option


_CLASSES: dict[type, type] = {}


def _said_class(cls: type) -> type:
    if issubclass(cls, _HelpSaid):
        return cls
    if cls not in _CLASSES:
        # the mixin after the class: the instance keeps its layout, and the properties
        # still win over the instance's own `help` (data descriptors always do)
        namespace: dict[str, Any] = {"__module__": cls.__module__}
        if issubclass(cls, click.Command):
            namespace["get_help_option"] = _help_option
        _CLASSES[cls] = type(cls.__name__, (cls, _HelpSaid), namespace)
    return _CLASSES[cls]


def localize(command: click.Command) -> click.Command:
    """Make ``command``, its parameters and its subcommands say their help in the language in
    use; returns ``command``."""
    command.__class__ = _said_class(type(command))
    for param in command.params:
        param.__class__ = _said_class(type(param))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localize(sub)
    return command


class Words(click.Choice[str]):
    """A choice of the engine's words that also takes the words people say.

    ``Words({"active": N_("active"), ...})`` accepts ``active`` as well as the word
    in every language Alur speaks (``aktif``), ignoring case, and a space, a hyphen
    or an underscore alike (``langkah-selesai`` is ``langkah selesai``); it hands the
    command the engine's word. ``words`` maps each engine word to its message id; the
    help lists them in the language in use (a space written as a hyphen, so that each
    can be typed as it is shown).
    """

    def __init__(self, words: Mapping[str, str]) -> None:
        self.words = dict(words)
        super().__init__(list(self.words), case_sensitive=False)

    @staticmethod
    def _key(text: str) -> str:
        return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()

    def _names(self) -> dict[str, str]:
        from runners.i18n import LANGUAGES, translations

        names: dict[str, str] = {}
        for word, msgid in self.words.items():
            for said in (msgid, *(translations(code).gettext(msgid) for code in LANGUAGES)):
                names.setdefault(self._key(said), word)
        for word in self.words:  # the engine's own word wins over a look-alike
            names[self._key(word)] = word
        return names

    def shown(self) -> list[str]:
        """The words as the help shows them, in the language in use."""
        return [_(msgid).replace(" ", "-") for msgid in self.words.values()]

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.shown()) + "]"

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return _("Choose from:\n\t{choices}").format(choices=",\n\t".join(self.shown()))

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        word = self._names().get(self._key(str(value)))
        if word is not None:
            return word
        self.fail(_("`{value}` is not one of: {choices}").format(
            value=value, choices=", ".join(self.shown())), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(word) for word in self.shown()
                if word.casefold().startswith(incomplete.casefold())]
