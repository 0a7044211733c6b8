"""EPCIS 2.0 capture and query over HTTP (JSON-LD).

Permissions:
- ``POST /passeports/epcis/capture``: authenticated (session, or ``Authorization: Bearer`` API
  token) -> 401 otherwise; the caller must be allowed to write every passport the events name
  (``access.can_capture``: producing company's members, facilitators of its territory,
  legitimate-interest companies, the administrator) -> 403 otherwise; 400 names each problem.
- ``GET /passeports/epcis/events``: public; returns only events whose visibility the caller
  may read (anonymous: public events).
"""

import json

from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from boucle.accounts.models import ApiToken
from boucle.epcis.document import build_document
from boucle.epcis.query import QUERY_PARAMETERS, filter_events, parse_time
from boucle.epcis.vocab import normalize_bizstep

from .access import can_capture, readable_events
from .events import CaptureError, capture
from .models import Tier

JSONLD = "application/ld+json"


def _token_user(request):
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    found = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(header[7:].strip())).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


def _error(status: int, errors: list[str]) -> JsonResponse:
    return JsonResponse({"type": "epcisException:" + {400: "ValidationException", 401: "SecurityException",
                                                       403: "SecurityException"}.get(status, "ImplementationException"),
                         "title": errors[0] if errors else "", "status": status, "errors": errors}, status=status)


@csrf_exempt
def capture_view(request):
    """POST an EPCISDocument or a single event (JSON-LD). ``?visibility=public|legitimate|authority``
    (default legitimate) sets who will read them. 201 with the stored event hashes."""
    if request.method != "POST":
        response = _error(405, ["use POST"])
        response["Allow"] = "POST"
        return response
    user = _token_user(request)
    if user is None:
        if not request.user.is_authenticated:
            return _error(401, ["authentication required (session or Authorization: Bearer <token>)"])
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if reason is not None:
            return _error(403, ["CSRF check failed"])
        user = request.user
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as err:
        return _error(400, [f"body is not JSON: {err}"])
    try:
        result = capture(body, user, visibility=request.GET.get("visibility", Tier.LEGITIMATE), may_capture=can_capture)
    except CaptureError as err:
        return _error(err.status, err.errors)
    return JsonResponse({"captured": [e.event_id for e in result.events], "duplicates": result.duplicates,
                         "passports": [p.handle for p in result.passports],
                         "offers": [f.pk for f in result.offers]}, status=201)


def _values(request, name) -> list[str]:
    return [v for raw in request.GET.getlist(name) for v in raw.split("|") if v]


def events_view(request):
    """GET events: ``eventType``, ``MATCH_anyEPC``, ``EQ_bizStep``, ``GE_eventTime``,
    ``LT_eventTime``, ``EQ_bizLocation``, ``EQ_readPoint`` (``|`` separates alternatives).
    An EPCISQueryDocument of the matching events the caller may read; 400 for an unknown
    parameter or a bad value."""
    unknown = sorted(set(request.GET) - set(QUERY_PARAMETERS))
    if unknown:
        return _error(400, [f"unknown query parameter(s): {', '.join(unknown)}; "
                            f"supported: {', '.join(QUERY_PARAMETERS)}"])
    criteria = {QUERY_PARAMETERS[name]: _values(request, name) for name in QUERY_PARAMETERS if _values(request, name)}
    events = readable_events(request.user)
    try:
        for key in ("ge_event_time", "lt_event_time"):
            if key in criteria:
                criteria[key] = parse_time(criteria[key][0])
        if "event_type" in criteria:
            events = events.filter(event_type__in=criteria["event_type"])
        if "biz_step" in criteria:
            events = events.filter(biz_step__in=[normalize_bizstep(s) for s in criteria["biz_step"]])
        if "ge_event_time" in criteria:
            events = events.filter(event_time__gte=criteria["ge_event_time"])
        if "lt_event_time" in criteria:
            events = events.filter(event_time__lt=criteria["lt_event_time"])
    except ValueError as err:
        return _error(400, [str(err)])
    # EPC and location criteria compare canonical forms (URN vs Digital Link): the pure
    # reference filter does it on the rows the database already narrowed.
    matched = filter_events([e.data for e in events.order_by("event_time", "id")], **criteria)
    header = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
              "type": "EPCISQueryDocument",
              "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {}}}}
    response = JsonResponse(build_document(matched, header), content_type=JSONLD,
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response

