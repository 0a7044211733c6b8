"""The GS1-Conformant resolver: ``/01/{gtin}/...``, ``/8004/{giai}``, ``/p/<handle>``,
``/.well-known/gs1resolver`` and the signed chain heads ``/.well-known/boucle-chain-head/<handle>``.

Permissions: public. Anyone may resolve; the linkset lists only links to fields the caller
may read (anonymous callers get the public tier). The decision itself (307, linkset, 400, 404)
is taken by the pure ``boucle.gs1.resolver.resolve``; this module finds the links and writes
the HTTP answer, with CORS on every response (a scanner app on another origin must read it).
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404, render
from django.urls import is_valid_path, reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from boucle.gs1 import GS1Error, build_digital_link, parse_digital_link
from boucle.gs1.compression import decompress_digital_link
from boucle.gs1.linkset import link_types
from boucle.gs1.resolver import JSONLD_CONTEXT, resolve
from boucle.gs1.words import AI_NAMES, ai_name
from boucle.messages import translate

from . import anchor
from .disclosure import Disclosure
from .identifiers import stem_for
from .links import passport_links
from .models import ChainHead, Event, Passport

ALLOWED_METHODS = "GET, HEAD, OPTIONS"


class TemporaryRedirect(HttpResponseRedirectBase):
    """307: the method and body are kept, and clients do not cache the target (links change)."""

    status_code = 307


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
    response["Access-Control-Expose-Headers"] = "Link, Location, Content-Type"
    response["Vary"] = "Accept, Accept-Language"
    return response


def _options() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED_METHODS
    return _cors(response)


def _method_not_allowed(request) -> HttpResponse:
    response = JsonResponse({"error": _("méthode %(method)s non autorisée ; méthodes acceptées : %(allowed)s")
                             % {"method": request.method, "allowed": ALLOWED_METHODS}}, status=405)
    response["Allow"] = ALLOWED_METHODS
    return _cors(response)


def _candidates(uri: str):
    """Passports at the requested level or above it (model -> batch -> item)."""
    try:
        pairs = dict(parse_digital_link(uri, check_associations=False))
    except GS1Error:
        return Passport.objects.none()  # resolve() answers 400 with the reason
    if "8004" in pairs:
        return Passport.objects.filter(giai=pairs["8004"])
    if "01" not in pairs:
        return Passport.objects.none()
    levels = Q(lot="") | Q(lot=pairs.get("10", ""))
    if "21" in pairs and "10" not in pairs:
        levels |= Q(serial=pairs["21"])  # GTIN + serial names the item whatever lot it was made in
    return Passport.objects.filter(levels, Q(serial="") | Q(serial=pairs.get("21", "")), gtin=pairs["01"])


def _anchor(passport: Passport, uri: str, stem: str) -> str | None:
    """An item reached by GTIN + serial alone is anchored at that shorter URI, so it is found."""
    pairs = dict(parse_digital_link(uri, check_associations=False))
    if passport.serial and passport.lot and "10" not in pairs:
        return build_digital_link([("01", passport.gtin), ("21", passport.serial)], stem, check_associations=False)
    return None


@csrf_exempt
def resolve_view(request, rest=""):
    """GET/HEAD a GS1 Digital Link URI: 307 to the default or ``?linkType=`` link (query string
    passed on), the linkset (``Accept: application/linkset+json`` or ``?linkType=linkset``),
    400 for bad syntax, 404 for an unknown identifier or link type (JSON, or a page in words for a
    browser that asks for HTML: a person who scanned). OPTIONS: 204 with CORS."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request)
    stem = stem_for(request)
    path = request.path.rstrip("/")  # GS1 asks resolvers to tolerate a trailing slash
    query = request.META.get("QUERY_STRING", "")
    return _answer(request, stem, stem + escape_uri_path(path) + ("?" + query if query else ""))


