"""The one write path for synergies: pages, API and commands all go through here.

Keeping every change of status, every answer of a company and every reveal in one
module is what makes the logs trustworthy: nothing else writes ``status``,
``*_interest`` or ``revealed_at``, so the status log and the reveal log are
complete by construction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from boucle.accounts.access import can_see_site, is_facilitator, member_company_ids

from . import lifecycle
from .models import InterestAnswer, Reveal, StatusChange, Synergy, VerifiedOutcome


# Everything a synergy card and the visibility checks read, loaded with the synergy.
CARD_RELATIONS = ("offer__site__company", "offer__site__commune__epci", "offer__site__commune__departement",
                  "need_site__company", "need_site__commune__epci", "need_site__commune__departement", "need")


def ranked_ids(qs) -> list:
    """Every id of ``qs``, best first: what pages are cut from.

    Ranking bare ids is cheap next to sorting fully joined rows (sites, companies,
    communes on both sides), yet walking a region's tens of thousands of visible
    synergies still costs tens of milliseconds, so the API keeps this list for a data
    version (``boucle.web.snapshots``) and only slices it per page.
    """
    return list(qs.select_related(None).order_by("-score", "id").values_list("id", flat=True))


def ranked_page(qs, offset: int, limit: int, ranking: list | None = None, user=None) -> list:
    """One page of synergies, best first, in two cheap queries.

    With a ``ranking`` (from ``ranked_ids``, kept for a data version; ``qs`` is then
    unused) the page is a slice of it and its rows are loaded by primary key, each checked again with ``can_view``
    for ``user``: a stale ranking could at worst make a page short, never show a synergy
    the user may not open.
    """
    if ranking is None:
        ids = list(qs.select_related(None).order_by("-score", "id").values_list("id", flat=True)[offset:offset + limit])
        rows = {s.pk: s for s in qs.filter(pk__in=ids)}
        return [rows[i] for i in ids]
    ids = ranking[offset:offset + limit]
    rows = _with_sites(Synergy.objects.select_related("offer", "need").in_bulk(ids))
    return [rows[i] for i in ids if i in rows and can_view(user, rows[i])]


def _with_sites(rows: dict) -> dict:
    """Attach each synergy's sites (with company, commune, EPCI, département) read in one query.

    One 13-table join of synergies, flows, sites and territories cost PostgreSQL more to
    plan than to run; two narrow queries do not.
    """
    from boucle.flows.models import Site

    wanted = {s.offer.site_id for s in rows.values()} | {s.need_site_id for s in rows.values()}
    wanted |= {s.need.site_id for s in rows.values() if s.need_id}
    sites = Site.objects.select_related("company", "commune__epci", "commune__departement").in_bulk(wanted)
    for synergy in rows.values():
        synergy.offer.site = sites[synergy.offer.site_id]
        synergy.need_site = sites[synergy.need_site_id]
        if synergy.need_id:
            synergy.need.site = sites[synergy.need.site_id]
    return rows


def can_view(user, synergy) -> bool:
    """Parties see their own synergies; facilitators and the administrator see those touching their territory."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    companies = member_company_ids(user)
    if synergy.offer.site.company_id in companies or synergy.need_site.company_id in companies:
        return True
    return is_facilitator(user) and (can_see_site(user, synergy.offer.site) or can_see_site(user, synergy.need_site))


def can_steer(user, synergy) -> bool:
    """Only facilitators of a territory touching the synergy (or the administrator) move it forward."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return is_facilitator(user) and (can_see_site(user, synergy.offer.site) or can_see_site(user, synergy.need_site))


def sides_of(user, synergy) -> set[str]:
    """Which side(s) of the synergy the user answers for: ``offer``, ``need`` or both."""
    companies = member_company_ids(user)
    sides = set()
    if synergy.offer.site.company_id in companies:
        sides.add("offer")
    if synergy.need_site.company_id in companies:
        sides.add("need")
    return sides


def identities_visible(user, synergy) -> bool:
    """Whether the user may see who is on the other side: after the double opt-in, or by role."""
    if synergy.revealed_at and sides_of(user, synergy):
        return True
    return can_see_site(user, synergy.offer.site) and can_see_site(user, synergy.need_site)


@transaction.atomic
def transition(synergy: Synergy, target: str, user, reason: str = "") -> StatusChange:
    """Move a synergy to ``target`` if the state machine allows it; log who, when and why.

    A trial or a running exchange needs both companies' yes (``lifecycle.NEEDS_BOTH_AGREED``): then
    each already sees the other, so the status and what a party sees agree."""
    if not can_steer(user, synergy):
        raise PermissionDenied("only the territory's facilitators move a synergy forward")
    synergy = Synergy.objects.select_for_update().get(pk=synergy.pk)
    lifecycle.check_transition(synergy.status, target, both_agreed=synergy.both_agreed)
    change = StatusChange.objects.create(synergy=synergy, from_status=synergy.status, to_status=target,
                                         author=user, reason=reason)
    synergy.status = target
    synergy.save(update_fields=["status", "updated_at"])
    return change


def unagreed_exchanges(qs=None):
    """Synergies on trial or running without both companies' yes (``lifecycle.NEEDS_BOTH_AGREED``): moved there
    before the rule was enforced, or a company withdrew its yes since. A party may read « en fonctionnement »
    next to an anonymous partner."""
    from django.db.models import Q

    qs = Synergy.objects.all() if qs is None else qs
    return qs.filter(status__in=lifecycle.NEEDS_BOTH_AGREED).exclude(Q(offer_interest=True) & Q(need_interest=True))


def last_agreed_free_status(synergy: Synergy) -> str:
    """The last status of the synergy's log that needs no double yes: where it stood before the trial."""
    for change in synergy.status_log.order_by("-at", "-id"):
        if change.from_status and change.from_status not in lifecycle.NEEDS_BOTH_AGREED:
            return change.from_status
    return lifecycle.IN_DISCUSSION  # no log (created on trial by an import or a script): the step just before


