"""Territory figures with the statistical-secrecy rule.

A public figure is shown only when at least three companies stand behind it and
none makes up more than 85 % of it (``boucle.observatory.disclosure``), so that no
single company's volumes can be read off a territory total. The territory's own
facilitators see every figure.
"""

from django.db.models import Count, Q

from boucle.flows.models import Site
from boucle.matching import lifecycle
from boucle.matching.models import Synergy, VerifiedOutcome

MIN_COMPANIES = 3


def territory_indicators(ref, *, disclose_all: bool = False) -> dict:
    from boucle.observatory.disclosure import disclose

    communes = ref.communes().values("insee")
    sites = Site.objects.filter(commune__in=communes, closed=False)
    per_company = list(sites.values("company").annotate(
        sites=Count("id", distinct=True), offers=Count("flows", filter=Q(flows__direction="offer")),
        needs=Count("flows", filter=Q(flows__direction="need"))))
    synergies = Synergy.objects.filter(Q(offer__site__commune__in=communes) | Q(need_site__commune__in=communes))
    running = {}
    for offer_company, need_company in synergies.filter(status=lifecycle.RUNNING).values_list(
            "offer__site__company_id", "need_site__company_id"):
        for company in {offer_company, need_company}:
            running[company] = running.get(company, 0) + 1
    latest = {}
    for outcome in VerifiedOutcome.objects.filter(synergy__in=synergies).select_related(
            "synergy__offer__site").order_by("recorded_at", "id"):
        latest[outcome.synergy_id] = outcome
    tonnes, eur = {}, {}
    for outcome in latest.values():  # a measured exchange is attributed to the company that supplies it
        company = outcome.synergy.offer.site.company_id
        tonnes[company] = tonnes.get(company, 0) + (outcome.tonnes_per_year or 0)
        eur[company] = eur.get(company, 0) + (outcome.eur_per_year or 0)

    def gate(values_by_company: dict):
        return sum(values_by_company.values()) if disclose_all else disclose(values_by_company)

    def column(name):
        return {row["company"]: row[name] for row in per_company}

    return {
        "territory": str(ref), "name": ref.name, "min_companies": MIN_COMPANIES, "disclosed_all": disclose_all,
        "companies": gate({row["company"]: 1 for row in per_company}), "sites": gate(column("sites")),
        "offers": gate(column("offers")), "needs": gate(column("needs")),
        "synergies_running": None if not disclose_all and disclose(running) is None else (
            synergies.filter(status=lifecycle.RUNNING).count()),
        "verified_tonnes_per_year": gate(tonnes), "verified_eur_per_year": gate(eur),
    }