def _answer(request, stem: str, uri: str) -> HttpResponse:
    """Resolve an uncompressed Digital Link URI for this request (shared by both routes)."""
    candidates = list(_candidates(uri).select_related("site"))
    links = [link for passport in candidates
             for link in passport_links(passport, request.user, stem, _anchor(passport, uri, stem))]
    decision = resolve(uri, links, accept=request.headers.get("Accept"),
                       accept_language=request.headers.get("Accept-Language"), stem=stem)
    if decision.status == 307:
        response = TemporaryRedirect(_telling_what_was_scanned(decision.location, uri, candidates))
    elif decision.status in (400, 404) and _wants_html(request):
        response = _scan_error_page(request, uri, decision.status)
    else:
        body = decision.body
        if decision.message is not None:  # the engine's French message, in the request's language
            body = {**body, "error": translate(decision.message)}
        body = "" if body is None else json.dumps(body, ensure_ascii=False, indent=1)
        response = HttpResponse(body, status=decision.status, content_type=decision.media_type or "application/json")
    for name, value in decision.headers.items():
        response[name] = value
    if request.method == "HEAD":
        response.content = b""
    return _cors(response)


def _telling_what_was_scanned(location: str, uri: str, candidates) -> str:
    """A scanned lot or serial number without a passport of its own leads to its model's (or
    batch's) page, as GS1 resolvers do; the page is told which (``?lot=``, ``?serie=``) so it
    can say the reader sees the model's information, not this item's own history."""
    if "/passeports/" not in location or "#" in location:
        return location
    try:
        pairs = dict(parse_digital_link(uri, check_associations=False))
    except GS1Error:
        return location
    missing = [(key, pairs[ai]) for ai, field, key in (("10", "lot", "lot"), ("21", "serial", "serie"))
               if ai in pairs and not any(getattr(p, field) == pairs[ai] for p in candidates)]
    if not missing:
        return location
    return location + ("&" if "?" in location else "?") + urlencode(missing)


def _wants_html(request) -> bool:
    """A phone's browser that scanned a QR code asks for HTML; scanner apps and API clients ask for
    JSON or the linkset (or send no ``Accept``), and keep the resolver's JSON answers."""
    accept = request.headers.get("Accept") or ""
    return "text/html" in accept and "linkset" not in accept and request.GET.get("linkType") is None




def _scan_problem(uri: str) -> tuple[str, str]:
    """Why a scanned address is not a readable GS1 code, and which part of it, in words (the
    engine's message is for developers and stays in the JSON answer)."""
    try:
        parse_digital_link(uri)
    except GS1Error as err:
        part = translate(ai_name(err.ai)) if err.ai in AI_NAMES else ""  # the AI in words, for who scanned
        if err.rule in ("csum", "csumalpha"):
            return _("Le dernier chiffre (la clé de contrôle) ne correspond pas : un chiffre a sans doute été mal lu "
                     "ou mal imprimé."), part
        if err.rule == "length":
            return _("Un des numéros est trop court ou trop long."), part
        if err.rule in ("uri", "syntax", "dl-query", "dl-attribute", "empty"):
            return _("L'adresse contient des caractères ou des paramètres qu'un code produit ne peut pas contenir."), part
        return _("L'adresse ne suit pas le format des codes produits GS1."), part
    return "", ""


def _scan_error_page(request, uri: str, status: int) -> HttpResponse:
    """A French (or English) page for a person whose scan led nowhere: why, and what to do."""
    problem, part = _scan_problem(uri) if status == 400 else ("", "")
    context = {"status": status, "problem": problem, "part": part}
    return render(request, "passports/scan_error.html", context, status=status)


