"""Publishing an event without the places it names: locations swapped, the event still EPCIS 2.0.

Why: an event's ``readPoint`` and ``bizLocation`` (and the locations of its sources and
destinations) name a company's site, and a site identifier (a SIRET, an iREP plant number, a
GLN) names the plant and so its address. A reader who may not know the site gets the event
with each location replaced by what ``rename`` returns (the platform's pseudonym), and an
``eventID`` that is the CBV hash of the event as published: the stored event's hash would let
anyone test candidate sites against it, since every other field is in plain sight.

Pure: no Django; the caller decides what each location becomes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from .hashing import event_hash

#: (list field, key of the location in each entry): sources and destinations name parties and places.
_PARTY_LISTS = (("sourceList", "source"), ("destinationList", "destination"))
#: Left as written: the event's own identity, its type and context, and the product identifiers.
_KEEP = {"eventID", "@context", "type", "eventTime", "eventTimeZoneOffset", "recordTime", "action",
         "bizStep", "disposition", "epcList", "inputEPCList", "outputEPCList", "childEPCs", "parentID"}


def redact_event(event: dict, rename: Callable[[str], str | None],
                 other: Callable[[str], str | None] | None = None) -> tuple[dict, bool]:
    """``(published, changed)``: a copy of ``event`` whose ``readPoint``/``bizLocation`` ids and source/
    destination URIs are ``rename(uri)`` (None: kept), and whose other string values anywhere (``ilmd``,
    sensor data, extensions) are ``other(value)`` when it returns a string. When anything changed, the
    copy's ``eventID`` is its own CBV event hash (a ``correctiveEventIDs`` list is left to the caller)."""
    out = json.loads(json.dumps(event))  # an event is JSON: a faster deep copy
    changed = False

    def swap(value):
        nonlocal changed
        new = rename(value) if isinstance(value, str) else None
        if new is not None and new != value:
            changed = True
            return new
        return value

    for name in ("readPoint", "bizLocation"):
        if isinstance(out.get(name), dict) and "id" in out[name]:
            out[name]["id"] = swap(out[name]["id"])
    for name, key in _PARTY_LISTS:
        for entry in out.get(name) or []:
            if isinstance(entry, dict) and key in entry:
                entry[key] = swap(entry[key])
    if other is not None:
        def walk(value):
            nonlocal changed
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, str):
                new = other(value)
                if new is not None and new != value:
                    changed = True
                    return new
            return value

        for key in list(out):
            if key not in _KEEP and key not in ("readPoint", "bizLocation", *dict(_PARTY_LISTS)):
                out[key] = walk(out[key])
    if changed:
        out["eventID"] = event_hash(out)
    return out, changed
