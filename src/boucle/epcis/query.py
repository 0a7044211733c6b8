"""EPCIS query semantics as a pure filter over event dicts.

Why pure: the Django app translates ``GET /events?EQ_bizStep=...`` into a database query for
speed, but needs a reference to test that translation against, and small passports are
filtered in memory. Values are compared in canonical form, so ``urn:epc:id:sgtin:...`` finds
an event that wrote the same item as a Digital Link, and ``repairing`` finds
``https://ref.gs1.org/cbv/BizStep-repairing``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from boucle.messages import EngineError, gettext_noop

from .gs1keys import normalise_gs1_uri
from .validation import validate_query
from .vocab import normalize_bizstep

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")

#: EPCIS query parameter -> keyword of :func:`filter_events`.
QUERY_PARAMETERS = {
    "eventType": "event_type",
    "MATCH_anyEPC": "epc",
    "EQ_bizStep": "biz_step",
    "GE_eventTime": "ge_event_time",
    "LT_eventTime": "lt_event_time",
    "EQ_bizLocation": "biz_location",
    "EQ_readPoint": "read_point",
}


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, datetime)):
        return [value]
    return list(value)


def parse_time(value) -> datetime:
    """Aware datetime from an ISO 8601 string or datetime (naive means UTC)."""
    if isinstance(value, datetime):
        when = value
    else:
        when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _bizstep(value: str) -> str:
    try:
        return normalize_bizstep(value)
    except ValueError:
        return value


def event_epcs(event: dict) -> list[str]:
    """Every identifier MATCH_anyEPC looks at: EPC lists, parentID, quantity classes."""
    out = [epc for key in _EPC_LISTS for epc in event.get(key) or []]
    if event.get("parentID"):
        out.append(event["parentID"])
    out.extend(q["epcClass"] for key in _QUANTITY_LISTS for q in event.get(key) or []
               if isinstance(q, dict) and q.get("epcClass"))
    return out


def _epc_matcher(wanted: Iterable[str]):
    exact, prefixes = set(), []
    for value in wanted:
        canonical = normalise_gs1_uri(value)
        if value.startswith("urn:epc:idpat:") or value.endswith("*"):
            # A pattern (or an unparsed one) selects every instance of the class it names.
            prefixes.append(canonical.rstrip("*").rstrip("/"))
        exact.add(canonical)

    def matches(epc: str) -> bool:
        canonical = normalise_gs1_uri(epc)
        return canonical in exact or any(canonical.startswith(p + "/") or canonical == p
                                         for p in prefixes)
    return matches


def filter_events(events: Iterable[dict], *, epc=None, biz_step=None, ge_event_time=None,
                  lt_event_time=None, biz_location=None, read_point=None,
                  event_type=None) -> list[dict]:
    """Events matching every given criterion (EPCIS ``SimpleEventQuery`` semantics).

    ``epc`` (MATCH_anyEPC), ``biz_step`` (EQ_bizStep), ``biz_location`` (EQ_bizLocation),
    ``read_point`` (EQ_readPoint) and ``event_type`` take one value or a list (any matches);
    ``ge_event_time`` is inclusive, ``lt_event_time`` exclusive. ``None`` means no criterion.
    """
    epcs = _as_list(epc)
    match_epc = _epc_matcher(epcs) if epcs else None
    steps = {_bizstep(s) for s in _as_list(biz_step)}
    locations = {normalise_gs1_uri(x) for x in _as_list(biz_location)}
    points = {normalise_gs1_uri(x) for x in _as_list(read_point)}
    types = set(_as_list(event_type))
    since = parse_time(ge_event_time) if ge_event_time is not None else None
    until = parse_time(lt_event_time) if lt_event_time is not None else None

    out = []
    for event in events:
        if types and event.get("type") not in types:
            continue
        if steps and _bizstep(event.get("bizStep", "")) not in steps:
            continue
        if since or until:
            when = parse_time(event["eventTime"])
            if (since and when < since) or (until and when >= until):
                continue
        if locations and normalise_gs1_uri((event.get("bizLocation") or {}).get("id", "")) not in locations:
            continue
        if points and normalise_gs1_uri((event.get("readPoint") or {}).get("id", "")) not in points:
            continue
        if match_epc and not any(match_epc(e) for e in event_epcs(event)):
            continue
        out.append(event)
    return out


def filter_events_by_query(events: Iterable[dict], query: dict) -> list[dict]:
    """Apply an EPCIS query body (validated against the GS1 query schema).

    Raises ``ValueError`` for a parameter Boucle does not implement, rather than ignoring it
    and returning more events than asked.
    """
    validate_query(query)
    unsupported = sorted(set(query) - set(QUERY_PARAMETERS) - {"@context"})
    if unsupported:
        raise EngineError("epcis.query-parameter", gettext_noop("paramètre(s) de requête EPCIS non pris en charge : "
                                                                "%(names)s"), names=", ".join(unsupported))
    kwargs = {QUERY_PARAMETERS[k]: v for k, v in query.items() if k in QUERY_PARAMETERS}
    return filter_events(events, **kwargs)
