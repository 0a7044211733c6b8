"""Territory figures with the statistical-secrecy rule.

A public figure is shown only when at least three companies stand behind it, so
that no single company's volumes can be read off a territory total. The
territory's own facilitators see every figure.
"""

from django.db.models import Count, Q

from boucle.flows.models import Site
from boucle.matching import lifecycle
from boucle.matching.models import Synergy, VerifiedOutcome

MIN_COMPANIES = 3


def territory_indicators(ref, *, disclose_all: bool = False) -> dict:
    communes = ref.communes().values("insee")
    sites = Site.objects.filter(commune__in=communes, closed=False)
    base = sites.aggregate(companies=Count("company", distinct=True), sites=Count("id", distinct=True),
                           offers=Count("flows", filter=Q(flows__direction="offer")),
                           needs=Count("flows", filter=Q(flows__direction="need")))
    synergies = Synergy.objects.filter(Q(offer__site__commune__in=communes) | Q(need_site__commune__in=communes))
    running = synergies.filter(status=lifecycle.RUNNING)
    running_companies = set(running.values_list("offer__site__company_id", flat=True)) | set(
        running.values_list("need_site__company_id", flat=True))
    latest = {}
    for outcome in VerifiedOutcome.objects.filter(synergy__in=synergies).order_by("recorded_at", "id"):
        latest[outcome.synergy_id] = outcome
    outcome_syn = Synergy.objects.filter(pk__in=latest.keys())
    outcome_companies = set(outcome_syn.values_list("offer__site__company_id", flat=True)) | set(
        outcome_syn.values_list("need_site__company_id", flat=True))

    def gate(value, companies):
        return value if disclose_all or companies >= MIN_COMPANIES else None

    n = base["companies"]
    return {
        "territory": str(ref), "name": ref.name, "min_companies": MIN_COMPANIES, "disclosed_all": disclose_all,
        "companies": gate(n, n), "sites": gate(base["sites"], n), "offers": gate(base["offers"], n),
        "needs": gate(base["needs"], n),
        "synergies_running": gate(running.count(), len(running_companies)),
        "verified_tonnes_per_year": gate(sum(o.tonnes_per_year or 0 for o in latest.values()), len(outcome_companies)),
        "verified_eur_per_year": gate(sum(o.eur_per_year or 0 for o in latest.values()), len(outcome_companies)),
    }
