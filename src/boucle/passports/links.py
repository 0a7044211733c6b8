"""The links the resolver publishes for a passport, filtered by what the reader may see.

Only link types of GS1's ratified Web Vocabulary are used (``gs1:pip`` as the default link,
``gs1:dpp``, ``gs1:instructions``, ``gs1:sustainabilityInfo``, ``gs1:traceability``,
``gs1:epcis``, and the types documents declare). The circular-economy types GS1 withdrew
(``gs1:repairInfo``, ``gs1:recyclingInfo`` ...) are refused by ``gs1.linkset`` and never
produced here. A link to a tiered field appears only for readers of that tier, so the linkset
does not even reveal that hidden instructions exist.
"""

from urllib.parse import urlencode

from django.urls import reverse

from boucle.gs1.linkset import normalize_link_type

from .access import allowed, field_tier, user_tier
from .identifiers import digital_link, epc
from .models import Passport

LANGS = ["fr", "en"]


def passport_links(passport: Passport, user, stem: str, anchor: str | None = None) -> list[dict]:
    """Links of one passport as mappings for ``gs1.resolver.resolve``, anchored at its DL URI
    (or at ``anchor``, another URI naming the same item)."""
    anchor = anchor or digital_link(passport, stem)
    tier = user_tier(user, passport)
    page = stem + reverse("passports:page", args=[passport.handle])

    def link(link_type, href, title, **extra):
        return {"anchor": anchor, "link_type": link_type, "href": href, "title": title, **extra}

    links = [
        link("gs1:pip", page, f"{passport.name} — passeport produit / product passport", hreflang=LANGS,
             type="text/html", default=True),
        link("gs1:dpp", stem + reverse("passports:export", args=[passport.handle]),
             f"{passport.name} — passeport numérique (JSON) / digital product passport", type="application/json"),
        link("gs1:traceability", page + "#history", "Histoire du produit / life story", hreflang=LANGS, type="text/html"),
        link("gs1:epcis", stem + reverse("passports:epcis-events") + "?" + urlencode({"MATCH_anyEPC": epc(passport, stem)}),
             "Événements EPCIS / EPCIS events", type="application/ld+json"),
    ]
    if passport.repair_instructions and allowed(field_tier(passport, "repair_instructions"), tier):
        links.append(link("gs1:instructions", page + "#repair", "Réparer / repair instructions", hreflang=LANGS,
                          type="text/html"))
    if passport.disassembly_instructions and allowed(field_tier(passport, "disassembly_instructions"), tier):
        links.append(link("gs1:instructions", page + "#disassembly", "Démonter / disassembly instructions",
                          hreflang=LANGS, type="text/html", context=["disassembly"]))
    end_of_life = ("reuse_instructions", "recycling_instructions", "composition", "recycled_content_percent")
    if any(getattr(passport, f) and allowed(field_tier(passport, f), tier) for f in end_of_life):
        links.append(link("gs1:sustainabilityInfo", page + "#end-of-life", "Réemploi, recyclage / reuse and recycling",
                          hreflang=LANGS, type="text/html"))
    if passport.documents and allowed(field_tier(passport, "documents"), tier):
        for doc in passport.documents:
            links.append(link(normalize_link_type(doc.get("link_type") or "gs1:certificationInfo"), doc["url"],
                              doc.get("title") or doc["url"]))
    return links
