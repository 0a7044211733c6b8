"""Write endpoints and EPCIS 2.0 capture and query over HTTP (JSON-LD).

Permissions:
- ``POST /passeports/epcis/capture``: authenticated (session, or ``Authorization: Bearer`` API
  token) -> 401 otherwise; the caller must be allowed to write every passport the events name
  (``access.can_capture``: producing company's members, facilitators of its territory,
  legitimate-interest companies, the administrator) -> 403 otherwise; 400 names each problem.
- ``POST /passeports/nouveau``: issue a passport; 401 anonymous, 403 unless the caller may
  edit the producing site (``accounts.access.can_edit_site``).
- ``POST /passeports/interet-legitime``: 401 anonymous, 403 unless the caller facilitates the
  company's territory (or is the administrator).
- ``GET /passeports/epcis/events``: public; returns only events whose visibility the caller
  may read (anonymous: public events), their places as ``disclosure.Disclosure`` lets the caller
  read them (a pseudonym unless the caller is one of the site's people, its facilitator or an
  authority).
"""

import json

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from boucle.accounts.access import can_edit_site, facilitated_q
from boucle.accounts.models import ApiToken
from boucle.epcis.document import build_document
from boucle.epcis.query import QUERY_PARAMETERS, filter_events, parse_time
from boucle.epcis.vocab import normalize_bizstep
from boucle.flows.models import Company, Site
from boucle.messages import translate

from .access import can_capture, readable_events
from .disclosure import Disclosure
from .events import CaptureError, capture
from .identifiers import scan_uri, stem_for
from .services import issue_passport
from .models import LegitimateInterestGrant, Tier

JSONLD = "application/ld+json"


def _token(request):
    """The live API token of the request (``ApiToken.valid``), or None."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    found = ApiToken.valid(header[7:].strip())
    if found is not None:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def _json_body(request):
    """The request's JSON body; a ValueError names what is wrong with it, in the reader's language."""
    try:
        return json.loads(request.body or b"null")
    except UnicodeDecodeError:
        raise ValueError(_("corps de la requête : le texte n'est pas en UTF-8")) from None
    except json.JSONDecodeError as err:
        raise ValueError(_("corps de la requête : JSON illisible à la ligne %(line)s, colonne %(column)s")
                         % {"line": err.lineno, "column": err.colno}) from None


def _error(status: int, errors: list[str]) -> JsonResponse:
    return JsonResponse({"type": "epcisException:" + {400: "ValidationException", 401: "SecurityException",
                                                       403: "SecurityException"}.get(status, "ImplementationException"),
                         "title": errors[0] if errors else "", "status": status, "errors": errors}, status=status)


def _writer(request):
    """(user, None) for a token or a session with a valid CSRF token, else (None, 401/403 response)."""
    if request.method != "POST":
        response = _error(405, [_("méthode %(method)s non autorisée : utilisez POST") % {"method": request.method}])
        response["Allow"] = "POST"
        return None, response
    token = _token(request)
    if token is not None:
        if not token.may(request.method):
            return None, _error(403, [_("Authorization : ce jeton d'API est en lecture seule ; créez un jeton en "
                                        "lecture-écriture pour écrire")])
        return token.user, None  # a bearer token is not sent by browsers on their own: no CSRF risk
    if not request.user.is_authenticated:
        return None, _error(401, [_("Authorization : authentification requise (session ouverte ou en-tête "
                                    "« Authorization: Bearer <jeton> »)")])
    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
        return None, _error(403, [_("X-CSRFToken : jeton CSRF absent ou invalide ; rechargez la page et réessayez")])
    return request.user, None


def _written_json(request):
    """(user, parsed body, None) for a writer whose body is JSON, else (None, None, the error response)."""
    user, refusal = _writer(request)
    if refusal is not None:
        return None, None, refusal
    try:
        return user, _json_body(request), None
    except ValueError as err:
        return None, None, _error(400, [str(err)])


@csrf_exempt
def capture_view(request):
    """POST an EPCISDocument or a single event (JSON-LD). ``?visibility=public|legitimate|authority``
    (default legitimate) sets who will read them. 201 with the stored event hashes."""
    user, body, refusal = _written_json(request)
    if refusal is not None:
        return refusal
    try:
        result = capture(body, user, visibility=request.GET.get("visibility", Tier.LEGITIMATE), may_capture=can_capture)
    except CaptureError as err:
        return _error(err.status, err.errors)
    return JsonResponse({"captured": [e.event_id for e in result.events], "duplicates": result.duplicates,
                         "passports": [p.handle for p in result.passports],
                         "offers": [f.pk for f in result.offers]}, status=201)


@csrf_exempt
def create_view(request):
    """POST a new passport as JSON: ``{"site": "<SIRET or site id>", "name": ..., "gtin": ...}``.
    401 when anonymous, 403 unless the caller may edit the site (its company's members, the
    facilitators of its territory, the administrator), 400 naming each invalid field; 201 with
    the handle, the page and the URI to print in the QR code."""
    user, data, refusal = _written_json(request)
    if refusal is not None:
        return refusal
    if not isinstance(data, dict) or not data.get("site"):
        return _error(400, [_("site : obligatoire (le SIRET ou l'identifiant du site producteur)")])
    site = Site.objects.filter(site_id=str(data.pop("site"))).first()
    if site is None:
        return _error(400, [_("site : aucun site connu de Boucle n'a cet identifiant")])
    if not can_edit_site(user, site):
        return _error(403, [_("site : vous ne pouvez pas émettre de passeport pour ce site")])
    try:
        passport = issue_passport(site, data)
    except ValidationError as err:
        return _error(400, [_("%(field)s : %(message)s") % {"field": "passeport" if field == "__all__" else field,
                                                             "message": m}
                            for field, messages in err.message_dict.items() for m in messages])
    stem = stem_for(request)
    return JsonResponse({"handle": passport.handle, "page": stem + reverse("passports:page", args=[passport.handle]),
                         "scan_uri": scan_uri(passport, stem)}, status=201)


@csrf_exempt
def grant_view(request):
    """POST ``{"company": <company id>, "reason": "...", "revoke": false}``: a facilitator vouches
    for a company's legitimate interest (or withdraws it). 401 anonymous; 403 unless the caller
    facilitates a territory holding one of the company's sites (or is the administrator)."""
    user, data, refusal = _written_json(request)
    if refusal is not None:
        return refusal
    try:
        company = Company.objects.get(pk=int(data["company"]))
    except (ValueError, TypeError, KeyError, OverflowError):
        return _error(400, [_("company : obligatoire (l'identifiant numérique de l'entreprise)")])
    except Company.DoesNotExist:
        return _error(400, [_("company : aucune entreprise n'a cet identifiant")])
    territories = facilitated_q(user)
    in_territory = territories is not None and Site.objects.filter(territories, company=company).exists()
    if not (user.is_superuser or in_territory):
        return _error(403, [_("company : seul un animateur du territoire de l'entreprise peut se porter garant "
                              "de son intérêt légitime")])
    if data.get("revoke"):
        LegitimateInterestGrant.objects.filter(company=company).delete()
        return JsonResponse({"company": company.pk, "legitimate_interest": False})
    LegitimateInterestGrant.objects.update_or_create(
        company=company, defaults={"granted_by": user, "reason": str(data.get("reason", ""))[:2000]})
    return JsonResponse({"company": company.pk, "legitimate_interest": True}, status=201)


