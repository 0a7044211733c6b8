"""The one write path of passport histories: validate, hash, chain, and feed the symbiosis.

Captured events are validated against the EPCIS 2.0 JSON schema, identified by their CBV
event hash, stored once, and appended to the chain of every passport they name, all in one
transaction (the chain heads are locked, so two captures cannot fork a chain). Each link also
covers the event's visibility, and each new head is signed and logged outside the database
(``anchor``). Each passport has a second, public chain over its events as anyone reads them
(places pseudonymised, ``disclosure.published_form``), built and signed in the same step: the
private chain's hashes would let anyone who reads every event test candidate sites against
them. What a page shows of a history is read from the hashed event itself (``story_of``),
never from the columns kept for queries, and ``verify`` checks those columns, the passport's
status, both chains, their heads' signatures and every head someone kept. A disassembly
or recycling event at a Boucle site also declares what it recovered as an *offer* of that
site, so traced materials enter the matching the moment they exist.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from boucle.epcis import chain as _chain

from boucle.epcis import EPCISValidationError, event_hash, normalize_bizstep, validate_document, validate_event
from boucle.epcis.chain import chain_link, verify_chain
from boucle.epcis.document import split_document, standalone_event
from boucle.epcis.query import parse_time
from boucle.epcis.vocab import BOUCLE_BIZSTEP, BIZSTEP_PREFIX
from boucle.epcis._data import EPCIS_CONTEXT_URL
from boucle.messages import translate

from . import anchor
from .disclosure import published_form
from .identifiers import passports_for_uri, passports_of_event, site_for_location
from .models import ChainEntry, ChainHead, Event, Passport, StatusChange, Tier

DISASSEMBLING = BIZSTEP_PREFIX + "disassembling"
RECYCLING = BOUCLE_BIZSTEP + "recycling"

#: Status a passport reaches when an event of this business step names it.
STATUS_AFTER = {
    BIZSTEP_PREFIX + "commissioning": Passport.Status.IN_USE,
    BIZSTEP_PREFIX + "repairing": Passport.Status.REPAIRED,
    BOUCLE_BIZSTEP + "refurbishing": Passport.Status.REFURBISHED,
    BOUCLE_BIZSTEP + "remanufacturing": Passport.Status.REFURBISHED,
    DISASSEMBLING: Passport.Status.DISASSEMBLED,
    RECYCLING: Passport.Status.RECYCLED,
}

#: UN/CEFACT units EPCIS quantities use -> Boucle flow units.
UOM = {"KGM": "kg", "TNE": "t", "GRM": "g", "LTR": "l", "MTQ": "m3", "H87": "u", "C62": "u"}


class CaptureError(ValueError):
    """A capture refused as a whole; ``errors`` name each problem (JSON path when from the schema)."""

    def __init__(self, errors: list[str], status: int = 400):
        self.errors = errors
        self.status = status
        super().__init__("; ".join(errors))


@dataclass
class Captured:
    events: list[Event] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    passports: list[Passport] = field(default_factory=list)
    offers: list = field(default_factory=list)


def events_of_body(body) -> list[dict]:
    """Standalone events (each with its ``@context``) from a capture body: an EPCISDocument or one
    event. Raises CaptureError naming every schema violation."""
    if not isinstance(body, dict):
        raise CaptureError([_("$ : un objet JSON est attendu (un EPCISDocument ou un événement)")])
    try:
        if body.get("type") == "EPCISDocument":
            validate_document(body)
            header, events = split_document(body)
            return [standalone_event(e, header.get("@context")) for e in events]
        event = body if "@context" in body else standalone_event(body, [EPCIS_CONTEXT_URL])
        validate_event(event, standalone=True)
        return [event]
    except EPCISValidationError as err:
        raise CaptureError([translate(m) for m in err.messages]) from None


def _prepare(event: dict) -> dict:
    """A copy whose ``eventID`` is its CBV hash; a claimed hash that does not match is refused."""
    event = copy.deepcopy(event)
    computed = event_hash(event)
    claimed = event.get("eventID")
    if isinstance(claimed, str) and claimed.startswith("ni:///") and claimed != computed:
        raise CaptureError([_("$.eventID : %(claimed)s n'est pas l'empreinte de cet événement (%(computed)s attendu)")
                            % {"claimed": claimed, "computed": computed}])
    event["eventID"] = computed
    _check_usage(event)
    return event


#: Clock skew tolerated before a usage reading counts as dated in the future.
FUTURE_TOLERANCE_S = 300


def _check_usage(event: dict) -> None:
    """A usage reading (running hours in the sensor data) must have a known unit, a counter that is
    not negative, and a time that has happened: the remaining-life model would learn from it."""
    import datetime as dt

    from .life import UsageError, usage_hours

    try:
        hours = usage_hours(event)
    except UsageError as err:
        raise CaptureError([_("$.sensorElementList : %(error)s") % {"error": translate(err)}]) from None
    if hours is None:
        return
    when = parse_time(event["eventTime"])
    if when > dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=FUTURE_TOLERANCE_S):
        raise CaptureError([_("$.eventTime : %(time)s est dans le futur (un relevé d'usage enregistre ce qui a eu "
                              "lieu)") % {"time": event["eventTime"]}])


def _bizstep_iri(event: dict) -> str:
    step = event.get("bizStep")
    if not step:
        return ""
    try:
        return normalize_bizstep(step)
    except ValueError:
        return step  # a non-CBV step the schema accepted (any URI): stored as written


def indexed_columns(event: dict) -> dict:
    """The columns an event is queried by, all derived from its hashed content (``verify`` re-derives them)."""
    return dict(event_id=event["eventID"], event_type=event["type"], event_time=parse_time(event["eventTime"]),
                biz_step=_bizstep_iri(event), biz_location=(event.get("bizLocation") or {}).get("id", ""))


def capture(body, user, *, visibility: str = Tier.LEGITIMATE, may_capture=None) -> Captured:
    """Validate and store every event of ``body``, all or nothing.

    ``may_capture(user, passport)`` decides the right to write each named passport (a
    CaptureError with status 403 when refused)."""
    if visibility not in Tier.values:
        raise CaptureError([_("visibilité « %(visibility)s » inconnue (%(tiers)s)")
                            % {"visibility": visibility, "tiers": ", ".join(Tier.values)}])
    prepared = [_prepare(e) for e in events_of_body(body)]
    plan = []
    for i, event in enumerate(prepared):
        passports = passports_of_event(event)
        if not passports:
            raise CaptureError([_("événement %(i)s : ne désigne aucun passeport connu de Boucle (epcList, parentID, "
                                  "classes de quantités)") % {"i": i}], 400)
        refused = [p.handle for p in passports if may_capture and not may_capture(user, p)]
        if refused:
            raise CaptureError([ngettext("événement %(i)s : vous ne pouvez pas ajouter d'événement au passeport "
                                         "%(handles)s", "événement %(i)s : vous ne pouvez pas ajouter d'événement aux "
                                         "passeports %(handles)s", len(refused))
                                % {"i": i, "handles": ", ".join(refused)}], 403)
        plan.append((event, passports))
    result = Captured()
    with transaction.atomic():
        for event, passports in plan:
            if Event.objects.filter(event_id=event["eventID"]).exists():
                result.duplicates.append(event["eventID"])
                continue
            stored = Event.objects.create(
                **indexed_columns(event), data=event, visibility=visibility,
                captured_by=user if user and user.is_authenticated else None)
            changed = _inputs(event, passports)
            public_id = published_form(event)["eventID"]
            for passport in passports:
                append(passport, stored, public_id)
                if passport in changed:
                    move(passport, STATUS_AFTER.get(stored.biz_step), stored, user)
                if passport not in result.passports:
                    result.passports.append(passport)
            result.events.append(stored)
            result.offers.extend(offers_from_event(stored, passports))
    return result


def _inputs(event: dict, passports: list[Passport]) -> list[Passport]:
    """The passports an event acts upon: a transformation's inputs (its outputs are born of it)."""
    if event.get("type") != "TransformationEvent":
        return passports
    named = [q.get("epcClass", "") for q in event.get("inputQuantityList") or []] + list(event.get("inputEPCList") or [])
    inputs = {p.pk for uri in named for p in passports_for_uri(uri)}
    return [p for p in passports if p.pk in inputs]


