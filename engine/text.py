"""Messages the engine builds for people, kept translatable.

The engine speaks no language of its own (GUIDE: words at the edge). A
message it builds for a person (an error, a problem in an SOP file) is a
``Text``: an English template with ``{named}`` places and the values that
fill them. It *is* the English string, so logs, tests and ``str(exc)`` read
naturally; a runner shows it in the user's language by translating the
template through the message catalogue and filling in the same values
(``runners.i18n.say``). The template is the catalogue's message id, so it
must be a literal: ``Text("no run {run}", run=7)``, never an f-string.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """An English message from ``template`` and ``values``; translatable by its template."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Text:
        """Fill ``template`` (a ``str.format`` pattern) with ``values``."""
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template = template
        self.values = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict[str, Any]) -> Text:
    return Text(template, **values)


def joined(parts: list[Any], separator: str = "; ") -> Text:
    """Several messages as one (each translated on its own when shown)."""
    places = {f"p{i}": part for i, part in enumerate(parts)}
    return Text(separator.join("{" + key + "}" for key in places), **places)
