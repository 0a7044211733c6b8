"""What a reader may learn of the places a passport's events name.

Confidentiality rule of the platform: nothing about a company's site is public by default. An
event's ``readPoint``/``bizLocation`` is ``https://w3id.org/boucle/site/<site id>`` (a SIRET or
an iREP plant number: the plant, hence its address) or a GLN, so every door that publishes
events (the passport page, the JSON export and API, the EPCIS query, the resolver's links)
passes them through :meth:`Disclosure.event` first:

- the site's people (members of its company), the facilitators of its territory, authorities
  and the administrator read the identifiers as captured;
- anyone else reads a pseudonym, ``https://w3id.org/boucle/place/<26 letters>``: an HMAC of the
  location under the platform's secret, so it is the same in every event (a life story still
  reads as one place, and ``EQ_bizLocation`` on it still works), differs from site to site, and
  can be neither reversed nor tested against a list of known sites without the secret. Said in
  words, the place is the company's name and commune when the company is published; otherwise the
  area ``territories.secrecy`` tells (the commune only when three establishments of the site's
  activity share it, else its intercommunality, département or region).

The stored event is never changed (its hash is in the passport's private chain); readers without
the real places get an ``eventID`` recomputed over what they read (``epcis.redact``), and the
passport's *public* chain, built at capture over :func:`published_form` (what an anonymous reader
reads), instead of the private one (:meth:`Disclosure.reads_every_place`).
"""

from __future__ import annotations

import base64
import copy
import threading

from django.utils.crypto import salted_hmac

from boucle.accounts.access import facilitated_q, member_company_ids
from boucle.epcis.gs1keys import normalise_gs1_uri
from boucle.epcis.redact import redact_event
from boucle.epcis.vocab import BOUCLE_VOC

from .access import is_authority
from .identifiers import SITE_PREFIX

#: The platform's URI space for places told without naming them.
PLACE_PREFIX = BOUCLE_VOC.replace("/voc/", "/place/")
_SALT = "boucle.passports.disclosure.place"


def place_pseudonym(uri: str) -> str:
    """The stable public name of a location URI (a GLN written as an SGLN URN or a Digital Link gets one name)."""
    key = uri if uri.startswith(SITE_PREFIX) else normalise_gs1_uri(uri)
    digest = salted_hmac(_SALT, key, algorithm="sha256").digest()[:16]
    return PLACE_PREFIX + base64.b32encode(digest).decode().rstrip("=").lower()


def published_form(data: dict) -> dict:
    """An event as a reader who may know none of its places reads it (an anonymous visitor): every
    location, and every site URI written elsewhere in it, pseudonymised; ``eventID`` the CBV hash of the
    result. Depends on the event and the platform's secret key only: the public chain is built from it."""
    def rename(uri: str):
        return place_pseudonym(uri) if uri else None

    def other(value: str):
        return place_pseudonym(value) if value.startswith(SITE_PREFIX) else None

    return redact_event(data, rename, other)[0]


def _sites_of(uris) -> dict:
    """{uri: Site} for the Boucle site URIs among ``uris``, in one query."""
    from boucle.flows.models import Site

    ids = {uri[len(SITE_PREFIX):]: uri for uri in uris if uri.startswith(SITE_PREFIX)}
    if not ids:
        return {}
    found = Site.objects.select_related("company", "commune").filter(site_id__in=list(ids)).order_by()
    return {ids[site.site_id]: site for site in found}


def _places(event: dict) -> list[str]:
    """The location URIs of one event (where ``epcis.redact`` looks first)."""
    out = [(event.get(name) or {}).get("id") for name in ("readPoint", "bizLocation")]
    out += [entry.get(key) for name, key in (("sourceList", "source"), ("destinationList", "destination"))
            for entry in event.get(name) or [] if isinstance(entry, dict)]
    return [uri for uri in out if isinstance(uri, str)]


#: Anonymous readers' forms of events, by (pk, stored eventID): hashing each published event costs about
#: 2 ms, and the public query returns every public event of the platform.
_ANONYMOUS: dict[tuple, dict] = {}
_ANONYMOUS_MAX = 20_000
_ANONYMOUS_LOCK = threading.Lock()