#: Once taken apart or recycled, an item does not come back: later events are recorded, the state stays.
TERMINAL = {Passport.Status.DISASSEMBLED, Passport.Status.RECYCLED}


def move(passport: Passport, status: str | None, event: Event | None, user) -> bool:
    """Apply the transition an event implies, and log it; False when there is none to apply."""
    current = Passport.objects.filter(pk=passport.pk).values_list("status", flat=True).first()
    if not status or status == current or current in TERMINAL:
        return False
    Passport.objects.filter(pk=passport.pk).update(status=status)
    StatusChange.objects.create(passport=passport, old=current, new=status, event=event,
                                by=user if user is not None and user.is_authenticated else None)
    passport.status = status
    return True


def append(passport: Passport, event: Event, public_id: str | None = None) -> ChainEntry:
    """Chain ``event`` after the passport's heads and move them (inside the caller's transaction); the
    new heads are signed, and logged outside the database once the transaction commits. ``public_id``:
    the hash of the event as published (``published_form``), computed when not given. A passport whose
    public chain was not built yet (``build_public_chain``) gets its private link only."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(passport=passport)
    public_id = public_id or published_form(event.data)["eventID"]
    link = chain_link(head.link or None, event.event_id, event.visibility)
    public = head.length == 0 or bool(head.public_signed)
    public_link = chain_link(head.public_link or None, public_id, event.visibility) if public else ""
    entry = ChainEntry.objects.create(passport=passport, event=event, seq=head.length, link=link,
                                      public_event_id=public_id, public_link=public_link)
    head.link, head.length = link, head.length + 1
    head.signed = anchor.sign_head(passport.handle, head.length, link)
    if public:
        head.public_link = public_link
        head.public_signed = anchor.sign_head(passport.handle, head.length, public_link, public=True)
    head.save(update_fields=["link", "length", "signed", "public_link", "public_signed", "updated_at"])
    signed = [doc for doc in (head.signed, head.public_signed if public else None) if doc]
    transaction.on_commit(lambda: [anchor.log_head(doc) for doc in signed])
    return entry


def build_public_chain(head, entry_model=ChainEntry, head_model=ChainHead) -> str:
    """Build the public chain of a history captured before it existed, and sign its head: ``"built"``,
    ``"present"`` (nothing to do: idempotent), ``"empty"``, or ``"broken"`` when the private chain does
    not verify (a history already tampered with is left for ``verify`` to report, not laundered into a
    fresh signed chain). ``head`` is a ``ChainHead``; the model classes may be a migration's."""
    with transaction.atomic():
        head = head_model.objects.select_for_update().get(pk=head.pk)
        if not head.length:
            return "empty"
        if head.public_signed:  # built at capture (or before): never re-signed here
            return "present" if head.public_signed.get("length") == head.length else "broken"
        entries = list(entry_model.objects.filter(passport_id=head.passport_id).select_related("event", "passport")
                       .order_by("seq"))
        tags = [e.event.visibility for e in entries]
        if head.length != len(entries) or verify_chain([e.event.data for e in entries], [e.link for e in entries],
                                                       head.link or None, tags=tags):
            return "broken"
        prev = None
        for entry, tag in zip(entries, tags):
            public_id = published_form(entry.event.data)["eventID"]
            prev = chain_link(prev, public_id, tag)
            entry_model.objects.filter(pk=entry.pk).update(public_event_id=public_id, public_link=prev)
        signed = anchor.sign_head(entries[0].passport.handle, len(entries), prev, public=True)
        head_model.objects.filter(pk=head.pk).update(public_link=prev, public_signed=signed)
        transaction.on_commit(lambda: anchor.log_head(signed))
    return "built"


