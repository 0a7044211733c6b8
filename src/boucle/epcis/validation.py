"""Validation against the GS1 EPCIS 2.0 JSON schemas (shipped copies, draft-07).

Why our own format checks: jsonschema only checks ``date-time`` and ``uri`` when optional
packages are installed; a capture endpoint must not accept ``"eventTime": "yesterday"`` just
because a dependency is missing, so both formats are checked here with the standard library.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ._data import load_json

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")


class EPCISValidationError(ValueError):
    """Raised with every schema violation, each as ``"<JSON path>: <message>"``."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = "\n".join("  " + e for e in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} EPCIS validation error(s):\n{shown}{more}")


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


def _messages(validator: Draft7Validator, instance) -> list[str]:
    out = []
    for error in validator.iter_errors(instance):
        # oneOf/anyOf report "is not valid under any of the given schemas": show the closest cause.
        leaf = best_match(error.context) if error.context else error
        out.append(f"{json_path(leaf)}: {leaf.message}")
    return sorted(set(out))


def document_errors(doc) -> list[str]:
    return _messages(_validator("EPCIS-JSON-Schema.json"), doc)


def validate_document(doc) -> None:
    """EPCISDocument or EPCISQueryDocument; raises :class:`EPCISValidationError`."""
    errors = document_errors(doc)
    if not errors and doc.get("type") not in ("EPCISDocument", "EPCISQueryDocument"):
        errors = [f"$.type: {doc.get('type')!r} is not 'EPCISDocument' or 'EPCISQueryDocument'"]
    if errors:
        raise EPCISValidationError(errors)


def validate_event(event, *, standalone: bool = False) -> None:
    """One event as found in ``epcisBody.eventList``.

    ``standalone=True`` checks an event captured on its own, which must then carry its
    ``@context`` (EPCIS 2.0 JSON-LD binding).
    """
    if not isinstance(event, dict) or event.get("type") not in EVENT_TYPES:
        kind = event.get("type") if isinstance(event, dict) else type(event).__name__
        raise EPCISValidationError([f"$.type: {kind!r} is not one of {list(EVENT_TYPES)}"])
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