class Disclosure:
    """One reader's view of event locations (cached per site and per capturing user: build one per request)."""

    def __init__(self, user):
        self.user = user
        self.everything = user.is_authenticated and is_authority(user)
        self.companies = member_company_ids(user)
        self.territories = facilitated_q(user)
        self._sites: dict[str, object] = {}
        self._reveal: dict[int, bool] = {}
        self._writers: dict[int, set[int]] = {}
        self._areas: dict[int, str] = {}

    def site(self, uri: str):
        if uri not in self._sites:
            self.prime([uri])
        return self._sites[uri]

    def prime(self, uris) -> None:
        """Look the sites of many locations up at once (a query document holds many events)."""
        new = [uri for uri in set(uris) if uri not in self._sites]
        found = _sites_of(new)
        self._sites.update({uri: found.get(uri) for uri in new})

    def reveals_site(self, site) -> bool:
        if self.everything or site.company_id in self.companies:
            return True
        if site.pk not in self._reveal:
            from boucle.flows.models import Site

            self._reveal[site.pk] = (self.territories is not None
                                     and Site.objects.filter(self.territories, pk=site.pk).exists())
        return self._reveal[site.pk]

    def _writer_companies(self, user_id) -> set[int]:
        if user_id not in self._writers:
            from boucle.accounts.models import Membership

            self._writers[user_id] = set(Membership.objects.filter(user_id=user_id).values_list("company_id", flat=True))
        return self._writers[user_id]

    def reveals(self, uri: str, captured_by_id=None) -> bool:
        """A Boucle site to its people and facilitators; another location (a GLN) to the people of the
        company that wrote the event, and to authorities."""
        if self.everything:
            return True
        site = self.site(uri)
        if site is not None:
            return self.reveals_site(site)
        return bool(captured_by_id and self.companies & self._writer_companies(captured_by_id))

    def event(self, event) -> dict:
        """The stored ``Event`` as this reader may read it (the stored JSON itself when nothing is hidden).
        Do not mutate the result: it may be the stored JSON or a form shared between anonymous readers."""
        if not self.user.is_authenticated:  # reveals nothing: one form per event, kept (events are append-only)
            key = (event.pk, event.data.get("eventID"))
            published = _ANONYMOUS.get(key)
            if published is None:
                published = published_form(event.data)
                with _ANONYMOUS_LOCK:  # threads of one server share the table
                    while len(_ANONYMOUS) >= _ANONYMOUS_MAX:
                        _ANONYMOUS.pop(next(iter(_ANONYMOUS)))
                    _ANONYMOUS[key] = published
            return published
        return self._published(event)

    def _published(self, event) -> dict:
        def rename(uri: str):
            return None if not uri or self.reveals(uri, event.captured_by_id) else place_pseudonym(uri)

        def other(value: str):  # a site URI written elsewhere in the event (ilmd, an extension)
            return rename(value) if value.startswith(SITE_PREFIX) else None

        published, changed = redact_event(event.data, rename, other)
        return published if changed else event.data

    def events(self, events) -> list[dict]:
        """Many events; an event's ``correctiveEventIDs`` follow the ids this reader sees (of events in this
        answer or not: a stored hash would let anyone test candidate sites against it)."""
        events = list(events)
        self.prime(uri for e in events for uri in _places(e.data))
        out = [(e.data.get("eventID"), self.event(e)) for e in events]
        renamed = {old: new["eventID"] for old, new in out if old != new.get("eventID")}
        named = {i for _old, data in out for i in (data.get("errorDeclaration") or {}).get("correctiveEventIDs") or []}
        outside = named - {old for old, _data in out}
        if outside:  # corrective events this answer does not hold: their ids as this reader reads them too
            from .models import Event

            for other in Event.objects.filter(event_id__in=list(outside)):
                if (read := self.event(other).get("eventID")) != other.event_id:
                    renamed[other.event_id] = read
        published = []
        for _old, data in out:
            ids = (data.get("errorDeclaration") or {}).get("correctiveEventIDs") or []
            if renamed and any(i in renamed for i in ids):
                data = copy.deepcopy(data)
                data["errorDeclaration"]["correctiveEventIDs"] = [renamed.get(i, i) for i in ids]
            published.append(data)
        return published

    def reads_every_place(self, events) -> bool:
        """Whether this reader reads every place of ``events`` (stored ``Event`` rows) as captured: then, and
        only then, may it read hashes over the stored events (the private chain); anyone else reads the
        public chain, which no candidate site can be tested against."""
        if self.everything:
            return True
        if not self.user.is_authenticated:
            return False
        events = list(events)
        self.prime(uri for e in events for uri in _places(e.data))
        return all(self.event(e).get("eventID") == e.data.get("eventID") for e in events)

    def place_words(self, uri: str) -> str:
        """Where, in words: the site's name and commune for its people; the company and its commune when the
        company is published; for others the area told of it (``territories.secrecy``: the commune only when
        three establishments of its activity share it, else a wider area); nothing for a location that is not a
        Boucle site."""
        site = self.site(uri) if uri else None
        if site is None:
            return ""
        commune = f"{site.commune.name} ({site.commune.departement_id})" if site.commune_id else ""
        if self.reveals_site(site):
            return ", ".join(p for p in (site.name, commune) if p)
        if site.company.published:
            return ", ".join(p for p in (site.company.name, commune) if p)
        if site.pk not in self._areas:
            from boucle.territories.secrecy import area_words

            self._areas[site.pk] = area_words(site)
        return self._areas[site.pk]
