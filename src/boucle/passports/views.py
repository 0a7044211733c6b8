"""Passport pages for whoever scans, the JSON export, QR codes and label sheets.

Permissions (all read-only, all public): every view shows what ``access.visible_fields``
allows the caller — anonymous visitors get the public tier, legitimate-interest companies and
authorities more. A non-published company's name is never shown to the public.

A history is shown from what its hashes cover only: each event's hashed content (never the
columns kept for queries), the status that history implies, and whether ``events.verify``
finds it intact (a page says so when it is not). The downloadable record carries the signed
head and every link, so whoever keeps it can later detect a truncated or rewritten history: of
the public chain (over the events as published) for whoever may not know every place it names.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from boucle.gs1.qr import qr_png, qr_svg

from . import anchor
from .access import site_label, user_tier, visible_event_tiers, visible_fields
from .disclosure import Disclosure
from .events import _bizstep_iri, derived_status, verify
from .identifiers import digital_link, epc, scan_uri, stem_for
from .models import ChainEntry, ChainHead, Passport

# The model's choice labels are plain French; the page reads them through the catalogue.
LEVEL_WORDS = {"model": _("modèle"), "batch": _("lot"), "item": _("exemplaire")}
#: Where the object stands, as its history implies it (``events.derived_status``), in what it means for the
#: object — not the record's own state (« émis » said the passport was issued, which a citizen read as nothing).
LIFE_WORDS = {"issued": _("neuf, pas encore mis en service"), "in_use": _("en service"),
              "repaired": _("réparé, de nouveau en service"),
              "refurbished": _("reconditionné, prêt pour une nouvelle vie"),
              "disassembled": _("démonté : l'objet n'existe plus, ses pièces ont été séparées"),
              "recycled": _("recyclé : l'objet n'existe plus, sa matière a été récupérée")}


def life_words(level: str, status: str) -> str:
    """The life state in words for the page; a model's passport is a sheet for all its units, not one object."""
    if level == Passport.Level.MODEL and status == Passport.Status.ISSUED:
        return str(_("fiche commune à tous ses exemplaires"))
    return str(LIFE_WORDS.get(status) or Passport.Status(status).label)

def _passport(handle):
    return get_object_or_404(Passport.objects.select_related("site__company", "site__naf", "site__commune"),
                             handle=handle)

def history(passport: Passport, user, disclosure: Disclosure | None = None) -> dict:
    """What the caller may see of the history, read from the hashed events, and its integrity:
    ``events`` (visible ones, in order), ``published`` (the same as the caller may read them: places
    it may not know replaced, ``disclosure``), ``status`` (implied by the whole history), ``intact``,
    and ``chain``: every link, the hash of each visible event, the signed head and the key to check it.

    The chain is the private one (over the stored events) only for a caller who reads every place of the
    history as captured; anyone else gets the public one (over the events as an anonymous visitor reads
    them), since a hash over a stored event would let them test candidate sites against it."""
    disclosure = disclosure or Disclosure(user)
    tiers = set(visible_event_tiers(user, passport))
    entries = list(ChainEntry.objects.filter(passport=passport).select_related("event").order_by("seq"))
    head = ChainHead.objects.filter(passport=passport).first()
    intact = not verify(passport, use_log=False)
    visible = [e.event for e in entries if e.event.visibility in tiers]
    published = disclosure.events(visible)
    private = disclosure.reads_every_place(e.event for e in entries)
    shown = {e.pk for e in visible}

    def link(entry):
        out = {"seq": entry.seq, "link": entry.link if private else entry.public_link}
        event_id = entry.event.data.get("eventID") if private else entry.public_event_id
        if entry.event.pk in shown and out["link"] and event_id:  # (a public chain not built yet: no hash)
            out.update(eventID=event_id, visibility=entry.event.visibility)
        return out

    signed = (head.signed if private else head.public_signed) if head else None
    chain = {"kind": "private" if private else "public", "intact": intact, "length": len(entries),
             "head": (head.link if private else head.public_link) if head else "",
             "links": [link(e) for e in entries], "signedHead": signed or None,
             "key": anchor.public_key_info() if entries else None}
    return {"events": visible, "published": published,
            "status": derived_status(passport, [e.event.data for e in entries]), "intact": intact, "chain": chain}

