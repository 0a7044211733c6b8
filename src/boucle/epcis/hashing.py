"""CBV 2.0 "EPCIS Event Hash ID": a fingerprint of an event independent of its serialisation.

Why: a passport's events are append-only and chained; the chain stores each event's hash, so
the hash must not change when the same event is re-serialised (key order, URN vs Digital
Link, bare word vs IRI, time zone, number format), and must change when any value does.

The algorithm follows CBV 2.0 section 8.9 as implemented by the reference generator named by
the standard (RalphTro/epcis-event-hash-generator), and is pinned to its test vectors:

1. the event becomes a tree of ``(name, text, children)`` in the EPCIS XML data model
   (``epcList`` holds ``epc`` children, quantity lists hold ``quantityElement`` ...);
2. ``eventID``, ``recordTime``, ``errorDeclaration`` and comments are left out;
3. values are canonicalised: timestamps to UTC with milliseconds, numbers without trailing
   zeros, CBV bare words and CURIEs to IRIs, GS1 keys to constrained Digital Link URIs,
   extension names to ``{namespace}local``;
4. the fields of the canonical order are written ``name=value`` in that order (repeated
   fields sorted), then every other field (lists of business transactions, sources and
   destinations, ``ilmd``, user extensions) sorted as strings; no separator;
5. the sha-256 of the UTF-8 string is written ``ni:///sha-256;<hex>?ver=CBV2.0``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from ._data import load_json
from .gs1keys import normalise_gs1_uri
from .vocab import context_vocabularies, upgrade_legacy_urn


class Node(NamedTuple):
    name: str
    text: str
    children: list


_QTY = [("epcClass", None), ("quantity", None), ("uom", None)]
_SENSOR_METADATA = [(k, None) for k in (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules")]
_SENSOR_REPORT = [(k, None) for k in (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem")]

#: CBV 2.0 canonical property order. Fields absent from it are hashed after, sorted.
PROP_ORDER = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("epcList", [("epc", None)]),
    ("parentID", None),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", _QTY)]),
    ("childQuantityList", [("quantityElement", _QTY)]),
    ("inputQuantityList", [("quantityElement", _QTY)]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", _QTY)]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("sensorElementList", [("sensorElement", [("sensorMetadata", _SENSOR_METADATA),
                                              ("sensorReport", _SENSOR_REPORT)])]),
]

#: JSON list -> name of its members in the XML data model.
_LIST_MEMBERS = {
    "epcList": "epc", "inputEPCList": "epc", "outputEPCList": "epc", "childEPCs": "epc",
    "quantityList": "quantityElement", "childQuantityList": "quantityElement",
    "inputQuantityList": "quantityElement", "outputQuantityList": "quantityElement",
    "bizTransactionList": "bizTransaction", "sourceList": "source",
    "destinationList": "destination", "sensorElementList": "sensorElement",
}
# Members whose identifier is their text and whose type is written first.
_TYPED_MEMBERS = {"bizTransaction", "source", "destination"}
_IGNORED = {"eventID", "recordTime", "errorDeclaration", "rdfs:comment", "comment", "#text"}
_GS1_NAMESPACES = ("https://ref.gs1.org", "https://gs1.org")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?", re.IGNORECASE)


@lru_cache(maxsize=None)
def _default_prefixes() -> dict[str, str]:
    ctx = load_json("epcis-context-2.0.0.jsonld")["@context"]
    return {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", ":", "#"))}


def context_prefixes(context) -> dict[str, str]:
    """Namespace prefixes declared by a document's ``@context`` over the standard ones."""
    prefixes = dict(_default_prefixes())
    for part in context if isinstance(context, list) else [context]:
        if isinstance(part, dict):
            prefixes.update({k: v for k, v in part.items()
                             if isinstance(v, str) and not k.startswith("@")})
    return prefixes


