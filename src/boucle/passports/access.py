"""Who sees which passport field, and who may add events. Pages, JSON, linksets and the EPCIS
query all ask these functions, nothing else, so a tier cannot leak through one door only.

Tiers, from the EU ESPR's idea of a passport with public data, data for those with a
legitimate interest, and data for authorities:

- anyone (anonymous included) sees the *public* tier;
- *legitimate interest*: members of a company with an open site whose activity repairs,
  refurbishes, dismantles or recycles (NAF divisions 33, 38, 95), members of a company a
  facilitator has vouched for (``LegitimateInterestGrant``), and territory facilitators;
- *authority*: people the platform administrator named (``PassportAuthority``) and the
  administrator; members of the producing company also see everything of their own passports.
"""

from django.db.models import Q
from django.utils.translation import get_language

from boucle.accounts.access import facilitated_q, member_company_ids

from .models import TIER_RANK, LegitimateInterestGrant, Passport, PassportAuthority, Tier

CIRCULAR_NAF_DIVISIONS = ("33", "38", "95")

#: Tiered fields, in display order, with the tier they have unless the passport overrides it.
DEFAULT_TIERS = {
    "composition": Tier.PUBLIC,
    "recycled_content_percent": Tier.PUBLIC,
    "hazardous_substances": Tier.LEGITIMATE,
    "carbon_footprint": Tier.PUBLIC,  # value and method go together: a figure without its method misleads
    "repair_instructions": Tier.PUBLIC,
    "reuse_instructions": Tier.PUBLIC,
    "recycling_instructions": Tier.PUBLIC,
    "disassembly_instructions": Tier.LEGITIMATE,
    "repairability": Tier.PUBLIC,  # the index is printed on the product in shops: public by law
    "spare_parts": Tier.PUBLIC,
    "disassembly_steps": Tier.LEGITIMATE,
    "documents": Tier.LEGITIMATE,
    "site": Tier.PUBLIC,
}


def is_authority(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or PassportAuthority.objects.filter(user=user).exists()


def circular_member(user) -> bool:
    """Member of a company that repairs, refurbishes, dismantles or recycles, or that a
    facilitator vouched for."""
    companies = member_company_ids(user)
    if not companies:
        return False
    if LegitimateInterestGrant.objects.filter(company_id__in=companies).exists():
        return True
    from boucle.flows.models import Site

    q = Q()
    for division in CIRCULAR_NAF_DIVISIONS:
        q |= Q(naf__code__startswith=division)
    return Site.objects.filter(q, company_id__in=companies, closed=False).exists()


def has_legitimate_interest(user) -> bool:
    """True for circular companies' members and facilitators (authorities read even more)."""
    if not user.is_authenticated:
        return False
    return is_authority(user) or user.facilitations.exists() or circular_member(user)


def is_producer(user, passport: Passport) -> bool:
    return user.is_authenticated and passport.site.company_id in member_company_ids(user)


def user_tier(user, passport: Passport) -> str:
    """The highest tier ``user`` may read on ``passport``."""
    if is_authority(user) or is_producer(user, passport):
        return Tier.AUTHORITY
    if has_legitimate_interest(user):
        return Tier.LEGITIMATE
    return Tier.PUBLIC


def field_tier(passport: Passport, field: str) -> str:
    tier = (passport.tiers or {}).get(field)
    return tier if tier in TIER_RANK else DEFAULT_TIERS[field]


def allowed(tier: str, reader_tier: str) -> bool:
    return TIER_RANK[tier] <= TIER_RANK[reader_tier]


def _field_value(passport: Passport, field: str):
    if field == "carbon_footprint":
        if passport.carbon_footprint_kg is None:
            return None
        return {"kg_co2e": passport.carbon_footprint_kg, "method": passport.carbon_method}
    if field == "site":
        return passport.site
    return getattr(passport, field)


def visible_fields(user, passport: Passport, *, tier: str | None = None) -> dict:
    """The tiered fields ``user`` may read, name -> value (``site`` is the Site object: present
    it with :func:`public_site_label` unless the reader is allowed the company's name)."""
    tier = tier or user_tier(user, passport)
    return {field: _field_value(passport, field) for field in DEFAULT_TIERS if allowed(field_tier(passport, field), tier)}


def visible_event_tiers(user, passport: Passport | None = None) -> list[str]:
    """Event visibilities the user may read (for one passport, or across the platform)."""
    if passport is not None:
        tier = user_tier(user, passport)
    else:
        tier = Tier.AUTHORITY if is_authority(user) else Tier.LEGITIMATE if has_legitimate_interest(user) else Tier.PUBLIC
    return [t for t in TIER_RANK if allowed(t, tier)]


def can_capture(user, passport: Passport) -> bool:
    """Members of the producing company, facilitators of its territory, legitimate-interest
    companies and the platform administrator may add events to a passport's history."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or is_producer(user, passport):
        return True
    territories = facilitated_q(user)
    if territories is not None:
        from boucle.flows.models import Site

        if Site.objects.filter(territories, pk=passport.site_id).exists():
            return True
    return circular_member(user)


def site_label(site, user=None) -> dict:
    """What may be said of a site: its company's name and exact position only when the reader sees the
    site in full (a member, a facilitator of its territory); the name and a position to ≈ 100 m when the
    company is published; otherwise its activity at the NACE division level and the area told of it
    (``territories.secrecy``: its commune only when at least three establishments of that division share it,
    else its intercommunality, département or region), placed at that area's centre."""
    from boucle.accounts.access import can_see_site
    from boucle.territories.secrecy import area_told, division_label

    full = user is not None and can_see_site(user, site)
    show_name = site.company.published or full
    if not show_name:
        area = area_told(site)
        return {"name": None, "site_name": None, "activity": division_label(site), "naf": (site.naf_id or "")[:2],
                "commune": None, "area": area.words if area else "",
                "lat": area.lat if area else None, "lon": area.lon if area else None}
    english = (get_language() or "").startswith("en")
    activity = (site.naf.label_en if english and site.naf.label_en else site.naf.label_fr) if site.naf_id else site.activity
    commune = site.commune.name if site.commune_id else ""
    return {
        "name": site.company.name,
        "site_name": site.name,
        "activity": activity or "",
        "naf": site.naf_id or "",
        "commune": commune,
        "area": f"{commune} ({site.commune.departement_id})" if commune else "",
        **dict(zip(("lat", "lon"), public_position(site, user))),
    }


def public_position(site, user=None) -> tuple[float | None, float | None]:
    """Where ``site`` is placed for a reader: ``accounts.access.point_shown`` (exact for who sees it in full, to
    3 decimals for a published company), else the centre of the area told of it (``territories.secrecy``) — the
    precise point of an unpublished site would name it, and so would its commune's centre when it is the only
    establishment of its kind there."""
    from django.contrib.auth.models import AnonymousUser

    from boucle.accounts.access import point_shown
    from boucle.territories.secrecy import area_told

    lat, lon = point_shown(user if user is not None else AnonymousUser(), site)
    if lat is not None:
        return lat, lon
    area = area_told(site)
    return (area.lat, area.lon) if area else (None, None)


def readable_events(user):
    """Events the user may read across the platform: those of their tier, and every event of
    their own company's passports."""
    from .models import Event

    q = Q(visibility__in=visible_event_tiers(user))
    companies = member_company_ids(user)
    if companies:
        q |= Q(entries__passport__site__company_id__in=companies)
    return Event.objects.filter(q).distinct()
