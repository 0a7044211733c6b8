"""What a facilitator and the companies read on the proposal and flow pages (a fresh reader's walk, session
reader3): what stays hidden from a still anonymous side, and odd inputs in the flow form."""

import pytest
from django.urls import reverse


def test_heat_reach_gives_no_distance_to_a_side_that_may_not_see_the_other(as_persona, world):
    """« Au-delà de 0,1 km, le réseau de chaleur coûterait plus… » on a proposal the engine makes only within that
    distance told the anonymous side that the other site is next door, beside a « < 5 km » band."""
    syn = world.synergies["ab"]
    syn.explanation = {"need_temperature_c": 90.0, "heat_breakeven_km": 0.13}
    syn.save()
    for persona in ("member_a", "member_b"):  # each side, the other one still anonymous
        html = as_persona(persona).get(reverse("synergy-detail", args=[syn.pk])).content.decode()
        assert "Entreprise anonyme" in html
        assert "0,1 km" not in html and "Au-delà de" not in html, persona
        assert "La chaleur ne se transporte que sur une courte distance" in html, persona
    full = as_persona("facilitator_t").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert "Au-delà de 0,1 km, le réseau de chaleur coûterait plus qu&#x27;il ne rapporterait." in full


def test_heat_reach_in_english_for_a_hidden_side(as_persona, world):
    syn = world.synergies["ab"]
    syn.explanation = {"heat_breakeven_km": 0.13}
    syn.save()
    client = as_persona("member_a")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Heat only travels a short distance" in html and "0.1 km" not in html
