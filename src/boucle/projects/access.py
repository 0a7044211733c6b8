"""Who may see and do what with calls and answers (pages and exports ask only these functions).

- A call's facilitators are the platform administrator and the facilitators of a
  territory that contains the call's territory (a region's facilitator steers an
  EPCI's call; an EPCI's facilitator does not steer a regional call).
- A company may answer a published call when one of its sites lies in the call's territory.
- An answer is read by the answering company's members and the call's facilitators only; a
  draft answer by its company's members alone (the facilitators' table counts drafts but says
  they cannot be opened: a company's draft is its own until it submits).
"""

from django.db.models import Q

from boucle.accounts.access import member_company_ids, territory_q
from boucle.flows.models import Company, Site
from boucle.territories.refs import TerritoryRef

from . import rules
from .models import Call


def _contains(outer_level: str, outer_code: str, inner_level: str, inner_code: str) -> bool:
    if (outer_level, outer_code) == (inner_level, inner_code):
        return True
    inner = TerritoryRef(inner_level, inner_code, "").communes()
    return inner.exists() and not inner.exclude(territory_q(outer_level, outer_code, prefix="")).exists()


def can_facilitate_territory(user, level: str, code: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(_contains(f_level, f_code, level, code)
               for f_level, f_code in user.facilitations.values_list("level", "code"))


def facilitates_call(user, call: Call) -> bool:
    return can_facilitate_territory(user, call.territory_level, call.territory_code)


def _site_territories_q(sites) -> Q | None:
    """Calls whose territory holds one of these sites, as one Q over Call."""
    q = None
    for insee, epci, dep, region in sites.values_list("commune_id", "commune__epci_id", "commune__departement_id",
                                                      "commune__departement__region_id"):
        for level, code in (("commune", insee), ("epci", epci), ("departement", dep), ("region", region)):
            if code:
                part = Q(territory_level=level, territory_code=code)
                q = part if q is None else q | part
    return q


def calls_for_companies(company_ids) -> "Call.objects":
    """Published or decided calls whose territory holds a site of one of these companies."""
    q = _site_territories_q(Site.objects.filter(company_id__in=company_ids, commune__isnull=False))
    if q is None:
        return Call.objects.none()
    return Call.objects.exclude(status=rules.DRAFT).filter(q)


def answering_companies(user, call: Call):
    """The user's companies that may answer this call (a site in its territory)."""
    if not user.is_authenticated or call.status == rules.DRAFT:
        return Company.objects.none()
    ids = [cid for cid in member_company_ids(user) if calls_for_companies([cid]).filter(pk=call.pk).exists()]
    return Company.objects.filter(pk__in=ids).order_by("name")


def can_read_answer(user, answer) -> bool:
    if not user.is_authenticated:
        return False
    if answer.company_id in member_company_ids(user):
        return True
    return answer.status != rules.ANSWER_DRAFT and facilitates_call(user, answer.call)


def can_see_call(user, call: Call) -> bool:
    """Drafts are for their facilitators; a published call is public."""
    return call.status != rules.DRAFT or facilitates_call(user, call)
