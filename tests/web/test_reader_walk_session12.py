"""What a facilitator and a company manager met walking the demo (session 12), and the page as it reads now.

- a synergy with no estimate at all showed « Impact estimé » followed by nothing;
- a suppliers search where every answer is an anonymous company said « 49 établissements trouvés… Dont 49
  entreprises anonymes »;
- the company's impact dashboard showed a potential of 0 beside a suggestion of 500 MWh/an, with nothing to
  say why (the territory's best allocation covers that need with another offer).
"""

import re

from django.urls import reverse


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _unestimated(synergy):
    synergy.tonnes_diverted = synergy.co2e_avoided_t = synergy.eur_saved = None
    synergy.explanation = {}
    synergy.save(update_fields=["tonnes_diverted", "co2e_avoided_t", "eur_saved", "explanation"])


def test_a_synergy_without_any_estimate_says_so_instead_of_an_empty_line(world, as_persona):
    synergy = world.synergies["ab"]
    _unestimated(synergy)
    for persona in ("member_b", "facilitator_t"):
        text = _text(as_persona(persona).get(reverse("synergy-detail", args=[synergy.pk])))
        line = text.split("Impact estimé", 1)[1][:120]
        assert line.lstrip().startswith("non chiffré : la méthode d'estimation ne donne aucun chiffre"), (persona, line)
    client = as_persona("member_b")
    client.cookies["django_language"] = "en"
    text = _text(client.get(reverse("synergy-detail", args=[synergy.pk])))
    assert "not quantified: the estimation method gives no figure for this exchange" in text


def test_an_estimated_synergy_does_not_say_it_is_unquantified(world, as_persona):
    text = _text(as_persona("facilitator_t").get(reverse("synergy-detail", args=[world.synergies["ab"].pk])))
    assert "non chiffré" not in text and "3 200" in text  # its CO2e, as estimated


def test_a_search_with_only_anonymous_companies_says_so_plainly(world, as_persona):
    text = _text(as_persona("member_b").get("/fournisseurs/?mode=naf&q=23.51&near=50.70,3.15&radius_km=50"))
    assert "1 établissement trouvé" in text
    assert "C'est une entreprise anonyme, présentée plus bas avec son intercommunalité." in text
    assert "Dont 1" not in text


def test_a_search_with_named_and_anonymous_answers_still_counts_the_anonymous_ones(world, as_persona):
    from boucle.testing import make_site

    entry = make_site("Cimenterie du Répertoire", lat=50.69, lon=3.16, commune="59009", naf="23.51Z")
    entry.source = "sirene"
    entry.save(update_fields=["source"])
    text = _text(as_persona("member_b").get("/fournisseurs/?mode=naf&q=23.51&near=50.70,3.15&radius_km=50"))
    assert "2 établissements trouvés" in text and "Dont 1 entreprise anonyme" in text
    assert "Cimenterie du Répertoire" in text


def _potential(exchanges):
    from boucle.matching.potential import Potential

    return Potential(objective="co2", status="optimal", total_value=0.0, value_unit="t CO2e", co2e_avoided_t=0.0,
                     eur_saved=0.0, exchanged={}, exchanges=exchanges, suggestions=1, offers_quantity_unknown=0,
                     offers_other_unit=0)


def test_a_zero_potential_beside_suggestions_is_explained(world, as_persona, monkeypatch):
    """B's suggestion is not in the territory's best allocation: the dashboard says why its potential is 0."""
    from boucle.matching import territory_potential

    monkeypatch.setattr(territory_potential, "potential_of", lambda *a, **k: _potential([]))
    text = _text(as_persona("member_b").get(reverse("company-impact")))
    assert "Votre synergie proposée n'entre pas dans la meilleure répartition du territoire" in text
    assert "D'où le potentiel nul" in text
    client = as_persona("member_b")
    client.cookies["django_language"] = "en"
    assert "Your suggested synergy is not part of the territory's best allocation" in _text(
        client.get(reverse("company-impact")))


def test_no_such_note_when_the_suggestion_is_in_the_allocation(world, as_persona, monkeypatch):
    from boucle.matching import territory_potential

    synergy = world.synergies["ab"]
    exchange = {"synergy_id": synergy.pk, "quantity": 40000.0, "unit": "t", "kind": "material",
                "co2e_avoided_t": 3200.0, "eur_saved": 400000.0, "value": 3200.0, "illustrative": False}
    monkeypatch.setattr(territory_potential, "potential_of", lambda *a, **k: _potential([exchange]))
    text = _text(as_persona("member_b").get(reverse("company-impact")))
    assert "n'entre pas dans la meilleure répartition" not in text


def test_a_search_around_a_commune_names_it_in_words(world, as_persona):
    """A link's « commune:59350 » sat raw in the « Autour de » field; the place is now said in words."""
    response = as_persona("facilitator_t").get("/fournisseurs/?mode=naf&q=23.51&near=commune:59350&radius_km=50")
    text = _text(response)
    assert "Autour de Lille (59350)" in text and 'value="commune:59350"' in response.content.decode()
    assert 'id="s-near"' not in response.content.decode()  # no raw key in a text field
    assert "1 établissement trouvé" in text  # the search itself ran around the commune


def test_the_criterion_field_shows_a_material_s_whole_name(world, as_persona):
    """« Cendres volantes de c » : the field cut the material's name the form had just filled in."""
    page = as_persona("facilitator_t").get("/fournisseurs/?mode=material&q=fly_ash&near=commune:59350&radius_km=50")
    field = re.search(r'<input id="s-q"[^>]*>', page.content.decode()).group(0)
    value = re.search(r'value="([^"]*)"', field).group(1)
    assert value == "Cendres volantes de charbon"
    assert int(re.search(r'size="(\d+)"', field).group(1)) >= len(value)
