"""Who may see what. Every view and API endpoint asks these functions, nothing else.

The rule: a company's data is visible to its own members, to the facilitators of a
territory containing its site, and to the platform administrator. Anyone else sees
it only anonymised, unless the company published its profile.

One exception names a site to anyone: an entry of INSEE's SIRENE directory (``Site.source == "sirene"``)
whose company does not take part in Boucle (``taking_part``): the register is public, and says nothing
of the platform. Once its company takes part (an account, a site or a flow declared on the platform),
the entry is that company's and is anonymous like the rest of it (``public_register_entry``).
"""

from functools import lru_cache

from django.db import connection
from django.db.models import Q

from boucle.flows.models import Company, Site


def territory_q(level: str, code: str, prefix: str = "commune__") -> Q:
    field = {"region": "departement__region_id", "departement": "departement_id", "epci": "epci_id",
             "commune": "insee"}[level]
    return Q(**{prefix + field: code})


def _grants(user) -> tuple[frozenset, tuple]:
    """The user's memberships and facilitations, read once per user object (i.e. once per request).

    Pages list dozens of synergies, each asking several visibility questions; without this
    every question cost a query.
    """
    cached = getattr(user, "_boucle_grants", None)
    if cached is None:
        members, facilitations = set(), []
        with connection.cursor() as cursor:
            cursor.execute(_grants_sql(), [user.pk, user.pk])
            for company_id, level, code in cursor.fetchall():
                if company_id is not None:
                    members.add(company_id)
                else:
                    facilitations.append((level, code))
        cached = (frozenset(members), tuple(facilitations))
        try:
            user._boucle_grants = cached
        except AttributeError:
            pass
    return cached


@lru_cache(maxsize=1)
def _grants_sql() -> str:
    """Memberships and facilitations in one round trip: every authenticated request reads them."""
    from boucle.accounts.models import Facilitator, Membership

    q = connection.ops.quote_name
    member, facilitator = Membership._meta, Facilitator._meta
    column = lambda meta, name: q(meta.get_field(name).column)  # noqa: E731
    return (f"SELECT {column(member, 'company')}, NULL, NULL FROM {q(member.db_table)} "
            f"WHERE {column(member, 'user')} = %s UNION ALL "
            f"SELECT NULL, {column(facilitator, 'level')}, {column(facilitator, 'code')} "
            f"FROM {q(facilitator.db_table)} "
            f"WHERE {column(facilitator, 'user')} = %s")


def forget_grants(user) -> None:
    """Call after changing a user's memberships or facilitations within the same request."""
    user.__dict__.pop("_boucle_grants", None)


def facilitated_q(user, prefix: str = "commune__") -> Q | None:
    """Q over sites (or anything with a commune path) in the user's territories; None for no territory."""
    if not user.is_authenticated:
        return None
    q = None
    for level, code in _grants(user)[1]:
        part = territory_q(level, code, prefix)
        q = part if q is None else q | part
    return q


def is_facilitator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(_grants(user)[1]))


def member_company_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(_grants(user)[0])


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


def _in_territory(commune, level: str, code: str) -> bool:
    if level == "commune":
        return commune.insee == code
    if level == "epci":
        return commune.epci_id == code
    if level == "departement":
        return commune.departement_id == code
    return commune.departement.region_id == code


def can_see_site(user, site) -> bool:
    """Same rule as ``sites_in_full_view``, decided in Python from the loaded site."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    members, facilitations = _grants(user)
    if site.company_id in members:
        return True
    commune = site.commune if site.commune_id else None
    return commune is not None and any(_in_territory(commune, level, code) for level, code in facilitations)


def taking_part(company_ids) -> set[int]:
    """The companies of ``company_ids`` that take part in Boucle: one of their people has an account, or they
    declared a site on the platform (not imported from the SIRENE directory) or a flow on any of their sites."""
    from boucle.accounts.models import Membership
    from boucle.flows.models import Flow

    ids = {i for i in company_ids if i is not None}
    if not ids:
        return set()
    found = set(Membership.objects.filter(company_id__in=ids).values_list("company_id", flat=True))
    rest = ids - found
    if rest:
        found |= set(Site.objects.filter(company_id__in=rest).exclude(source="sirene")
                     .values_list("company_id", flat=True))
    rest = ids - found
    if rest:
        found |= set(Flow.objects.filter(site__company_id__in=rest).values_list("site__company_id", flat=True))
    return found


def public_register_entry(site) -> bool:
    """A SIRENE directory entry whose company does not take part in Boucle: public data, shown by name."""
    return site.source == "sirene" and site.company_id not in taking_part({site.company_id})


def shown_by_name(site) -> bool:
    """Whether anyone may read ``site``'s name: its company chose to be public, or it is a public register entry."""
    return site.company.published or public_register_entry(site)


def point_shown(user, site, *, revealed: bool = False, public: bool | None = None) -> tuple[float | None, float | None]:
    """Where ``site`` is placed for ``user``: the one rule of every page, map payload, API and export.

    - exact (to ``coarse.EXACT_DECIMALS``) to whoever sees it in full (``can_see_site``) and, with ``revealed``,
      to the other party of a synergy whose both sides agreed to meet;
    - to ``coarse.PUBLIC_DECIMALS`` (≈ 100 m) when it is shown by name to others (``public``: by default,
      ``shown_by_name``: its company chose to be public, or it is a public register entry);
    - otherwise nowhere, (None, None): a page that must still draw it uses a coarse cell of its own
      (``coarse.hidden_point``, ``coarse.grid_point``), never a finer point.
    """
    from boucle.territories.coarse import exact_point, public_point

    if site.lat is None or site.lon is None:
        return None, None
    if revealed or can_see_site(user, site):
        return exact_point(site.lat, site.lon)
    if shown_by_name(site) if public is None else public:
        return public_point(site.lat, site.lon)
    return None, None


def can_invite(user, company) -> bool:
    """Who may invite people into ``company``: its administrators, and, while nobody of the company has an
    account, the facilitators of a territory where it has a site (they bring a company onto Boucle when a synergy
    needs its yes). Once the company has someone on Boucle, it alone decides who joins it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or company.pk in admin_company_ids(user):
        return True
    if company.memberships.filter(user__is_active=True).exists():
        return False
    facilitations = _grants(user)[1]  # a plain member sees his company's sites but invites nobody
    return any(_in_territory(site.commune, level, code) for site in company.sites.select_related("commune")
               if site.commune_id for level, code in facilitations)


def can_edit_site(user, site) -> bool:
    """Members edit their company's flows; facilitators edit within their territory (workshop mode)."""
    return can_see_site(user, site)


def published_companies():
    return Company.objects.filter(published=True)