@csrf_exempt
def compressed_view(request, segment):
    """GET/HEAD a *compressed* Digital Link URI (``/<base64url>``, GS1 DL 1.2 section 8): decompressed
    here and answered exactly like its uncompressed form, so a small QR code carrying the short URI
    reaches the same page. A segment that does not decompress to a GS1 key is a 404 — or, when the path
    with a slash added is a page (``/carte`` for ``/carte/``), the redirect Django's APPEND_SLASH would
    have made had this route not matched first."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request)
    stem = stem_for(request)
    query = request.META.get("QUERY_STRING", "")
    try:
        uri = decompress_digital_link(f"{stem}/{segment}" + ("?" + query if query else ""))
        parse_digital_link(uri, check_associations=False)
    except (GS1Error, ValueError):
        if settings.APPEND_SLASH and is_valid_path(request.path_info + "/", getattr(request, "urlconf", None)):
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        raise Http404("not a compressed GS1 Digital Link") from None
    return _answer(request, stem, uri)


@csrf_exempt
def platform_view(request, handle):
    """GET/HEAD ``/p/<handle>``: a platform identifier (not a GS1 key); 307 to the passport page,
    query string passed on. Public."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request)
    passport = get_object_or_404(Passport, handle=handle, gtin="", giai="")
    location = reverse("passports:page", args=[passport.handle])
    query = [(k, v) for k, v in request.GET.items() if k != "linkType"]
    response = TemporaryRedirect(location + ("?" + urlencode(query) if query else ""))
    return _cors(response)


@csrf_exempt
def description_view(request):
    """GET ``/.well-known/gs1resolver``: the resolver description file. Public."""
    if request.method == "OPTIONS":
        return _options()
    stem = stem_for(request)
    stable = {curie: lt for curie, lt in link_types().items() if lt.get("status") == "stable"}
    doc = {
        "name": "Boucle — résolveur GS1 des passeports produits",
        "resolverRoot": stem,
        "supportedLinkType": [{"namespace": "https://ref.gs1.org/voc/", "prefix": "gs1:"}],
        "supportedPrimaryKeys": ["01", "8004"],
        "supportedContextValuesEnumerated": ["disassembly"],
        "linkTypeDefaultCanBeAll": False,
        "linksetContext": JSONLD_CONTEXT,
        "supportsLanguageVariants": True,
        "supportsSemanticInterpretation": False,
        "validatesAIcombinations": True,
        "activeLinkTypes": {"en": {curie: {"title": lt.get("label", curie), "description": lt.get("comment", ""),
                                           "url": "https://ref.gs1.org/voc/" + curie.removeprefix("gs1:")}
                                   for curie, lt in stable.items()
                                   if curie not in ("gs1:defaultLink", "gs1:defaultLinkMulti")}},
        "platformIdentifiers": {"pattern": stem + "/p/{handle}",
                                "note": "Identifiers issued by Boucle to companies without a GS1 prefix; not GS1 keys."},
        "passportChainHeads": {
            **anchor.public_key_info(),
            "pattern": stem + "/.well-known/boucle-chain-head/{handle}",
            "note": ("Each passport's history is a hash chain of its EPCIS events; its head is signed at every "
                     "capture. Keep a head: a later history that no longer holds its link at its length was "
                     "truncated or rewritten (boucle passport verify HANDLE --head FILE). A reader who may not "
                     "know every place of the history gets the public chain (\"chain\": \"public\"), over the "
                     "events as the EPCIS query returns them to an anonymous caller: link = sha256(previous link "
                     "| eventID | visibility)."),
        },
    }
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})
    if request.method == "HEAD":
        response.content = b""
    return _cors(response)


@csrf_exempt
def chain_head_view(request, handle):
    """GET ``/.well-known/boucle-chain-head/<handle>``: the head signed at the passport's last
    capture (404 before its first event). Public: it names the passport's handle, the number of
    events and a hash — nothing an event's visibility hides. The head of the public chain (``"chain":
    "public"``) for whoever may not know every place of the history (``Disclosure.reads_every_place``):
    the private head would let them test candidate sites against it."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request)
    head = ChainHead.objects.filter(passport__handle=handle).exclude(signed={}).first()
    if head is not None:
        stored = Event.objects.filter(entries__passport_id=head.passport_id)
        head = head.signed if Disclosure(request.user).reads_every_place(stored) else head.public_signed
    if not head:  # before the first event, or a public chain not built yet
        raise Http404("no signed head for this passport")
    response = JsonResponse(head, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Cache-Control"] = "no-cache"
    if request.method == "HEAD":
        response.content = b""
    return _cors(response)