def _values(request, name) -> list[str]:
    return [v for raw in request.GET.getlist(name) for v in raw.split("|") if v]


def _life_story_page(request):
    """A person whose browser opened the events of one passport (the resolver's ``gs1:epcis`` link) is
    sent to that passport's life story in words; software asking for JSON keeps the query document."""
    from django.http import HttpResponseRedirect

    from .identifiers import passports_for_uri
    from .resolver_views import _wants_html

    epcs = _values(request, "MATCH_anyEPC")
    if len(epcs) != 1 or set(request.GET) != {"MATCH_anyEPC"} or not _wants_html(request):
        return None
    found = passports_for_uri(epcs[0])
    if len(found) != 1:
        return None
    return HttpResponseRedirect(reverse("passports:page", args=[found[0].handle]) + "#history", status=303)


def events_view(request):
    """GET events: ``eventType``, ``MATCH_anyEPC``, ``EQ_bizStep``, ``GE_eventTime``,
    ``LT_eventTime``, ``EQ_bizLocation``, ``EQ_readPoint`` (``|`` separates alternatives).
    A browser asking for HTML with ``MATCH_anyEPC`` alone, naming one passport, is sent (303) to
    its page's life story. Otherwise an EPCISQueryDocument of the matching events the caller may read; 400 for an unknown
    parameter or a bad value."""
    page = _life_story_page(request)
    if page is not None:
        return page
    unknown = sorted(set(request.GET) - set(QUERY_PARAMETERS))
    if unknown:
        return _error(400, [ngettext("%(names)s : paramètre de requête inconnu ; paramètres acceptés : %(supported)s",
                                     "%(names)s : paramètres de requête inconnus ; paramètres acceptés : %(supported)s",
                                     len(unknown)) % {"names": ", ".join(unknown),
                                                      "supported": ", ".join(QUERY_PARAMETERS)}])
    criteria = {QUERY_PARAMETERS[name]: _values(request, name) for name in QUERY_PARAMETERS if _values(request, name)}
    events = readable_events(request.user)
    names = {key: name for name, key in QUERY_PARAMETERS.items()}
    for key in ("ge_event_time", "lt_event_time"):
        if key in criteria:
            try:
                criteria[key] = parse_time(criteria[key][0])
            except ValueError:
                return _error(400, [_("%(name)s : une date et une heure ISO 8601 sont attendues (par exemple "
                                      "2026-03-01T08:00:00Z), pas « %(value)s »") % {"name": names[key],
                                                                                   "value": criteria[key][0][:40]}])
    if "biz_step" in criteria:
        try:
            steps = [normalize_bizstep(s) for s in criteria["biz_step"]]
        except ValueError as err:  # the engine's message in the caller's language, the parameter named
            return _error(400, [_("%(name)s : %(error)s") % {"name": names["biz_step"], "error": translate(err)}])
        events = events.filter(biz_step__in=steps)
    if "event_type" in criteria:
        events = events.filter(event_type__in=criteria["event_type"])
    if "ge_event_time" in criteria:
        events = events.filter(event_time__gte=criteria["ge_event_time"])
    if "lt_event_time" in criteria:
        events = events.filter(event_time__lt=criteria["lt_event_time"])
    # EPC and location criteria compare canonical forms (URN vs Digital Link): the pure
    # reference filter does it on the rows the database already narrowed, as the caller reads
    # them: a place it may not know is matched by its pseudonym only, so the query cannot be
    # used to test whether a product passed through a given site.
    readable = Disclosure(request.user).events(events.order_by("event_time", "id"))
    matched = filter_events(readable, **criteria)
    header = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
              "type": "EPCISQueryDocument",
              "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {}}}}
    response = JsonResponse(build_document(matched, header), content_type=JSONLD,
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response