# Stored in the log, shown to facilitators as typed reasons are (French, the platform's source language).
STEP_BACK_REASON = ("essai ou fonctionnement sans le oui des deux entreprises, exigé depuis : ramenée par la "
                    "vérification des synergies de la plateforme")


@transaction.atomic
def step_back_unagreed(synergy: Synergy) -> StatusChange | None:
    """Move a synergy on trial or running without both yes back to its last status that needs none, logged
    (no author: the platform, with the reason) — the one place that writes a step back, outside the forward
    state machine. None when it has nothing to undo, or when a measured result was recorded for it: an
    exchange that was measured happened, and only the facilitator can say what to do (the page flags it)."""
    synergy = Synergy.objects.select_for_update().get(pk=synergy.pk)
    if synergy.status not in lifecycle.NEEDS_BOTH_AGREED or synergy.both_agreed:
        return None
    if VerifiedOutcome.objects.filter(synergy=synergy).exists():
        return None
    target = last_agreed_free_status(synergy)
    change = StatusChange.objects.create(synergy=synergy, from_status=synergy.status, to_status=target, author=None,
                                         reason=STEP_BACK_REASON)
    synergy.status = target
    synergy.save(update_fields=["status", "updated_at"])
    return change


@transaction.atomic
def express_interest(synergy: Synergy, user, yes: bool) -> Synergy:
    """Record a company's answer, logged when it changes (``InterestAnswer``: who, when); when both sides said
    yes, reveal identities once and log it."""
    sides = sides_of(user, synergy)
    if not sides:
        raise PermissionDenied("only a member of one of the two companies answers for it")
    synergy = Synergy.objects.select_for_update().get(pk=synergy.pk)
    if synergy.status in (lifecycle.DECLINED, lifecycle.STOPPED):
        raise lifecycle.TransitionError(f"the synergy is {synergy.status}; it takes no more answers")
    for side in ("offer", "need"):
        if side in sides and getattr(synergy, f"{side}_interest") is not yes:
            setattr(synergy, f"{side}_interest", yes)
            InterestAnswer.objects.create(synergy=synergy, side=side, yes=yes, author=user)
    fields = ["offer_interest", "need_interest", "updated_at"]
    if synergy.both_agreed and synergy.revealed_at is None:
        synergy.revealed_at = timezone.now()
        fields.append("revealed_at")
        Reveal.objects.create(synergy=synergy, triggered_by=user)
    synergy.save(update_fields=fields)
    return synergy


@transaction.atomic
def record_outcome(synergy: Synergy, user, *, start_date=None, tonnes_per_year=None, eur_per_year=None,
                   co2e_avoided_t_per_year=None, water_m3_per_year=None, mwh_per_year=None,
                   note: str = "") -> VerifiedOutcome:
    """A measured result, stored apart from the engine's estimates (which stay untouched); only for an
    exchange on trial, running or stopped (``lifecycle.MEASURABLE``)."""
    if not can_steer(user, synergy):
        raise PermissionDenied("only the territory's facilitators record verified outcomes")
    status = Synergy.objects.filter(pk=synergy.pk).values_list("status", flat=True).first()
    if status not in lifecycle.MEASURABLE:
        raise lifecycle.NothingExchanged(f"the synergy is {status}: a measured result is recorded once it is "
                                         "on trial or running")
    for name, value in (("tonnes_per_year", tonnes_per_year), ("eur_per_year", eur_per_year),
                        ("water_m3_per_year", water_m3_per_year), ("mwh_per_year", mwh_per_year)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative")
    return VerifiedOutcome.objects.create(
        synergy=synergy, start_date=start_date, tonnes_per_year=tonnes_per_year, eur_per_year=eur_per_year,
        co2e_avoided_t_per_year=co2e_avoided_t_per_year, water_m3_per_year=water_m3_per_year,
        mwh_per_year=mwh_per_year, note=note,
        recorded_by=user)


def visible_synergies(user):
    """Synergies the user may open (parties, facilitators of a touched territory, administrator)."""
    from django.db.models import Q

    from boucle.accounts.access import facilitated_q

    qs = Synergy.objects.select_related(*CARD_RELATIONS)
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    companies = member_company_ids(user)
    q = Q(offer__site__company_id__in=companies) | Q(need_site__company_id__in=companies)
    territory = facilitated_q(user, prefix="offer__site__commune__")
    if territory is not None:
        q |= territory | facilitated_q(user, prefix="need_site__commune__")
    return qs.filter(q)  # every path is a foreign key: no duplicate rows, no DISTINCT needed