def derived_status(passport: Passport, events: list[dict]) -> str:
    """The status a passport's history implies (the transitions ``move`` applies, replayed)."""
    status = Passport.Status.ISSUED
    for event in events:
        target = STATUS_AFTER.get(_bizstep_iri(event))
        if target and target != status and status not in TERMINAL and _inputs(event, [passport]):
            status = target
    return status


#: The chain's problems in the platform's languages (``epcis.chain`` words them in English only).
CHAIN_WORDS = {
    _chain.T_LENGTH: gettext_lazy("%(events)s événements mais %(links)s maillons"),
    _chain.T_EDITED: gettext_lazy("l'événement %(i)s a été modifié après sa saisie : son contenu donne l'empreinte "
                                  "%(got)s, mais il a été enregistré sous %(want)s"),
    _chain.T_HEAD_BEHIND: ngettext_lazy("la tête enregistrée est le maillon de l'événement %(i)s, mais %(n)s "
                                        "événement le suit sans avoir été enregistré",
                                        "la tête enregistrée est le maillon de l'événement %(i)s, mais %(n)s "
                                        "événements le suivent sans avoir été enregistrés", "n"),
    _chain.T_HEAD_LOST: gettext_lazy("la tête enregistrée à part ne correspond à aucun maillon : le ou les derniers "
                                     "événements du passeport ont été supprimés (ou la tête a été falsifiée)"),
    _chain.T_RETAGGED: gettext_lazy("l'événement %(i)s a été enregistré comme %(was)r, mais il est stocké "
                                    "maintenant comme %(now)r"),
    _chain.T_WAS_FIRST: gettext_lazy("l'événement %(i)s a été enregistré comme le premier du passeport, mais il "
                                     "vient maintenant après l'événement %(before)s : l'historique a été réordonné"),
    _chain.T_WAS_AFTER: gettext_lazy("l'événement %(i)s a été enregistré juste après l'événement aujourd'hui en "
                                     "position %(j)s : l'historique a été réordonné"),
    _chain.T_LINK_OF: gettext_lazy("le maillon en position %(i)s appartient à l'événement aujourd'hui en position "
                                   "%(k)s : l'historique a été réordonné"),
    _chain.T_GAP_START: gettext_lazy("l'événement %(i)s ne suit pas le début de la chaîne : le ou les événements "
                                     "enregistrés avant lui manquent (supprimés)"),
    _chain.T_GAP: gettext_lazy("l'événement %(i)s ne suit pas l'événement %(before)s : le ou les événements "
                               "enregistrés avant lui manquent (supprimés)"),
    _chain.T_GAP_START_DOUBT: gettext_lazy("l'événement %(i)s ne suit pas le début de la chaîne : le ou les "
                                           "événements enregistrés avant lui manquent (supprimés) (ou cet événement, "
                                           "sans eventID d'empreinte, a été modifié)"),
    _chain.T_GAP_DOUBT: gettext_lazy("l'événement %(i)s ne suit pas l'événement %(before)s : le ou les événements "
                                     "enregistrés avant lui manquent (supprimés) (ou cet événement, sans eventID "
                                     "d'empreinte, a été modifié)"),
}