def canonical_timestamp(value: str) -> str:
    """UTC, millisecond precision (half-up rounding), ``Z`` suffix; other strings unchanged."""
    m = _TIMESTAMP.fullmatch(value.strip())
    if not m:
        return value
    base, frac, tz = m.groups()
    try:
        when = datetime.fromisoformat(base + (tz or "Z").upper().replace("Z", "+00:00"))
    except ValueError:
        return value
    millis = Decimal("0." + (frac or "0")).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    when = when.astimezone(timezone.utc) + timedelta(milliseconds=int(millis * 1000))
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def canonical_number(value) -> str:
    """``452.0`` -> ``452``, ``+1.50`` -> ``1.5``: XML and JSON spell numbers differently."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return str(int(number))
    return repr(float(number))


def _canon_value(parent: str | None, key: str, value, prefixes: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return canonical_number(value)
    text = str(value).strip()
    if key.lower().endswith("time") and "offset" not in key.lower():
        return canonical_timestamp(text)
    vocabulary = context_vocabularies().get((parent, key))
    if vocabulary and text in vocabulary:
        return vocabulary[text]
    text = upgrade_legacy_urn(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and prefixes[prefix].startswith(_GS1_NAMESPACES):
        return prefixes[prefix] + local
    if _NUMBER.fullmatch(text):
        return canonical_number(text)
    return normalise_gs1_uri(text)


def _canon_key(key: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = key.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return "{" + prefixes[prefix] + "}" + local
    return key


def _nodes(parent: str | None, key: str, value, prefixes: dict[str, str]) -> list[Node]:
    """JSON member ``key: value`` -> nodes of the XML data model."""
    name = _canon_key(key, prefixes)
    if isinstance(value, list):
        member = _LIST_MEMBERS.get(key)
        if member is None:
            return [n for item in value for n in _nodes(parent, key, item, prefixes)]
        return [Node(name, "", [n for item in value for n in _nodes(key, member, item, prefixes)])]
    if isinstance(value, dict) and ("@value" in value or set(value) == {"@id"}):
        # JSON-LD value or node reference: the literal is what the event states.
        value = value.get("@value", value.get("@id"))
    if isinstance(value, dict):
        text = ""
        children = []
        for k, v in value.items():
            if k in _IGNORED or k.startswith("@"):
                continue
            if key in _TYPED_MEMBERS and k == key:
                text = _canon_value(parent, k, v, prefixes)
            else:
                children.extend(_nodes(parent if key in _TYPED_MEMBERS else key, k, v, prefixes))
        if "#text" in value:
            text = _canon_value(parent, key, value["#text"], prefixes)
        return [Node(name, text, children)]
    if value is None:
        return []
    return [Node(name, _canon_value(parent, key, value, prefixes), [])]


def _render(node: Node, order=None) -> str:
    children = node.children
    head = ""
    if node.name in _TYPED_MEMBERS:
        head = _generic([c for c in children if c.name == "type"])
        children = [c for c in children if c.name != "type"]
    if order:
        inner, rest = _ordered(children, order)
        inner += _generic(rest)
    else:
        inner = _generic(children)
    text = "=" + node.text if node.text else ""
    if not (head or text or inner):
        return ""
    return head + node.name + text + inner


def _ordered(children: list[Node], order) -> tuple[str, list[Node]]:
    parts = []
    for name, sub_order in order:
        parts.extend(sorted(filter(None, (_render(c, sub_order) for c in children if c.name == name))))
        children = [c for c in children if c.name != name]
    return "".join(parts), children


def _generic(children: list[Node]) -> str:
    return "".join(sorted(filter(None, (_render(c) for c in children))))


def pre_hash_string(event: dict, context=None) -> str:
    """Canonical string whose sha-256 is the event hash (useful to see *why* two hashes differ).

    ``context`` is the ``@context`` of the enclosing document, needed to resolve the
    namespace prefixes of user extensions; the event's own ``@context`` is used otherwise.
    """
    prefixes = context_prefixes(context if context is not None else event.get("@context", []))
    children = []
    for key, value in event.items():
        if key == "type" or key in _IGNORED or key.startswith("@"):
            continue
        children.extend(_nodes(None, key, value, prefixes))
    ordered, rest = _ordered(children, PROP_ORDER)
    return "eventType=" + str(event.get("type", "")) + ordered + _generic(rest)


def hash_pre_hash(pre_hash: str) -> str:
    return "ni:///sha-256;" + hashlib.sha256(pre_hash.encode("utf-8")).hexdigest() + "?ver=CBV2.0"


def event_hash(event: dict, context=None) -> str:
    """CBV 2.0 EPCIS Event Hash ID of one event: ``ni:///sha-256;<hex>?ver=CBV2.0``."""
    return hash_pre_hash(pre_hash_string(event, context))
