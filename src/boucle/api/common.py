"""What every router of the API shares: error answers, paging, field errors.

Each domain keeps its router in its own folder (``<domain>/api.py``) and ``boucle.api.api``
mounts them on the one ``NinjaAPI``, so every operation gets the same authentication — a
token (whose scope the API's ``BearerToken`` checks for every write, in one place) or the
session — and the same error shapes.
"""

from ninja import Schema


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    """Django Ninja's 422 body: one item per invalid field (``loc``, ``msg``, ``type``)."""

    detail: list[dict]


# Error answers each endpoint declares, so that clients (and the schema tests) know every status they may get.
DENIED = {401: Error}  # no valid token or session
FORBIDDEN = {403: Error}
HIDDEN = {404: Error}  # absent, or not visible to the caller: the API does not say which
CONFLICT = {409: Error}
INVALID = {422: ValidationErrors}

MAX_OFFSET = 10**9  # a database cannot slice past a 64-bit integer; no page lies that far anyway
MAX_ID = 2**63  # ids no database integer can hold match nothing (a lookup has no overflow guard)


def user(request):
    return request.auth


def window(offset: int, limit: int, cap: int) -> slice:
    """The rows a page asks for, clamped so absurd ``offset``/``limit`` values give an empty page, not a 500."""
    start = min(max(0, offset), MAX_OFFSET)
    return slice(start, start + min(max(limit, 1), cap))


def real_id(pk: int) -> int:
    """``pk`` if a database integer can hold it, else 0 (no row has it)."""
    return pk if 0 < pk < MAX_ID else 0


class Invalid(Exception):
    """Input the domain's validation refused: field -> messages (already translated).

    ``boucle.api.api`` answers it with the same 422 shape as pydantic's own errors, the field
    named in ``loc`` (``["body", "payload", field]``), so a client handles both the same way."""

    def __init__(self, errors: dict, where: str = "body"):
        super().__init__(errors)
        self.errors = {field: [str(m) for m in (msgs if isinstance(msgs, (list, tuple)) else [msgs])]
                       for field, msgs in errors.items()}
        self.where = where

    def detail(self) -> list[dict]:
        prefix = ["body", "payload"] if self.where == "body" else [self.where]
        return [{"loc": prefix + [field], "msg": " ".join(messages), "type": "value_error"}
                for field, messages in self.errors.items()]


def form_invalid(form, names: dict | None = None, whole: str = "payload") -> Invalid:
    """A Django form's errors as ``Invalid``, fields renamed to the API's names (``__all__`` -> ``whole``)."""
    names = names or {}
    return Invalid({(whole if field == "__all__" else names.get(field, field)): list(messages)
                    for field, messages in form.errors.items()})
