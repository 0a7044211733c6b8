"""Builders of schema-valid EPCIS 2.0 events for a product's life cycle.

Why: the passport app records what happened to an item (installed, repaired, disassembled into
parts, recycled into a material batch) and must emit standard events without every view
re-learning EPCIS. Each builder validates its result and sets ``eventID`` to the CBV event
hash, so an event is identified by its content and can be chained as soon as it exists.

Business steps are given in any spelling :func:`~boucle.epcis.vocab.normalize_bizstep`
accepts; CBV steps are written as bare words (as GS1 examples do), Boucle steps as IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .hashing import event_hash
from .validation import validate_event
from .vocab import BIZSTEP_PREFIX, normalize_bizstep


@dataclass(frozen=True)
class Quantity:
    """An amount of a class of items (a lot, a material batch): ``epcClass`` + amount + UN/CEFACT unit."""

    epc_class: str
    quantity: float | None = None
    uom: str | None = None

    def as_json(self) -> dict:
        out: dict = {"epcClass": self.epc_class}
        if self.quantity is not None:
            out["quantity"] = self.quantity
        if self.uom is not None:
            out["uom"] = self.uom
        return out


def _quantities(items) -> list[dict]:
    out = []
    for item in items or []:
        if isinstance(item, Quantity):
            out.append(item.as_json())
        elif isinstance(item, dict):
            out.append(Quantity(item["epcClass"], item.get("quantity"), item.get("uom")).as_json())
        else:
            out.append(Quantity(*item).as_json())
    return out


def _time(event_time) -> tuple[str, str]:
    """ISO timestamp and its ``+HH:MM`` offset (EPCIS keeps the local offset apart)."""
    if event_time is None:
        when = datetime.now(timezone.utc)
    elif isinstance(event_time, datetime):
        when = event_time
    else:
        when = datetime.fromisoformat(str(event_time).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    offset = when.strftime("%z")
    return when.isoformat(timespec="milliseconds"), f"{offset[:3]}:{offset[3:]}"


def _bizstep(value: str) -> str:
    iri = normalize_bizstep(value)
    return iri[len(BIZSTEP_PREFIX):] if iri.startswith(BIZSTEP_PREFIX) else iri


def _typed(items, field: str) -> list[dict]:
    """``[(type, id)]`` or dicts -> ``[{"type": ..., field: ...}]`` (bizTransaction/source/destination)."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(dict(item))
        else:
            kind, value = item
            out.append({"type": kind, field: value})
    return out


def _finish(event: dict, *, event_time, biz_step, disposition, read_point, biz_location,
            biz_transactions, sources, destinations, ilmd, extensions, context) -> dict:
    """Common fields, canonical member order, validation and hash eventID."""
    when, offset = _time(event_time)
    head = {"type": event.pop("type"), "eventTime": when, "eventTimeZoneOffset": offset}
    event = {**head, **event}
    if biz_step:
        event["bizStep"] = _bizstep(biz_step)
    if disposition:
        event["disposition"] = disposition
    if read_point:
        event["readPoint"] = {"id": read_point}
    if biz_location:
        event["bizLocation"] = {"id": biz_location}
    for key, value in (("bizTransactionList", _typed(biz_transactions, "bizTransaction")),
                       ("sourceList", _typed(sources, "source")),
                       ("destinationList", _typed(destinations, "destination"))):
        if value:
            event[key] = value
    if ilmd:
        event["ilmd"] = dict(ilmd)
    event.update(extensions or {})
    validate_event(event)
    event["eventID"] = event_hash(event, context)
    return event


_COMMON = dict(event_time=None, disposition=None, read_point=None, biz_location=None,
               biz_transactions=None, sources=None, destinations=None, ilmd=None,
               extensions=None, context=None)


def _common(kwargs: dict) -> dict:
    unknown = set(kwargs) - set(_COMMON)
    if unknown:
        raise TypeError(f"unexpected argument(s): {', '.join(sorted(unknown))}")
    return {**_COMMON, **kwargs}


def object_event(epcs=(), *, action: str = "OBSERVE", biz_step: str | None = None,
                 quantities=None, **common) -> dict:
    """Something happened to items: commissioning, shipping, repairing, collecting...

    ``common`` keywords, shared by all builders: ``event_time`` (datetime or ISO string,
    default now), ``disposition``, ``read_point``, ``biz_location`` (URIs, e.g. SGLN),
    ``biz_transactions``/``sources``/``destinations`` (``[(type, uri)]``), ``ilmd`` (dict of
    CURIE/IRI keys, only with ``action="ADD"``), ``extensions`` (extra CURIE/IRI members),
    ``context`` (document ``@context`` for the extension prefixes of the hash).
    """
    event = {"type": "ObjectEvent", "epcList": list(epcs)}
    if quantities:
        event["quantityList"] = _quantities(quantities)
    event["action"] = action
    return _finish(event, biz_step=biz_step, **_common(common))


def aggregation_event(parent: str, children=(), *, action: str = "ADD",
                      biz_step: str | None = "packing", child_quantities=None, **common) -> dict:
    """Items put into (ADD) or taken out of (DELETE) a container such as a pallet or case."""
    event = {"type": "AggregationEvent", "parentID": parent, "childEPCs": list(children)}
    if child_quantities:
        event["childQuantityList"] = _quantities(child_quantities)
    event["action"] = action
    return _finish(event, biz_step=biz_step, **_common(common))


def association_event(parent: str, children=(), *, action: str = "ADD",
                      biz_step: str | None = "installing", child_quantities=None,
                      **common) -> dict:
    """A part installed into (ADD) or removed from (DELETE) a host product or asset."""
    event = {"type": "AssociationEvent", "parentID": parent, "childEPCs": list(children)}
    if child_quantities:
        event["childQuantityList"] = _quantities(child_quantities)
    event["action"] = action
    return _finish(event, biz_step=biz_step, **_common(common))


def transformation_event(inputs=(), outputs=(), *, input_quantities=None, output_quantities=None,
                         biz_step: str | None = None, transformation_id: str | None = None,
                         **common) -> dict:
    """Inputs consumed, outputs produced: disassembly, remanufacturing, recycling..."""
    event: dict = {"type": "TransformationEvent"}
    if inputs:
        event["inputEPCList"] = list(inputs)
    if input_quantities:
        event["inputQuantityList"] = _quantities(input_quantities)
    if outputs:
        event["outputEPCList"] = list(outputs)
    if output_quantities:
        event["outputQuantityList"] = _quantities(output_quantities)
    if transformation_id:
        event["transformationID"] = transformation_id
    return _finish(event, biz_step=biz_step, **_common(common))


def disassembly_event(item: str, parts, **common) -> dict:
    """An item taken apart into identified parts (the item is consumed, the parts are new)."""
    return transformation_event([item], list(parts), biz_step="disassembling", **common)


def recycling_event(inputs=(), batch: Quantity | tuple | None = None, *, input_quantities=None,
                    **common) -> dict:
    """Items or waste quantities reprocessed into a secondary-material batch (Boucle step)."""
    if batch is None:
        raise ValueError("a recycling event produces a material batch")
    return transformation_event(list(inputs), input_quantities=input_quantities,
                                output_quantities=[batch], biz_step="recycling", **common)
