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


def _declare(client, site, **fields):
    data = {"site": site.pk, "direction": "offer", "kind": "material", "label": "Copeaux d'aluminium", "ewc": "",
            "material_class": "", "quantity": "", "unit": "t", "period": "year", "confidential": "on"}
    data.update(fields)
    return client.post(reverse("flow-create"), data)


@pytest.mark.parametrize("typed, stored", [("12,5", 12.5), ("12.5", 12.5), ("1 200", 1200.0), ("1\u202f200,5", 1200.5)])
def test_a_quantity_typed_the_french_way_is_read_as_typed(world, as_persona, typed, stored):
    """« 12,5 » was refused (« Saisissez un nombre. », the field emptied), and a browser's number box sends it as
    125: the form reads numbers by the import file's rule, in a text box with a decimal keypad."""
    from boucle.flows.models import Flow

    response = _declare(as_persona("member_a"), world.sites["A"], label=f"Copeaux {typed}", quantity=typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Flow.objects.get(label=f"Copeaux {typed}").quantity == stored


def test_the_quantity_box_takes_a_comma_and_shows_the_stored_figure_with_one(world, as_persona):
    from boucle.flows.models import Flow

    client = as_persona("member_a")
    _declare(client, world.sites["A"], label="Copeaux de laiton", quantity="12,5")
    flow = Flow.objects.get(label="Copeaux de laiton")
    page = client.get(reverse("flow-edit", args=[flow.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    import re

    field = re.search(r'<input[^>]*name="quantity"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field and 'value="12,5"' in field, field


@pytest.mark.parametrize("typed, message", [
    ("-3", "Une quantité ne peut pas être négative."),
    ("douze", "Saisissez un nombre, par exemple 12,5 ou 1 200."),
    ("1,2,3", "Saisissez un nombre, par exemple 12,5 ou 1 200."),
])
def test_a_wrong_quantity_says_what_to_type_and_keeps_what_was_typed(world, as_persona, typed, message):
    response = _declare(as_persona("member_a"), world.sites["A"], quantity=typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    assert f'value="{typed}"' in page  # not an emptied box


def test_an_empty_form_and_a_too_long_label_are_refused_in_words(world, as_persona):
    client = as_persona("member_a")
    page = _declare(client, world.sites["A"], label="").content.decode()
    assert "Ce champ est obligatoire." in page
    response = _declare(client, world.sites["A"], label="Déchets " * 60)
    assert response.status_code == 200 and "300" in response.content.decode()


@pytest.mark.parametrize("label", ["Déchets", "Déchets divers", "Waste material", "Autres déchets", "Produits déclassés",
                                   "Surplus", "Off-spec products"])
def test_a_label_of_generic_words_names_no_material_and_the_flow_page_says_so(world, as_persona, label):
    """« Déchets » was read as untreated wood, « Déchets divers » as mixed metal scrap and "waste material" as
    asbestos (0.8): proposed to receivers of a material nobody declared. Now no class, no proposal, and the flow's
    page says what to write instead."""
    from boucle.flows.models import Flow

    client = as_persona("member_a")
    assert _declare(client, world.sites["A"], label=label, quantity="3").status_code == 302
    flow = Flow.objects.get(label=label)
    assert flow.material_class == ""
    page = client.get(reverse("flow-edit", args=[flow.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Le libellé « {label} » ne dit pas de quelle matière il s&#x27;agit" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("flow-edit", args=[flow.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"The label “{label}” does not say which material it is" in page


def test_generic_words_with_a_material_or_a_listed_phrase_keep_their_class():
    from boucle.flows.importers import classify

    assert classify("Déchets de bois", None, "material")[0] == "wood_untreated"
    assert classify("Déchets en mélange", None, "material")[0] == "mixed_industrial_waste"  # a listed synonym
    assert classify("Déchets divers 10 01 02", None, "material")[0] == "fly_ash"  # the code it quotes
    assert classify("Déchets", None, "material") == ("", None)
    # words of state or grade name no material (« Surplus » was read as low-grade heat, « Produits périmés » as
    # laboratory chemicals); with a material they keep it
    assert classify("Produits périmés", None, "material") == ("", None)
    assert classify("Surplus", None, "material") == ("", None)
    assert classify("Lactosérum et produits déclassés", None, "material")[0] == "whey"
    assert classify("Palettes vides", None, "material")[0] == "wood_pallets"
    assert classify("Invendus alimentaires", None, "material")[0] == "food_waste"


def _heat_exchange_running(world):
    """B's ash offer turned into a heat offer (MWh) that both companies accepted, now running."""
    from boucle.matching import services

    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    offer = syn.offer
    offer.kind, offer.label, offer.unit, offer.base_unit, offer.quantity, offer.quantity_base = (
        "energy", "Chaleur fatale des fumées", "MWh", "MWh", 5000, 5000)
    offer.material_class = "waste_heat_low"
    offer.save()
    syn.material_class, syn.tonnes_diverted, syn.quantity_t = "waste_heat_low", 0, 5000
    syn.save()
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    for target in ("contacted", "in_discussion", "trial", "running"):
        services.transition(syn, target, fac)
    return syn


def test_a_running_heat_exchange_is_measured_in_mwh_not_tonnes(world, as_persona):
    """The result form asked « Tonnes par an (mesurées) » for a heat exchange: the MWh typed there were added to the
    territory's tonnes diverted from disposal. It asks the offer's unit and keeps the MWh apart."""
    from boucle.web.impact import impact_summary  # noqa: F401  (the summary the pages read)

    syn = _heat_exchange_running(world)
    client = as_persona("facilitator_t")
    page = client.get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "MWh par an (mesurés)" in page and "Tonnes par an (mesurées)" not in page
    response = client.post(reverse("synergy-outcome", args=[syn.pk]),
                           {"start_date": "2026-03-01", "mwh_per_year": "4 200,5", "eur_per_year": "90000"})
    assert response.status_code == 302
    outcome = syn.outcomes.get()
    assert outcome.mwh_per_year == 4200.5 and outcome.tonnes_per_year is None
    page = client.get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "4\u202f200,5 MWh/an" in page or "4\xa0200,5 MWh/an" in page or "4 200,5 MWh/an" in page
    # both companies read it too (they agreed), an outsider does not reach the page
    for persona in ("member_a", "member_b"):
        assert "MWh/an" in as_persona(persona).get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert as_persona("facilitator_other").get(reverse("synergy-detail", args=[syn.pk])).status_code in (403, 404)
    api = as_persona("facilitator_t").get(f"/api/synergies/{syn.pk}/outcomes").json()
    assert api[0]["mwh_per_year"] == 4200.5 and api[0]["tonnes_per_year"] is None


def test_a_material_exchange_still_asks_tonnes(world, as_persona):
    from boucle.matching import services

    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    for target in ("contacted", "in_discussion", "trial"):
        services.transition(syn, target, fac)
    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert "Tonnes par an (mesurées)" in page and "MWh par an" not in page


def test_measured_heat_counts_in_mwh_in_the_territory_figures_never_in_tonnes(world):
    from boucle.matching import services
    from boucle.observatory.queries import territory_indicators
    from boucle.territories.refs import resolve
    from web_personas import EPCI_T

    syn = _heat_exchange_running(world)
    services.record_outcome(syn, world.users["facilitator_t"], mwh_per_year=4200.0)
    verified = territory_indicators(resolve(f"epci:{EPCI_T}"), public=False)["impacts"]["verified"]
    assert verified["mwh"] == 4200.0 and not verified["tonnes_diverted"]


def test_the_site_flows_list_flags_a_flow_whose_material_is_not_recognised(world, as_persona):
    client = as_persona("member_a")
    _declare(client, world.sites["A"], label="xyzzy frobnicateur", quantity="4")
    _declare(client, world.sites["A"], label="Chutes de bois", quantity="4")
    page = client.get(reverse("site-flows", args=[world.sites["A"].pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    row = page.split("xyzzy frobnicateur", 1)[1].split("</tr>", 1)[0]
    assert "Matière non reconnue : aucune proposition possible." in row and "Pourquoi et que faire" in row
    assert "Matière non reconnue" not in page.split("Chutes de bois", 1)[1].split("</tr>", 1)[0]


def test_saving_an_unrecognised_flow_promises_no_proposal(world, as_persona):
    """« Votre flux sera comparé… Les propositions apparaîtront… » after saving « xyzzy » was a false promise."""
    client = as_persona("member_a")
    response = client.post(reverse("flow-create"), {
        "site": world.sites["A"].pk, "direction": "offer", "kind": "material", "label": "xyzzy frobnicateur",
        "ewc": "", "material_class": "", "quantity": "", "unit": "", "period": "year"}, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Matière non reconnue : ce flux ne sera proposé à personne" in said
    assert "Les propositions apparaîtront" not in said
    response = client.post(reverse("flow-create"), {
        "site": world.sites["A"].pk, "direction": "offer", "kind": "material", "label": "Chutes de bois",
        "ewc": "", "material_class": "", "quantity": "", "unit": "", "period": "year"}, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Les propositions apparaîtront" in said and "non reconnue" not in said


@pytest.mark.parametrize("lang, typed, stored", [("en", "1,200", 1200.0), ("en", "1,200.5", 1200.5), ("en", "12.5", 12.5),
                                                 ("fr", "1,200", 1.2), ("fr", "1 200", 1200.0)])
def test_a_comma_reads_as_the_reader_writes_it(world, as_persona, lang, typed, stored):
    from boucle.flows.models import Flow

    client = as_persona("member_a")
    client.cookies["django_language"] = lang
    response = client.post(reverse("flow-create"), {
        "site": world.sites["A"].pk, "direction": "offer", "kind": "material", "label": f"Copeaux {lang} {typed}",
        "ewc": "", "material_class": "", "quantity": typed, "unit": "t", "period": "year"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 302
    assert Flow.objects.get(label=f"Copeaux {lang} {typed}").quantity == stored


def test_the_api_card_gives_no_heat_reach_to_a_hidden_side_either(as_persona, world):
    import json

    syn = world.synergies["ab"]
    syn.explanation = {"heat_breakeven_km": 0.13}
    syn.save()
    hidden = json.dumps(as_persona("member_a").get(f"/api/synergies/{syn.pk}").json(), ensure_ascii=False)
    assert "0,1 km" not in hidden and "0.1 km" not in hidden and "Au-delà" not in hidden
    assert "heat_breakeven" not in hidden and '"distance_km": null' in hidden
