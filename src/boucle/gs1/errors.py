"""The one exception family of ``boucle.gs1``.

A subclass of ``ValueError`` so that callers validating user input (forms, API
payloads, CLI arguments) can catch bad GS1 data the way they catch any other bad
value, while still being able to tell GS1 problems apart.

The message is a :class:`boucle.messages.Message`: a stable ``code``, a French
msgid and named parameters, translated by the shell (CLI, views, API) with
:func:`boucle.messages.translate`; ``str(err)`` is the French text.
"""

from boucle.messages import EngineError, gettext_noop

__all__ = ["GS1Error", "gettext_noop"]


class GS1Error(EngineError):
    """Invalid GS1 data; the message names the AI, the value and the rule broken.

    ``ai`` and ``value`` are also message parameters (``%(ai)s``, ``%(value)s``)."""

    def __init__(self, code: str, msgid: str, /, *, ai: str | None = None, value: str | None = None,
                 rule: str | None = None, **params):
        if ai is not None:
            params.setdefault("ai", ai)
        if value is not None:
            params.setdefault("value", value)
        super().__init__(code, msgid, **params)
        self.ai = ai
        self.value = value
        self.rule = rule
