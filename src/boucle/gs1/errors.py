"""The one exception family of ``boucle.gs1``.

A subclass of ``ValueError`` so that callers validating user input (forms, API
payloads, CLI arguments) can catch bad GS1 data the way they catch any other bad
value, while still being able to tell GS1 problems apart.
"""


class GS1Error(ValueError):
    """Invalid GS1 data; the message names the AI, the value and the rule broken."""

    def __init__(self, message: str, *, ai: str | None = None, value: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.ai = ai
        self.value = value
        self.rule = rule