def _lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "fr").startswith("en") else "fr"


def passport_json(passport: Passport, user, stem: str) -> dict:
    """The passport as the caller may see it: the body of the JSON export and the API."""
    story = history(passport, user)
    tier = user_tier(user, passport)
    fields = visible_fields(user, passport, tier=tier)
    if "site" in fields:
        fields["site"] = site_label(passport.site, user)
    if fields.get("composition"):
        from .nearby import composition_with_crm

        fields["composition"] = composition_with_crm(fields["composition"], _lang())
    return {
        "handle": passport.handle,
        "level": passport.level,
        "identifier": {"gtin": passport.gtin or None, "lot": passport.lot or None, "serial": passport.serial or None,
                       "giai": passport.giai or None, "gs1": passport.is_gs1,
                       "digital_link": digital_link(passport, stem), "epc": epc(passport, stem),
                       "scan_uri": scan_uri(passport, stem)},
        "name": passport.name,
        "description": passport.description,
        "status": story["status"],
        "access_tier": tier,
        **fields,
        "events": [{"eventID": data.get("eventID"), "type": data.get("type"), "eventTime": data.get("eventTime"),
                    "bizStep": _bizstep_iri(data), "visibility": e.visibility}
                   for e, data in zip(story["events"], story["published"])],
        "chain": story["chain"],
    }

def export_view(request, handle):
    """GET the passport as JSON, filtered by the caller's tier. Public."""
    passport = _passport(handle)
    response = JsonResponse(passport_json(passport, request.user, stem_for(request)),
                            json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response

def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) <= 180 else None

#: How the life story tells each business step of CBV 2.0 and Boucle's own (a citizen reads
#: "emballé", never "packing"); a step missing here is told as a plain "event recorded".
STEP_LABELS = {
    "accepting": _("accepté"), "arriving": _("arrivé"), "assembling": _("assemblé"), "collecting": _("collecté"),
    "commissioning": _("mis en service"), "consigning": _("confié à un transporteur"),
    "creating_class_instance": _("fabriqué"), "cycle_counting": _("inventorié"),
    "decommissioning": _("mis hors service"), "departing": _("parti"), "destroying": _("détruit"),
    "disassembling": _("démonté"), "dispensing": _("distribué"), "encoding": _("étiqueté"),
    "entering_exiting": _("entré ou sorti d'un site"), "holding": _("mis en attente"), "inspecting": _("contrôlé"),
    "installing": _("installé"), "killing": _("étiquette désactivée"), "loading": _("chargé"),
    "other": _("événement enregistré"), "packing": _("emballé"), "picking": _("préparé pour l'envoi"),
    "receiving": _("reçu"), "recycling": _("recyclé"), "refurbishing": _("reconditionné"),
    "remanufacturing": _("refabriqué"), "removing": _("retiré"), "repackaging": _("réemballé"),
    "repairing": _("réparé"), "replacing": _("pièce remplacée"), "reserving": _("réservé"),
    "retail_selling": _("vendu"), "reusing": _("réemployé"), "sampling": _("prélevé pour analyse"),
    "sensor_reporting": _("mesures relevées"), "shipping": _("expédié"), "staging_outbound": _("prêt à partir"),
    "stock_taking": _("inventorié"), "stocking": _("mis en stock"), "storing": _("stocké"),
    "transporting": _("transporté"), "unloading": _("déchargé"), "unpacking": _("déballé"),
    "void_shipping": _("expédition annulée"),
}

def _life_story(events, disclosure: Disclosure) -> list[dict]:
    """Each event told from its hashed content (the query columns could be edited unseen); where it
    happened in words the reader may read (``disclosure.place_words``), never a site identifier."""
    from boucle.epcis.query import parse_time
    from boucle.epcis.vocab import bizstep_word

    story = []
    for event in events:
        data = event.data
        step = _bizstep_iri(data)
        word = bizstep_word(step) if step else ""
        story.append({"time": parse_time(data["eventTime"]), "type": data.get("type", ""), "word": word,
                      "step": STEP_LABELS.get(word, STEP_LABELS["other"]),
                      "where": disclosure.place_words((data.get("bizLocation") or data.get("readPoint") or {}).get("id", ""))})
    return story

