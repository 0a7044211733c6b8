"""From passports to URIs and back: Digital Link on the platform's domain, platform identifiers,
and the passports an EPCIS event names.

The platform is its own resolver, so the QR code carries a DL URI under the platform's domain
(``https://boucle.example/01/09520123456788/21/42``), which any GS1 tool reads as the GTIN
and serial. A company without a GS1 prefix gets ``https://boucle.example/p/<handle>``: a plain
URL, deliberately not shaped like a GS1 key. Events are matched to passports through
constrained canonical DL URIs, so an event written with EPC URNs finds the same passport.
"""

from django.conf import settings
from django.db.models import Q

from boucle.epcis.gs1keys import normalise_gs1_uri
from boucle.epcis.query import event_epcs
from boucle.epcis.vocab import BOUCLE_VOC
from boucle.gs1 import CANONICAL_STEM, build_digital_link

from .models import Passport

#: Where a site is named in events (bizLocation / readPoint) when it has no GLN.
SITE_PREFIX = BOUCLE_VOC.replace("/voc/", "/site/")


def stem_for(request=None) -> str:
    """The resolver root: ``BOUCLE_RESOLVER_ROOT`` when set, else the requested host."""
    root = getattr(settings, "BOUCLE_RESOLVER_ROOT", "")
    if root:
        return root.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost:8000"


def digital_link(passport: Passport, stem: str) -> str | None:
    pairs = passport.gs1_pairs()
    return build_digital_link(pairs, stem, check_associations=False) if pairs else None


def platform_uri(passport: Passport, stem: str) -> str:
    return f"{stem}/p/{passport.handle}"


def scan_uri(passport: Passport, stem: str) -> str:
    """What the QR code carries."""
    return digital_link(passport, stem) or platform_uri(passport, stem)


def epc(passport: Passport, stem: str) -> str:
    """How events name the passport: the canonical DL (id.gs1.org) or the platform URI."""
    return digital_link(passport, CANONICAL_STEM) or platform_uri(passport, stem)


def site_uri(site) -> str:
    return SITE_PREFIX + site.site_id


def site_for_location(location: str):
    from boucle.flows.models import Site

    if location and location.startswith(SITE_PREFIX):
        return Site.objects.filter(site_id=location[len(SITE_PREFIX):]).first()
    return None


def _platform_handle(uri: str) -> str | None:
    head, sep, handle = uri.rstrip("/").rpartition("/p/")
    return handle if sep and head.startswith(("http://", "https://")) and handle.isalnum() else None


def passports_for_uri(uri: str) -> list[Passport]:
    """Passports whose key is exactly the one ``uri`` names (any GS1 notation, or /p/<handle>)."""
    handle = _platform_handle(uri)
    if handle:
        return list(Passport.objects.filter(handle=handle, gtin="", giai=""))
    canonical = normalise_gs1_uri(uri)
    if not canonical.startswith(CANONICAL_STEM + "/"):
        return []
    parts = canonical[len(CANONICAL_STEM) + 1:].split("/")
    pairs = dict(zip(parts[::2], parts[1::2]))
    if "8004" in pairs:
        return list(Passport.objects.filter(giai=pairs["8004"]))
    if "01" not in pairs:
        return []
    q = Q(gtin=pairs["01"])
    if "21" in pairs:  # a serial identifies the item whatever its lot
        q &= Q(serial=pairs["21"])
    else:
        q &= Q(lot=pairs.get("10", ""), serial="")
    return list(Passport.objects.filter(q))


def passports_of_event(event: dict) -> list[Passport]:
    """Every passport the event names (EPCs, parent, quantity classes), each once, in order."""
    seen: dict[int, Passport] = {}
    for uri in event_epcs(event):
        for passport in passports_for_uri(uri):
            seen.setdefault(passport.pk, passport)
    return list(seen.values())