def chain_problem_text(problem) -> str:
    """A problem of ``epcis.chain.verify_chain`` in the active language."""
    words = CHAIN_WORDS.get(problem.template)
    return str(words % dict(problem.params)) if words is not None else str(problem)


def _column_problems(i: int, event: Event) -> list[str]:
    try:
        expected = indexed_columns(event.data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return [_("événement %(i)s : son contenu stocké n'est pas un événement EPCIS") % {"i": i}]
    return [_("événement %(i)s : sa colonne %(name)s vaut %(stored)r mais l'événement signé par l'empreinte dit "
              "%(value)r") % {"i": i, "name": name, "stored": getattr(event, name), "value": value}
            for name, value in expected.items() if getattr(event, name) != value]


def _anchor_problems(handle: str, links: list[str], doc, public, source: str) -> list[str]:
    """A head kept outside the database must be signed, and its link found at its length."""
    refused = anchor.check(doc, public)
    if refused:
        return [_("%(what)s : %(why)s") % {"what": source, "why": refused}]
    if doc.get("passport") != handle:
        return [_("%(source)s : c'est la tête du passeport %(other)r, pas de %(handle)r") % {
            "source": source, "other": doc.get("passport"), "handle": handle}]
    length, link = doc.get("length"), doc.get("head")
    if not isinstance(length, int) or length < 0:
        return [_("%(source)s : pas de longueur") % {"source": source}]
    if length > len(links):
        return [_("%(source)s : elle certifiait %(length)s événements le %(date)s, mais seuls %(stored)s sont "
                  "stockés : le ou les derniers événements ont été supprimés et la tête remontée") % {
            "source": source, "length": length, "date": doc.get("signedAt"), "stored": len(links)}]
    if length and links[length - 1] != link:
        return [_("%(source)s : l'historique qu'elle certifiait le %(date)s a été réécrit (l'événement %(last)s ne "
                  "se termine plus par son maillon)") % {"source": source, "date": doc.get("signedAt"),
                                                       "last": length - 1}]
    return []


def verify(passport: Passport, held_heads=(), *, use_log: bool = True, logged: dict | None = None,
           logged_public: dict | None = None) -> list[str]:
    """Every problem of the passport's stored history (empty: intact).

    Checks the chain of event hashes and visibilities, the query columns against the hashed
    events, the status against the history, the signature of the recorded head, the public chain
    (over the events as published) and its signed head, and the history against every head held
    outside the database: the log's latest of each chain (``use_log``) and ``held_heads`` ((source,
    signed head) pairs, e.g. a file someone kept; a public head is checked against the public chain).
    ``logged``, ``logged_public``: the log already read (``anchor.logged_heads()``), when verifying many."""
    entries = list(ChainEntry.objects.filter(passport=passport).select_related("event").order_by("seq"))
    head = ChainHead.objects.filter(passport=passport).first()
    events = [e.event.data for e in entries]
    links = [e.link for e in entries]
    tags = [e.event.visibility for e in entries]
    problems = [chain_problem_text(p) for p in verify_chain(events, links, head.link if head else None,
                                                            tags=tags, tag_values=Tier.values)]
    if head is not None and head.length != len(entries) and not problems:
        problems.append(_("%(recorded)s événements ont été enregistrés mais %(stored)s sont stockés")
                        % {"recorded": head.length, "stored": len(entries)})
    for i, entry in enumerate(entries):
        problems.extend(_column_problems(i, entry.event))
    status = Passport.objects.filter(pk=passport.pk).values_list("status", flat=True).first()
    if not problems and status != (expected := derived_status(passport, events)):
        problems.append(_("le statut du passeport est « %(status)s », mais son historique mène à « %(expected)s »")
                        % {"status": status, "expected": expected})
    public = anchor.public_key() if entries or held_heads else None
    public_links = [e.public_link for e in entries]
    if head is not None and head.length:
        problems.extend(_signed_head_problems(passport.handle, links, head.link, head.length, head.signed, public,
                                              _("la tête enregistrée")))
        if not head.public_signed and not any(public_links):
            problems.append(_("la chaîne publique n'a pas encore été construite (boucle passport public-chain) : "
                              "les lecteurs qui ne peuvent pas connaître les lieux n'ont aucune empreinte à vérifier"))
        else:
            forms = [{**published_form(e.event.data), "eventID": e.public_event_id} for e in entries]
            found = verify_chain(forms, public_links, head.public_link or None, tags=tags, tag_values=Tier.values)
            problems.extend(_("chaîne publique : %(problem)s") % {"problem": chain_problem_text(p)} for p in found)
            problems.extend(_signed_head_problems(passport.handle, public_links, head.public_link, head.length,
                                                  head.public_signed, public, _("la tête publique enregistrée")))
    anchors = list(held_heads)
    if use_log:
        for is_public, read, source in ((False, logged, _("la tête journalisée hors de la base")),
                                        (True, logged_public, _("la tête publique journalisée hors de la base"))):
            kept = (anchor.logged_heads(public=is_public) if read is None else read).get(passport.handle)
            if kept:
                anchors.append((source, kept))
    for source, doc in anchors:
        problems.extend(_anchor_problems(passport.handle, public_links if anchor.is_public(doc) else links, doc,
                                         public or anchor.public_key(), source))
    return problems


def _signed_head_problems(handle, links, link, length, signed, public, source) -> list[str]:
    """The head recorded in the database must be signed, and say what the database says."""
    if not signed:
        return [_("%(source)s n'est pas signée : elle a été écrite hors du chemin de saisie") % {"source": source}]
    found = _anchor_problems(handle, links, signed, public, source)
    if not found and (signed.get("length"), signed.get("head")) != (length, link):
        found = [_("%(source)s diffère de celle que sa signature certifie") % {"source": source}]
    return found


# --- link to the symbiosis -----------------------------------------------------------------

def _recovered(event: dict, passports: list[Passport]) -> list[tuple[str, float | None, str]]:
    """(label, quantity, unit) of what the event recovered.

    A recycling event's output batches, labelled by their passport or ``ilmd`` material; a
    disassembly's parts by their passport name, else the materials of the dismantled item."""
    ilmd = event.get("ilmd") or {}
    named = ilmd.get("boucle:material") or ilmd.get("https://w3id.org/boucle/voc/material")
    out = []
    for quantity in event.get("outputQuantityList") or []:
        found = passports_for_uri(quantity.get("epcClass", ""))
        label = named or (found[0].name if found else "")
        if label:
            out.append((label, quantity.get("quantity"), UOM.get(quantity.get("uom") or "", quantity.get("uom") or "")))
    if out:
        return out
    parts = [p for uri in event.get("outputEPCList") or [] for p in passports_for_uri(uri)]
    if parts:
        return [(p.name, 1.0, "u") for p in parts]
    inputs = [p for uri in event.get("inputEPCList") or [] for p in passports_for_uri(uri)] or passports
    return [(m["material"], m.get("mass_kg"), "kg" if m.get("mass_kg") is not None else "")
            for p in inputs for m in p.composition or [] if m.get("material")]


def offers_from_event(stored: Event, passports: list[Passport]) -> list:
    """Offers declared on the site of a disassembly or recycling TransformationEvent."""
    if stored.event_type != "TransformationEvent" or stored.biz_step not in (DISASSEMBLING, RECYCLING):
        return []
    site = site_for_location(stored.biz_location) or site_for_location((stored.data.get("readPoint") or {}).get("id", ""))
    if site is None:
        return []
    from boucle.flows.importers import classify, flow_identity
    from boucle.flows.models import Flow

    offers = []
    for i, (label, quantity, unit) in enumerate(_recovered(stored.data, passports)):
        external_id = f"epcis:{stored.event_id.split(';')[-1][:40]}:{i}"
        material_class, confidence = classify(label, None)
        flow, _ = Flow.objects.get_or_create(
            site=site, identity=flow_identity("offer", "material", label, None, external_id),
            defaults=dict(direction=Flow.Direction.OFFER, kind=Flow.Kind.MATERIAL, label=label[:300],
                          quantity=quantity, unit=unit[:8], period=Flow.Period.ONCE, material_class=material_class,
                          material_confidence=confidence, quantity_base=quantity if unit == "t" else
                          (quantity / 1000 if unit == "kg" and quantity is not None else None),
                          base_unit="t" if unit in ("t", "kg") else "", source="epcis", external_id=external_id,
                          confidential=True))
        offers.append(flow)
    return offers
