"""Import and export of EPCIS documents: a document is a header around a list of events.

Why split: passports store events one by one (append-only, chained), while partners exchange
documents. Importing keeps the header (context, sender, SBDH...) so that exporting the same
events gives back the same document; exporting stored events alone builds a fresh, valid one.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from ._data import EPCIS_CONTEXT_URL

SCHEMA_VERSION = "2.0"


def _event_list_holder(doc: dict) -> dict:
    """The object whose ``eventList`` holds the events (document or query results body)."""
    body = doc.setdefault("epcisBody", {})
    if doc.get("type") == "EPCISQueryDocument" or "queryResults" in body:
        return body.setdefault("queryResults", {}).setdefault("resultsBody", {})
    return body


def split_document(doc: dict) -> tuple[dict, list[dict]]:
    """``(header, events)``: the document without its events, and deep copies of the events."""
    header = copy.deepcopy(doc)
    holder = _event_list_holder(header)
    events = holder.pop("eventList", [])
    return header, events


def _contexts(context) -> list:
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def merge_contexts(*contexts) -> list:
    """Union of ``@context`` values, first occurrence first (the EPCIS context stays first)."""
    out: list = []
    for context in contexts:
        for part in _contexts(context):
            if part not in out:
                out.append(part)
    return out


def standalone_event(event: dict, context) -> dict:
    """A copy of ``event`` carrying ``context``: how a single event is stored or captured."""
    out = {"@context": merge_contexts(context, event.get("@context"))}
    out.update({k: copy.deepcopy(v) for k, v in event.items() if k != "@context"})
    return out


def now_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_document(events: list[dict], header: dict | None = None) -> dict:
    """EPCISDocument (or the query document ``header`` came from) holding ``events``.

    Contexts carried by standalone events move up to the document, so the events of the
    result are exactly what ``split_document`` would return for it.
    """
    doc = copy.deepcopy(header) if header else {}
    event_contexts = [e["@context"] for e in events if "@context" in e]
    if not doc.get("@context"):
        doc["@context"] = [EPCIS_CONTEXT_URL]
    if event_contexts:
        doc["@context"] = merge_contexts(doc["@context"], *event_contexts)
    doc.setdefault("type", "EPCISDocument")
    doc.setdefault("schemaVersion", SCHEMA_VERSION)
    doc.setdefault("creationDate", now_timestamp())
    holder = _event_list_holder(doc)
    holder["eventList"] = [{k: copy.deepcopy(v) for k, v in e.items() if k != "@context"}
                           for e in events]
    # Keep the usual key order (header fields first, body last) for humans reading exports.
    body = doc.pop("epcisBody")
    doc["epcisBody"] = body
    return doc
