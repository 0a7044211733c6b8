"""Messages of the pure engines (GS1, EPCIS, impact): a stable code, a French msgid and named parameters.

The engines import nothing from Django, yet what they say reaches French and English readers. So an engine
never formats a sentence for display: it hands over a :class:`Message` (or raises an :class:`EngineError`
carrying one) whose msgid is marked with :func:`gettext_noop` so that the catalogue check
(``tests/test_i18n_catalogue.py``) finds it, and the shell (views, API, CLI) translates it with
:func:`translate`. A parameter may itself be a :class:`Message` (a sub-reason, a term name): it is translated
first, and a tuple of them is joined with « ; ». ``str()`` of either gives the French text, for logs and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a French msgid for extraction without translating it (Django's own, without importing Django)."""
    return message


@dataclass(frozen=True)
class Message:
    """``code`` is stable (API clients and tests may read it); ``msgid`` is the French text with
    ``%(name)s`` placeholders filled from ``params``."""

    code: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] | None = None, language: str = "fr") -> str:
        values = {k: _render(v, gettext, language) for k, v in self.params.items()}
        text = gettext(self.msgid) if gettext else self.msgid
        return text % values if values else text

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Label:
    """A name that comes from a data table in both languages (a route, a material), not from the catalogue."""

    fr: str
    en: str

    def render(self, gettext: Callable[[str], str] | None = None, language: str = "fr") -> str:
        return self.en if language == "en" and self.en else self.fr

    def __str__(self) -> str:
        return self.fr


def in_sentence(label: str) -> str:
    """A table's label inside a sentence: lower-case first letter unless it starts an acronym (« CO2 », « PET »)."""
    if len(label) > 1 and label[0].isupper() and not (label[1].isupper() or label[1].isdigit()):
        return label[0].lower() + label[1:]
    return label


def _render(value: Any, gettext: Callable[[str], str] | None, language: str) -> Any:
    if isinstance(value, (Message, Label)):
        return value.render(gettext, language)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        return (" ; " if language == "fr" else "; ").join(v.render(gettext, language) for v in value)
    return value


def render(value: Any, gettext: Callable[[str], str] | None = None, language: str = "fr") -> Any:
    """``value`` with every :class:`Message` in it (also in lists and dicts) turned into text, for JSON."""
    if isinstance(value, (Message, Label)):
        return value.render(gettext, language)
    if isinstance(value, dict):
        return {k: render(v, gettext, language) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, gettext, language) for v in value]
    return value


class EngineError(ValueError):
    """Bad input to a pure engine, told as a :class:`Message` (``str(err)`` is the French text)."""

    def __init__(self, code: str, msgid: str, /, **params: Any):
        self.message = Message(code, msgid, params)
        super().__init__(self.message.render())

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def msgid(self) -> str:
        return self.message.msgid

    @property
    def params(self) -> dict[str, Any]:
        return self.message.params


def shell_language() -> str:
    """The active language, "fr" or "en" (shell side: imports Django)."""
    from django.utils.translation import get_language

    return "en" if (get_language() or "fr").startswith("en") else "fr"


def translate(item: Message | Label | EngineError | str) -> str:
    """The text of an engine's message in the active language (shell side: imports Django's gettext)."""
    from django.utils.translation import gettext

    if isinstance(item, EngineError):
        item = item.message
    elif isinstance(item, BaseException):  # not an engine's: its own text, as it is
        return str(item)
    elif isinstance(item, Label):
        return item.render(None, shell_language())
    if not isinstance(item, Message):
        item = Message("", item)
    return item.render(gettext, shell_language()) if item.msgid else item.msgid