def _repairability(summary: dict | None) -> dict | None:
    """The index in words for the page: the category and each criterion in the reader's language."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    if not summary or "score" not in summary:
        return summary
    english = (get_language() or "fr").startswith("en")
    summary["category_label"] = summary["category_en" if english else "category_fr"]
    labels = {"documentation": _("documentation technique"), "disassembly": _("facilité de démontage"),
              "spare_parts_availability": _("disponibilité des pièces détachées"),
              "spare_parts_price": _("prix des pièces détachées"), "specific": _("critère propre à la catégorie")}
    summary["criteria_rows"] = [(labels[k], v) for k, v in (summary.get("criteria") or {}).items() if k in labels]
    return summary


def identifier_words(passport: Passport) -> list[tuple[str, str]]:
    """The identifiers printed under the barcode, each named in words (not "(01) … (21) …")."""
    from django.utils.translation import gettext as _

    parts = [(_("Code produit (GTIN)"), passport.gtin), (_("Lot"), passport.lot), (_("N° de série"), passport.serial),
             (_("Identifiant d'équipement (GIAI)"), passport.giai)]
    return [(label, value) for label, value in parts if value]


def _scanned_without_passport(request, passport: Passport) -> dict:
    """The lot or serial number a scan asked for when this page is its model's or batch's (set
    by the resolver); shown as typed, escaped, and only on a less specific passport."""
    scanned = {"lot": (request.GET.get("lot") or "")[:20], "serial": (request.GET.get("serie") or "")[:20]}
    if passport.serial or (passport.lot and not scanned["serial"]):
        return {}
    return {k: v for k, v in scanned.items() if v}


def page_view(request, handle):
    """GET the page for whoever scans (mobile first). Public; ``?lat=&lon=`` (the scanner's
    position, sent by the page's own script and rounded to 3 decimals) or ``?commune=`` ranks
    the nearest places to repair, give, drop off or recycle it — places only, never the
    platform's company sites, and nothing about the search is kept."""
    from boucle.places.views import for_passport, map_json, origin_from

    passport = _passport(handle)
    stem = stem_for(request)
    tier = user_tier(request.user, passport)
    fields = visible_fields(request.user, passport, tier=tier)
    origin = origin_from(request)
    # The composition steers the search only for readers allowed to see it (a list of places
    # "taking batteries" would otherwise reveal a hidden composition).
    words = [m.get("material", "") for m in fields.get("composition") or [] if isinstance(m, dict)]
    places = for_passport(origin, passport.name, *words)
    from boucle.places.services import bonus_for_object
    from boucle.places.views import bonus_words

    from boucle.places.engine import categories_for

    bonus = bonus_words(bonus_for_object(passport.name, *words))
    bonus_known = bool(categories_for(passport.name, *words))  # a category Boucle knows, eligible or not
    if fields.get("composition"):
        from .nearby import composition_with_crm

        fields["composition"] = composition_with_crm(fields["composition"], _lang())
    from . import repair
    from .ageing import remaining_life_of
    from .park import ALERT_HORIZON_HOURS, needs_alert

    remaining, _reason = remaining_life_of(passport)
    context = {
        "remaining": remaining,
        "alert": needs_alert(remaining),
        "alert_hours": ALERT_HORIZON_HOURS,
        "repairability": _repairability(repair.summary(fields.get("repairability"), fields.get("spare_parts"))),
        "passport": passport,
        "identifiers": identifier_words(passport),
        "scanned": (scanned := _scanned_without_passport(request, passport)),
        "scanned_keep": [({"serial": "serie"}.get(k, k), v) for k, v in scanned.items()],  # kept by a places search
        # Empty fields are left out, so "in fields" means "known and visible" in the template.
        "fields": {k: v for k, v in fields.items() if v not in (None, "", [], {})},
        "tier": tier,
        "producer": site_label(passport.site, request.user) if "site" in fields else None,
        "story": _life_story((story := history(passport, request.user, disclosure := Disclosure(request.user)))["events"],
                             disclosure),
        "status": life_words(passport.level, story["status"]),
        "status_is_sheet": passport.level == Passport.Level.MODEL and story["status"] == Passport.Status.ISSUED,
        # taken apart or recycled: no repair bonus for an object that is gone (its model's facts stay)
        "gone": passport.level != Passport.Level.MODEL
        and story["status"] in (Passport.Status.DISASSEMBLED, Passport.Status.RECYCLED),
        "level": LEVEL_WORDS.get(passport.level) or passport.get_level_display(),
        "intact": story["intact"],
        "places": places,
        "bonus": bonus,
        "bonus_known": bonus_known,
        "places_json": map_json([p for group in places for p in group["places"]]),
        "origin": origin,
        "scan_uri": scan_uri(passport, stem),
        "export_url": reverse("passports:export", args=[passport.handle]),
        "composition_has_crm": any(line.get("critical_raw_materials") for line in fields.get("composition") or []),
    }
    return render(request, "passports/page.html", context)

def qr_view(request, handle, kind):
    """GET the passport's QR code as SVG or PNG (``?scale=``). Public: it carries only the identifier."""
    if kind not in ("svg", "png"):  # « qr.gif » answered a PNG under a name that promised a GIF
        raise Http404
    passport = _passport(handle)
    try:
        scale = max(1, min(int(request.GET.get("scale", 4)), 40))
    except ValueError:
        scale = 4
    uri = scan_uri(passport, stem_for(request))
    if kind == "svg":
        return HttpResponse(qr_svg(uri, scale=scale, validate=passport.is_gs1), content_type="image/svg+xml")
    return HttpResponse(qr_png(uri, scale=scale, validate=passport.is_gs1), content_type="image/png")

def labels_view(request, handle):
    """GET a printable sheet of QR labels: a batch's item passports (same GTIN and lot), or
    ``?count=`` copies of one passport's label. Public, like the labels themselves."""
    passport = _passport(handle)
    stem = stem_for(request)
    if passport.level == Passport.Level.BATCH:
        items = list(Passport.objects.filter(gtin=passport.gtin, lot=passport.lot).exclude(serial="")
                     .order_by("serial")) if passport.gtin else []
        passports = items or [passport]
    else:
        passports = [passport]
    try:
        copies = max(1, min(int(request.GET.get("count", 1)), 200))
    except ValueError:
        copies = 1
    labels = [{"passport": p, "uri": scan_uri(p, stem), "svg": qr_svg(scan_uri(p, stem), scale=3, validate=p.is_gs1)}
              for p in passports for _ in range(copies if len(passports) == 1 else 1)]
    return render(request, "passports/labels.html", {"passport": passport, "labels": labels})


def park_view(request):
    """GET the machine park of the facilitator's territories per EPCI (facilitators only)."""
    from django.core.exceptions import PermissionDenied

    from boucle.accounts.access import is_facilitator
    from boucle.observatory.views import can_view_territory
    from boucle.territories.refs import TerritoryError, resolve

    from .ageing import machine_park

    user = request.user
    if not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not is_facilitator(user):
        raise PermissionDenied
    refs = [f.ref for f in user.facilitations.all()]
    if not refs:  # the administrator: the regions holding machines
        refs = sorted({f"region:{r}" for r in Passport.objects.filter(production_equipment=True, site__commune__isnull=False)
                       .values_list("site__commune__departement__region_id", flat=True)}) or ["region:32"]
    chosen = request.GET.get("territory") or refs[0]
    try:
        ref = resolve(chosen[:40])
    except TerritoryError:
        ref = None
    if ref is None or not can_view_territory(user, ref):
        raise PermissionDenied
    doc = machine_park(str(ref))
    import datetime as dt

    def _named(text):
        try:
            return resolve(text[:40]).name
        except TerritoryError:
            return text

    choices = [(r, _named(r)) for r in refs] if len(refs) > 1 else []
    return render(request, "passports/park.html", {"doc": doc, "refs": refs, "choices": choices, "chosen": str(ref),
                                                   "reference_date": dt.date.fromisoformat(doc["reference_date"])})
