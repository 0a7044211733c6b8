"""Aids matched to a site, a flow, a synergy and an answer to a call, through the services (database)."""

import datetime as dt

import pytest
from django.utils import translation

from boucle.aids import services
from boucle.aids.models import Aid
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site

REF = dt.date(2027, 3, 1)


def make_aid(identifier, perimeter, themes, *, beneficiaries=("company",), deadline=None, recurrence="permanent",
             archived=False):
    return Aid.objects.create(identifier=identifier, name=f"Aide {identifier}", url=f"https://example.org/{identifier}",
                              financers=["Financeur"], perimeter=list(perimeter), beneficiaries=list(beneficiaries),
                              themes=list(themes), aid_types=["grant"], deadline=deadline, recurrence=recurrence,
                              origin="test", archived=archived)


@pytest.fixture
def catalogue(db):
    return {
        "hdf": make_aid("hdf", ["region:32"], ["circular_economy"]),
        "mel": make_aid("mel", ["epci:200093201"], ["waste"]),
        "grand-est": make_aid("grand-est", ["region:44"], ["circular_economy"]),
        "heat": make_aid("heat", ["FR"], ["energy"]),
        "closed": make_aid("closed", ["FR"], ["waste"], deadline=dt.date(2027, 1, 15), recurrence="one_off"),
        "soon": make_aid("soon", ["FR"], ["waste"], deadline=dt.date(2027, 3, 20), recurrence="one_off"),
        "yearly": make_aid("yearly", ["EU"], ["waste"], deadline=dt.date(2026, 10, 1), recurrence="recurring"),
        "towns": make_aid("towns", ["FR"], ["waste"], beneficiaries=["local_authority"]),
        "archived": make_aid("archived", ["FR"], ["waste"], archived=True),
    }


def names(rows):
    return [r["identifier"] for r in rows]


def test_a_site_in_lille_gets_the_aids_of_its_epci_region_country_and_europe(catalogue):
    site = make_site("Usine", commune="59350", naf="23.51Z")
    make_flow(site, "Calcin", kind="material")
    rows = services.for_site(site, today=REF)
    assert set(names(rows)) == {"hdf", "mel", "soon", "yearly"}
    assert names(rows)[0] == "mel"
    by = {r["identifier"]: r for r in rows}
    assert by["soon"]["deadline"] == "2027-03-20" and "date limite le 2027-03-20" in by["soon"]["why"]
    assert by["yearly"]["status"] == "next_session" and "prochaine session" in by["yearly"]["why"]
    assert "Métropole Européenne de Lille (intercommunalité)" in by["mel"]["why"]
    assert {"name", "url", "financers", "deadline", "why"} <= set(rows[0])


def test_the_reference_date_decides_what_is_closed(catalogue):
    site = make_site("Usine", commune="59350")
    make_flow(site, "Calcin")
    assert "closed" in names(services.for_site(site, today=dt.date(2027, 1, 10)))
    assert "closed" not in names(services.for_site(site, today=REF))


def test_a_heat_synergy_gets_energy_aids_and_its_why_in_english(catalogue):
    a = make_site("Centrale", commune="59350")
    b = make_site("Serre", commune="59009")
    offer = make_flow(a, "Chaleur fatale", kind="energy")
    need = make_flow(b, "Chauffage", kind="energy", direction="need")
    synergy = Synergy.objects.create(offer=offer, need=need, need_site=b, material_class="heat", distance_km=5,
                                     score=0.5)
    rows = services.for_synergy(synergy, today=REF)
    assert names(rows) == ["heat"]
    with translation.override("en"):
        (row,) = services.for_synergy(synergy, today=REF)
    assert row["why"] == "national scheme; open to companies; theme: energy and heat; no deadline (permanent scheme)"


def test_an_anonymous_partners_commune_does_not_count_for_a_viewer_who_may_not_see_it(catalogue, django_user_model):
    make_aid("roubaix", ["commune:59512"], ["circular_economy"])
    mine = make_site("Ma société", commune="59350")
    theirs = make_site("Partenaire", commune="59512")
    offer = make_flow(theirs, "Palettes")
    need = make_flow(mine, "Palettes", direction="need")
    synergy = Synergy.objects.create(offer=offer, need=need, need_site=mine, material_class="wood", distance_km=12,
                                     score=0.5)
    outsider = django_user_model.objects.create_user("x", "x@example.org", "pw")
    assert "roubaix" in names(services.for_synergy(synergy, today=REF))
    assert "roubaix" not in names(services.for_synergy(synergy, user=outsider, today=REF))
    # two establishments in the MEL: its card does not tell the EPCI (``territories.secrecy``), nor do its aids
    assert "mel" not in names(services.for_synergy(synergy, user=outsider, today=REF))
    make_site("Troisième", commune="59009")
    assert "mel" in names(services.for_synergy(synergy, user=outsider, today=REF))  # the EPCI, as the card shows


def test_an_answer_to_a_call_uses_its_companys_sites_and_the_calls_themes(catalogue, django_user_model):
    from boucle.projects.models import Answer, Call

    make_aid("innov", ["region:32"], ["innovation"])
    site = make_site("Atelier", commune="59350")
    call = Call.objects.create(title="Innovation et réemploi", summary="s", themes="innovation", territory_level="region",
                               territory_code="32", opens_on=dt.date(2027, 1, 1), closes_on=dt.date(2027, 6, 1),
                               status="published")
    answer = Answer.objects.create(call=call, company=site.company, status="submitted")
    found = names(services.for_answer(answer, today=REF))
    assert "innov" in found and "hdf" in found and "grand-est" not in found


def test_search_filters_by_theme_type_territory_and_words(catalogue):
    assert {a.identifier for a in services.search(territory="commune:59350", today=REF)} == {
        "hdf", "mel", "heat", "soon", "yearly", "towns"}
    assert {a.identifier for a in services.search(theme="energy", today=REF)} == {"heat"}
    assert {a.identifier for a in services.search(text="GRAND-EST", today=REF)} == {"grand-est"}
    assert "closed" in {a.identifier for a in services.search(include_closed=True, today=REF)}
    assert "archived" not in {a.identifier for a in services.search(include_closed=True, today=REF)}


def test_a_flow_gets_the_aids_of_its_kind(catalogue):
    site = make_site("Usine", commune="59350")
    heat = make_flow(site, "Chaleur fatale", kind="energy")
    ash = make_flow(site, "Cendres", kind="material")
    assert names(services.for_flow(heat, today=REF)) == ["heat"]
    assert "heat" not in names(services.for_flow(ash, today=REF)) and "mel" in names(services.for_flow(ash, today=REF))
