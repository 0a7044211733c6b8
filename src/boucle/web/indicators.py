"""A territory's key figures for the facilitator's page and ``/api/territories/{ref}/indicators``.

One implementation: every figure is read from the observatory's indicator document
(``boucle.observatory.queries.territory_indicators``), with its disclosure rule — a public
figure is shown only when at least three companies stand behind it and none makes up more
than 85 % of it (``boucle.observatory.disclosure``); the territory's own facilitators see
every figure. The potential is the territory's optimal allocation of its open suggestions
(``boucle.matching.territory_potential``), the same figure as the observatory, the exports
and the report. Running synergies and verified outcomes count where the offering site is.
"""

MIN_COMPANIES = 3


def territory_indicators(ref, *, disclose_all: bool = False) -> dict:
    from boucle.matching.territory_potential import potential_of
    from boucle.observatory.queries import territory_indicators as observatory_indicators

    from .snapshots import remembered_for_all

    # Kept per data version: the document depends on the data and on the disclosure rule only.
    doc = remembered_for_all("territory-indicators", lambda: observatory_indicators(ref, public=not disclose_all),
                             str(ref), disclose_all)
    potential = doc["impacts"]["potential"]
    verified = doc["impacts"]["verified"]
    return {
        "territory": str(ref), "name": ref.name, "min_companies": MIN_COMPANIES, "disclosed_all": disclose_all,
        "companies": doc["companies"]["with_sites"], "sites": doc["sites"],
        # the observatory's and the report's « entreprises déclarantes »: said next to the count, so the pages agree
        "companies_declaring": doc["companies"]["declaring"],
        "offers": doc["flow_counts"]["offer"], "needs": doc["flow_counts"]["need"],
        # yearly totals over several wastes: information, never counted as offers (flows.models.takeable_offer)
        "declared_totals": doc.get("declared_totals", []),
        "synergies_running": doc["synergies"]["by_status"]["running"],
        "verified_tonnes_per_year": verified["tonnes_diverted"], "verified_eur_per_year": verified["eur_saved"],
        # heat and water are measured in MWh and m³, never added to the tonnes
        "verified_mwh_per_year": verified.get("mwh") or 0, "verified_m3_per_year": verified.get("water_m3") or 0,
        "potential_co2e_avoided_t_per_year": potential["co2e_avoided_t"],
        "potential_tonnes_per_year": potential["tonnes_diverted"], "potential_mwh_per_year": potential["mwh"],
        "potential_m3_per_year": potential["water_m3"], "potential_eur_per_year": potential["eur_saved"],
        "potential_illustrative_share": potential_of(ref).illustrative_share if disclose_all else None,
    }
