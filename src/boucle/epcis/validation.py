"""Validation against the GS1 EPCIS 2.0 JSON schemas (shipped copies, draft-07).

Why our own format checks: jsonschema only checks ``date-time`` and ``uri`` when optional
packages are installed; a capture endpoint must not accept ``"eventTime": "yesterday"`` just
because a dependency is missing, so both formats are checked here with the standard library.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from boucle.messages import Message
from boucle.messages import gettext_noop as _

from ._data import load_json

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")


class EPCISValidationError(ValueError):
    """Raised with every schema violation, each a :class:`~boucle.messages.Message` (``messages``) whose
    French text is ``"<JSON path> : <problem>"`` (``errors``); the shell translates ``messages``."""

    def __init__(self, messages: list[Message]):
        self.messages = messages
        self.errors = [str(m) for m in messages]
        shown = "\n".join("  " + e for e in self.errors[:20])
        more = f"\n  … et {len(self.errors) - 20} de plus" if len(self.errors) > 20 else ""
        super().__init__(f"{len(self.errors)} erreur(s) de validation EPCIS :\n{shown}{more}")


#: A schema violation in words, by jsonschema's keyword (the library's own messages are English).
SCHEMA_WORDS = {
    "required": _("%(path)s : la propriété « %(name)s » est obligatoire"),
    "type": _("%(path)s : « %(value)s » n'est pas du type %(expected)s"),
    "enum": _("%(path)s : « %(value)s » n'est pas une des valeurs permises (%(expected)s)"),
    "const": _("%(path)s : « %(value)s », la valeur attendue est %(expected)s"),
    "format": _("%(path)s : « %(value)s » n'est pas au format %(expected)s"),
    "pattern": _("%(path)s : « %(value)s » ne suit pas le motif %(expected)s"),
    "additionalProperties": _("%(path)s : propriété(s) non permise(s) : %(name)s"),
    "minItems": _("%(path)s : il faut au moins %(expected)s élément(s)"),
    "maxItems": _("%(path)s : il faut au plus %(expected)s élément(s)"),
    "minLength": _("%(path)s : « %(value)s » est trop court (%(expected)s caractère(s) au moins)"),
    "maxLength": _("%(path)s : « %(value)s » est trop long (%(expected)s caractère(s) au plus)"),
    "minimum": _("%(path)s : « %(value)s » est inférieur au minimum %(expected)s"),
    "maximum": _("%(path)s : « %(value)s » est supérieur au maximum %(expected)s"),
}
OTHER = _("%(path)s : non conforme au schéma EPCIS 2.0 (règle %(rule)s)")
_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")


_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00")[:19])
    return True


@_formats.checks("uri")
def _is_uri(value) -> bool:
    return not isinstance(value, str) or bool(_URI.fullmatch(value))


@lru_cache(maxsize=None)
def _registry() -> Registry:
    resources = []
    for name in ("EPCIS-JSON-Schema.json", "EPCIS-query-schema.json"):
        schema = load_json(name)
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def _validator(schema_name: str, pointer: str = "") -> Draft7Validator:
    schema_id = load_json(schema_name)["$id"]
    return Draft7Validator({"$ref": schema_id + "#" + pointer}, registry=_registry(),
                           format_checker=_formats)


def json_path(error: ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _short(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(error: ValidationError) -> Message:
    """One schema violation as a message: its JSON path, the rule broken and the values involved."""
    kind, path, instance = error.validator, json_path(error), error.instance
    params = {"path": path, "value": _short(instance), "expected": error.validator_value}
    if kind == "required":
        missing = [p for p in error.validator_value if isinstance(instance, dict) and p not in instance]
        params["name"] = missing[0] if missing else ", ".join(error.validator_value)
    elif kind == "additionalProperties":
        found = _UNEXPECTED.search(error.message)
        params["name"] = found.group(1).replace("'", "") if found else ""
    elif kind in ("enum", "type"):
        expected = error.validator_value
        params["expected"] = ", ".join(map(str, expected)) if isinstance(expected, list) else expected
    if kind in SCHEMA_WORDS:
        return Message("epcis.schema." + kind, SCHEMA_WORDS[kind], params)
    return Message("epcis.schema.other", OTHER, {"path": path, "rule": kind})


def _messages(validator: Draft7Validator, instance) -> list[Message]:
    out = {}
    for error in validator.iter_errors(instance):
        # oneOf/anyOf report "is not valid under any of the given schemas": show the closest cause.
        leaf = best_match(error.context) if error.context else error
        message = describe(leaf)
        out.setdefault(str(message), message)
    return [out[k] for k in sorted(out)]


def document_errors(doc) -> list[Message]:
    return _messages(_validator("EPCIS-JSON-Schema.json"), doc)


def validate_document(doc) -> None:
    """EPCISDocument or EPCISQueryDocument; raises :class:`EPCISValidationError`."""
    errors = document_errors(doc)
    if not errors and doc.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        errors = [Message(
            "epcis.document-type", _("$.type : « %(value)s » n'est ni EPCISDocument ni EPCISQueryDocument"),
            {"value": _short(doc.get("type"))})]
    if errors:
        raise EPCISValidationError(errors)


def validate_event(event, *, standalone: bool = False) -> None:
    """One event as found in ``epcisBody.eventList``.

    ``standalone=True`` checks an event captured on its own, which must then carry its
    ``@context`` (EPCIS 2.0 JSON-LD binding).
    """
    if not isinstance(event, dict) or event.get("type") not in EVENT_TYPES:
        kind = event.get("type") if isinstance(event, dict) else type(event).__name__
        raise EPCISValidationError([Message(
            "epcis.event-type", _("$.type : « %(value)s » n'est pas un type d'événement (%(expected)s)"),
            {"value": _short(kind), "expected": ", ".join(EVENT_TYPES)})])
    if standalone:
        errors = _messages(_validator("EPCIS-JSON-Schema.json"), event)
    else:
        errors = _messages(_validator("EPCIS-JSON-Schema.json", "/definitions/EPCIS-Document-Event"),
                           event)
    if errors:
        raise EPCISValidationError(errors)


def validate_query(query) -> None:
    """Body of an EPCIS query (``EQ_bizStep``, ``GE_eventTime``, ``MATCH_anyEPC`` ...)."""
    errors = _messages(_validator("EPCIS-query-schema.json"), query)
    if errors:
        raise EPCISValidationError(errors)
