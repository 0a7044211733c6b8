"""Who sees and does what with shared equipment (views ask only these functions).

Full view of an equipment: its owner's members, the facilitators of its site's
territory and the administrator (``accounts.access.can_see_site``), and a company
whose booking the owner accepted. Everyone else logged in sees it anonymised.
"""

from boucle.accounts.access import can_see_site, member_company_ids, sites_in_full_view
from boucle.flows.models import Site

from . import visibility
from .models import Booking, Equipment


def is_owner(user, equipment: Equipment) -> bool:
    return user.is_authenticated and equipment.company_id in member_company_ids(user)


def accepted_for(user, equipment: Equipment) -> bool:
    companies = member_company_ids(user)
    return bool(companies) and equipment.bookings.filter(company_id__in=companies, status="accepted").exists()


def level(user, equipment: Equipment) -> str:
    return visibility.view_level(sees_site=can_see_site(user, equipment.site),
                                 accepted_booking=accepted_for(user, equipment))


def requesting_companies(user, equipment: Equipment) -> list[int]:
    """The user's companies that may ask to book: any but the owner, for an active offer."""
    if not user.is_authenticated or equipment.direction != "offer" or not equipment.active:
        return []
    return sorted(member_company_ids(user) - {equipment.company_id})


def can_read_booking(user, booking: Booking) -> bool:
    return user.is_authenticated and (booking.company_id in member_company_ids(user)
                                      or can_see_site(user, booking.equipment.site))


def requester_names(user, bookings) -> None:
    """Set ``requester`` on each booking: the requesting company's name for the owner (the requester
    introduced itself by asking) and for whoever may see that company anyway; a neutral label otherwise,
    so a facilitator does not learn which company outside his territory asked."""
    from django.utils.translation import gettext as _

    mine = member_company_ids(user)
    seen = set(Site.objects.filter(pk__in=sites_in_full_view(user)).values_list("company_id", flat=True)) \
        if user.is_authenticated else set()
    for booking in bookings:
        known = (booking.equipment.company_id in mine or booking.company_id in mine or booking.company_id in seen)
        booking.requester = booking.company.name if known else _("une autre entreprise")
        booking.shown_message = booking.message if known else ""


def origins(user) -> list[tuple[float, float]]:
    """Where the user's companies are, for distances."""
    return list(Site.objects.filter(company_id__in=member_company_ids(user), lat__isnull=False)
                .values_list("lat", "lon"))


def card(equipment: Equipment, user, points=None, lvl=None) -> dict:
    """The equipment as this user may see it (see ``visibility.present``)."""
    site = equipment.site
    commune = site.commune
    points = origins(user) if points is None else points
    lvl = lvl or level(user, equipment)
    if lvl == visibility.FULL:
        area = f"{commune.name} ({commune.departement_id})" if commune else ""
    else:  # the commune only where at least three establishments of the owner's activity share it
        from boucle.territories.secrecy import area_words

        area = area_words(site)
    full = {
        "pk": equipment.pk, "direction": equipment.direction,
        "direction_label": equipment.get_direction_display(), "category": equipment.get_category_display(),
        "commune": commune.name if commune else "", "epci": commune.epci.name if commune and commune.epci else "",
        "area": area,
        "conditions": equipment.conditions, "price": equipment.price, "price_unit": equipment.get_price_unit_display(),
        "capacity": equipment.capacity, "windows": equipment.window_periods(),
        "distance_km": visibility.nearest_km(points, (site.lat, site.lon)),
        "name": equipment.name, "description": equipment.description, "company": equipment.company.name,
        "site": site.name, "active": equipment.active, "company_id": equipment.company_id,
    }
    return visibility.present(full, lvl)
