"""The story of a synergy, told through the pages a cement plant, a power station and a facilitator use.

A coal power station offers fly ash; a cement plant nearby needs it for its raw
meal. Both declare their flows; the facilitator runs the matching; each company
sees an anonymous suggestion, says yes, and only then learns who the other is;
the facilitator takes the synergy through trial to running and records what was
actually exchanged; the territory's figures move.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from boucle.accounts.models import Facilitator, Membership
from boucle.flows.models import Flow
from boucle.matching.models import Reveal, Synergy
from boucle.testing import make_site
from boucle.web.facilitator_views import run_matching_function

EPCI = "200093201"


def _person(client_class, name):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw")
    client = client_class()
    client.force_login(user)
    return user, client


def _engine_stand_in(offer, need):
    """What the matching engine writes, for servers where ``run_matching`` is not installed yet."""
    return Synergy.objects.create(offer=offer, need=need, need_site=need.site, material_class="fly_ash",
                                  distance_km=7.5, quantity_t=35000, score=0.9, tonnes_diverted=35000,
                                  co2e_avoided_t=2800, eur_saved=350000, explanation={"distance": 0.93})


def _figures(client):
    return client.get(f"/api/territories/epci:{EPCI}/indicators").json()


@pytest.mark.django_db
def test_fly_ash_from_power_station_to_cement_plant(settings):
    client_class = Client
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cement = make_site("Cimenterie des Flandres", commune="59350", lat=50.62, lon=3.05, naf="23.51Z")
    power = make_site("Centrale thermique de la Deûle", commune="59009", lat=50.64, lon=3.14, naf="35.11Z")
    cement_user, cement_client = _person(client_class, "cimentier")
    power_user, power_client = _person(client_class, "exploitant")
    facilitator, fac_client = _person(client_class, "animatrice")
    Membership.objects.create(user=cement_user, company=cement.company, role="admin")
    Membership.objects.create(user=power_user, company=power.company, role="admin")
    Facilitator.objects.create(user=facilitator, level="epci", code=EPCI)
    before = _figures(fac_client)

    # 1. Both companies declare their flows in their space.
    power_client.post("/espace/flux/nouveau/", {
        "site": power.pk, "direction": "offer", "kind": "material", "label": "Cendres volantes", "ewc": "10 01 02",
        "material_class": "fly_ash", "quantity": "60000", "unit": "t", "period": "year", "confidential": "on"})
    cement_client.post("/espace/flux/nouveau/", {
        "site": cement.pk, "direction": "need", "kind": "material", "label": "Cendres volantes pour le cru",
        "material_class": "fly_ash", "quantity": "35000", "unit": "t", "period": "year", "confidential": "on"})
    offer, need = Flow.objects.get(direction="offer"), Flow.objects.get(direction="need")
    assert offer.site == power and need.site == cement

    # 2. The facilitator runs the matching on her territory.
    response = fac_client.post("/animation/rapprochement/", {"territory": f"epci:{EPCI}", "radius_km": "30"},
                               follow=True)
    assert response.status_code == 200
    if run_matching_function() is None:
        synergy = _engine_stand_in(offer, need)
    else:
        synergy = Synergy.objects.filter(offer=offer, need_site=cement).order_by("inferred", "-score").first()
    assert synergy is not None, "the matching proposed nothing between the power station and the cement plant"
    assert not synergy.stale, "run_matching marked its own fresh proposal stale: the companies would never see it"
    assert synergy.status == "suggested"
    estimate = (synergy.tonnes_diverted, synergy.co2e_avoided_t, synergy.quantity_t)

    # 3. Each company sees an anonymous suggestion: material, quantity range — no name, and no place: the power
    #    station is the only one of its activity in the region (``territories.secrecy``).
    seen_by_cement = cement_client.get("/espace/synergies/").content.decode()
    assert "Cendres volantes de charbon" in seen_by_cement and "10\xa0000 à 100\xa0000 t/an" in seen_by_cement
    assert "Entreprise anonyme" in seen_by_cement and "Deûle" not in seen_by_cement
    assert "Flandres" not in power_client.get("/espace/synergies/").content.decode()

    # 4. Both say yes; only then are identities revealed, and the reveal is logged.
    cement_client.post(f"/synergies/{synergy.pk}/interet/", {"answer": "yes"})
    assert "Deûle" not in cement_client.get(f"/synergies/{synergy.pk}/").content.decode()
    power_client.post(f"/synergies/{synergy.pk}/interet/", {"answer": "yes"})
    assert "Centrale thermique de la Deûle" in cement_client.get(f"/synergies/{synergy.pk}/").content.decode()
    assert "Cimenterie des Flandres" in power_client.get(f"/synergies/{synergy.pk}/").content.decode()
    assert Reveal.objects.filter(synergy=synergy).count() == 1

    # 5. The facilitator takes it through contact, discussion, trial, then running.
    for target in ("contacted", "in_discussion", "trial", "running"):
        fac_client.post(f"/animation/synergies/{synergy.pk}/statut/", {"target": target, "reason": target})
    synergy.refresh_from_db()
    assert synergy.status == "running"
    assert [c.to_status for c in synergy.status_log.all()] == ["contacted", "in_discussion", "trial", "running"]

    # 6. A year on, she records what was actually exchanged, apart from the estimate.
    fac_client.post(f"/animation/synergies/{synergy.pk}/resultat/",
                    {"start_date": "2026-04-01", "tonnes_per_year": "31200", "eur_per_year": "280000"})
    synergy.refresh_from_db()
    assert (synergy.tonnes_diverted, synergy.co2e_avoided_t, synergy.quantity_t) == estimate
    assert synergy.outcomes.get().tonnes_per_year == 31200

    # 7. The territory's figures have moved; the public still sees only what covers 3 companies.
    after = _figures(fac_client)
    assert (before["offers"], before["needs"], before["synergies_running"]) == (0, 0, 0)
    assert (after["offers"], after["needs"], after["synergies_running"]) == (1, 1, 1)
    assert before["verified_tonnes_per_year"] == 0 and after["verified_tonnes_per_year"] == 31200
    public = _figures(client_class())
    assert public["verified_tonnes_per_year"] is None and public["companies"] is None
    # The dashboard loads its territory figures as a block of their own (htmx; a plain link without JavaScript).
    assert "/animation/chiffres/" in fac_client.get("/animation/").content.decode()
    dashboard = fac_client.get("/animation/chiffres/").content.decode().replace("\u202f", "").replace("\xa0", "")
    assert "31200" in dashboard
