"""Impact sums where estimates and verified outcomes are never added together.

Estimates come from the engine and describe what *could* happen; verified outcomes
are measured after the fact. Mixing them would make a territory's report look
better than reality, so each total is computed and shown on its own line.
"""

from django.db.models import Count, Q, Sum

from boucle.matching import lifecycle
from boucle.matching.models import VerifiedOutcome


def impact_summary(synergies) -> dict:
    """Estimated (potential vs engaged) and verified totals for a queryset of synergies."""
    ids = list(synergies.values_list("pk", flat=True))
    from boucle.matching.models import Synergy

    qs = Synergy.objects.filter(pk__in=ids)

    def sums(q):
        row = qs.filter(q).aggregate(n=Count("id"), tonnes=Sum("tonnes_diverted"), co2e=Sum("co2e_avoided_t"),
                                     eur=Sum("eur_saved"))
        return {k: (v or 0) for k, v in row.items()}

    latest = {}
    for outcome in VerifiedOutcome.objects.filter(synergy_id__in=ids).order_by("recorded_at", "id"):
        latest[outcome.synergy_id] = outcome  # the latest measurement of each synergy counts
    verified = {"n": len(latest), "tonnes": sum(o.tonnes_per_year or 0 for o in latest.values()),
                "eur": sum(o.eur_per_year or 0 for o in latest.values()),
                "co2e": sum(o.co2e_avoided_t_per_year or 0 for o in latest.values())}
    return {"potential": sums(Q(status=lifecycle.SUGGESTED, stale=False)),
            "engaged": sums(Q(status__in=lifecycle.ACTIVE)),
            "verified": verified,
            "by_status": dict(qs.values_list("status").annotate(n=Count("id")).order_by())}
