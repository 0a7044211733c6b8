"""Who may see what. Every view and API endpoint asks these functions, nothing else.

The rule: a company's data is visible to its own members, to the facilitators of a
territory containing its site, and to the platform administrator. Anyone else sees
it only anonymised, unless the company published its profile.
"""

from django.db.models import Q

from boucle.flows.models import Company, Site


def territory_q(level: str, code: str, prefix: str = "commune__") -> Q:
    field = {"region": "departement__region_id", "departement": "departement_id", "epci": "epci_id",
             "commune": "insee"}[level]
    return Q(**{prefix + field: code})


def facilitated_q(user, prefix: str = "commune__") -> Q | None:
    """Q over sites (or anything with a commune path) in the user's territories; None for no territory."""
    if not user.is_authenticated:
        return None
    q = None
    for level, code in user.facilitations.values_list("level", "code"):
        part = territory_q(level, code, prefix)
        q = part if q is None else q | part
    return q


def is_facilitator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.facilitations.exists())


def member_company_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.memberships.values_list("company_id", flat=True))


def admin_company_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.memberships.filter(role="admin").values_list("company_id", flat=True))


def sites_in_full_view(user):
    """Sites whose name, location and flows the user may see in full."""
    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    q = Q(company_id__in=member_company_ids(user))
    territories = facilitated_q(user)
    if territories is not None:
        q |= territories
    return Site.objects.filter(q)


def can_see_site(user, site) -> bool:
    return sites_in_full_view(user).filter(pk=site.pk).exists()


def can_edit_site(user, site) -> bool:
    """Members edit their company's flows; facilitators edit within their territory (workshop mode)."""
    return can_see_site(user, site)


def published_companies():
    return Company.objects.filter(published=True)
