"""What a facilitator and a company read after a fresh reader's walk (session reader5): a quantity typed with its
unit, an implausible quantity in plain figures, measured results that are numbers, the same verified figure on
every page, verified heat and water on the headline cards, and the wording of the proposal in English."""

import pytest
from django.urls import reverse


def _declare(client, site, **fields):
    data = {"site": site.pk, "direction": "offer", "kind": "material", "label": "Chutes de tissu coton", "ewc": "",
            "material_class": "", "quantity": "", "unit": "t", "period": "year", "confidential": "on"}
    data.update(fields)
    return client.post(reverse("flow-create"), data)


@pytest.mark.parametrize("typed, unit, stored, stored_unit", [
    ("12,5 t", "t", 12.5, "t"), ("12,5t", "", 12.5, "t"), ("1 200 kg", "kg", 1200.0, "kg"),
    ("3 m³", "", 3.0, "m3"), ("12,5 tonnes", "t", 12.5, "t")])
def test_a_quantity_typed_with_its_unit_is_read(world, as_persona, typed, unit, stored, stored_unit):
    """« 12,5 t » was refused with « Saisissez un nombre » although the unit typed is the one chosen (or none was)."""
    from boucle.flows.models import Flow

    kind = "water" if stored_unit == "m3" else "material"
    label = f"Chutes {typed}"
    response = _declare(as_persona("member_a"), world.sites["A"], label=label, quantity=typed, unit=unit, kind=kind)
    assert response.status_code == 302, response.content.decode()[:3000]
    flow = Flow.objects.get(label=label)
    assert (flow.quantity, flow.unit) == (stored, stored_unit)


def test_a_unit_typed_that_differs_from_the_one_chosen_says_where_the_unit_goes(world, as_persona):
    response = _declare(as_persona("member_a"), world.sites["A"], quantity="12,5 t", unit="kg")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez le nombre seul (par exemple 12,5) et choisissez son unité dans la liste « Unité »" in page
    assert 'value="12,5 t"' in page  # what was typed stays in the box


def test_a_temperature_typed_with_degrees_is_read(world, as_persona):
    from boucle.flows.models import Flow

    response = _declare(as_persona("member_a"), world.sites["A"], label="Eaux tièdes", kind="water",
                        quantity="40", unit="m3", temperature_c="35 °C")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Flow.objects.get(label="Eaux tièdes").temperature_c == 35.0


@pytest.mark.parametrize("lang, said", [
    ("fr", "1\xa0000\xa0000\xa0000\xa0000 t par an dépasse le maximum plausible pour un flux "
           "(1\xa0000\xa0000\xa0000 t par an)"),
    ("en", "1,000,000,000,000 t per year")])
def test_an_implausible_quantity_is_refused_in_plain_figures(world, as_persona, lang, said):
    """« 1e+12 t par an dépasse le maximum plausible pour un flux (1e+09 t par an) »: the engine's notation."""
    client = as_persona("member_a")
    client.cookies["django_language"] = lang
    response = client.post(reverse("flow-create"), {
        "site": world.sites["A"].pk, "direction": "offer", "kind": "material", "label": "Chutes", "ewc": "",
        "material_class": "", "quantity": "999999999999", "unit": "t", "period": "year"}, HTTP_ACCEPT_LANGUAGE=lang)
    page = response.content.decode()
    assert said in page and "e+" not in page.split("Chutes", 1)[-1].split("</form>", 1)[0]


def test_a_huge_quantity_in_a_file_is_told_without_an_exponent():
    from django.utils import translation

    from boucle.flows.bounds import readable

    with translation.override("fr"):
        assert readable(1e308) == "1,0 × 10³⁰⁸" and readable(7.3e9) == "7\xa0300\xa0000\xa0000"


def _on_trial(world):
    from boucle.matching import services

    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    for target in ("contacted", "in_discussion", "trial"):
        services.transition(syn, target, fac)
    return syn


@pytest.mark.parametrize("field, typed, said", [
    ("tonnes_per_year", "nan", "n&#x27;est pas un nombre"),
    ("tonnes_per_year", "inf", "n&#x27;est pas un nombre"),
    ("eur_per_year", "1e400", "n&#x27;est pas un nombre"),
    ("tonnes_per_year", "5e12", "dépasse le maximum plausible pour un flux"),
])
def test_a_measured_result_is_a_plausible_number(world, as_persona, field, typed, said):
    """« nan » and « inf » were stored as verified results (Python's float reads them), and 5 000 000 000 000 t a
    year was added to the territory's verified tonnes."""
    syn = _on_trial(world)
    client = as_persona("facilitator_t")
    response = client.post(reverse("synergy-outcome", args=[syn.pk]), {field: typed}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert said in response.content.decode()
    assert not syn.outcomes.exists()


def test_a_measured_result_typed_the_french_way_is_kept(world, as_persona):
    syn = _on_trial(world)
    client = as_persona("facilitator_t")
    client.post(reverse("synergy-outcome", args=[syn.pk]),
                {"tonnes_per_year": "1\u202f200,5", "eur_per_year": "6 500", "co2e_avoided_t_per_year": "85,5"})
    outcome = syn.outcomes.get()
    assert (outcome.tonnes_per_year, outcome.eur_per_year, outcome.co2e_avoided_t_per_year) == (1200.5, 6500, 85.5)


def test_a_verified_figure_reads_the_same_on_the_observatory_as_on_the_synergy_page(world, as_persona):
    """85,5 t CO₂e measured read « 85,5 » on the synergy page, the figures page and the export, « 86 » on the
    observatory's page and report."""
    from boucle.matching import services
    from web_personas import EPCI_T

    syn = _on_trial(world)
    services.record_outcome(syn, world.users["facilitator_t"], tonnes_per_year=12.5, co2e_avoided_t_per_year=85.5)
    client = as_persona("facilitator_t")
    synergy_page = client.get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "85,5 t CO₂e/an" in synergy_page
    for name in ("observatory:territory", "observatory:territory-report"):
        page = client.get(reverse(name, args=["epci", EPCI_T]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "85,5" in page and "12,5" in page, name


def test_a_verified_heat_exchange_shows_on_the_headline_cards(world, as_persona):
    """A measured 420 MWh a year read « 0 t/an détournées de l'élimination, résultats vérifiés » on the company's
    space and on the facilitator's figures: the only verified card said nothing was measured."""
    from test_reader3_proposals import _heat_exchange_running

    from boucle.matching import services

    syn = _heat_exchange_running(world)
    services.record_outcome(syn, world.users["facilitator_t"], mwh_per_year=420.0)
    for persona, url in (("member_a", reverse("company-home")), ("member_b", reverse("company-home")),
                         ("facilitator_t", reverse("facilitator-figures"))):
        page = as_persona(persona).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        card = page.split('class="verified-figures"', 1)[1].split("</li>", 1)[0]
        assert "420 MWh/an" in card and "détournés de l'élimination ou échangés (énergie, eau)" in card, persona
        assert "0 t/an" not in card


def test_nothing_verified_still_reads_zero_tonnes(world, as_persona):
    page = as_persona("member_a").get(reverse("company-home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card = page.split('class="verified-figures"', 1)[1].split("</li>", 1)[0]
    assert "0 t/an" in card and "détournées de l'élimination, résultats vérifiés (mesurés)" in card


def test_the_impact_table_names_no_engine(world, as_persona):
    page = as_persona("member_a").get(reverse("company-impact"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les estimations calculées par Boucle et les résultats vérifiés (mesurés)" in page
    assert "moteur" not in page
    client = as_persona("member_a")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("company-impact"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Boucle's estimates and verified (measured) results" in page and "engine" not in page.lower()


def test_how_sure_a_reading_is_reads_as_english(world, as_persona):
    """« The offer's material is read from the label, probably; the need's, read from the label, very probably »: an
    adverb at the end of a clause that reads as a shrug; « confidence » is the engine's word and stays out."""
    from django.utils import translation

    from boucle.web.words import explanation_sentences

    with translation.override("en"):
        said = " ".join(explanation_sentences({"offer_class_confidence": 0.7, "need_confidence": 0.95},
                                              origins={"offer": "label", "need": "label"}))
    assert "read from the label, with reasonable certainty" in said and "read from the label, with little doubt" in said
    assert "probably" not in said and "confidence" not in said  # engine jargon (test_words_not_keys)


def test_a_declared_need_reads_as_english():
    """« the receiving site declared a need for: “Chaleur basse température” »: a colon after « for »."""
    from django.utils import translation

    from boucle.matching.wording import explanation_parts

    with translation.override("en"):
        parts = dict(explanation_parts({"declared_need": True, "need_class": "waste_heat_low"},
                                       need_label="Chaleur basse température"))
        hidden = dict(explanation_parts({"declared_need": True, "need_class": "waste_heat_low"}))
    assert parts["Use"] == "the receiving site declared a need for “Chaleur basse température”"
    assert hidden["Use"].startswith("the receiving site declared a need for low") and "for:" not in hidden["Use"]


@pytest.mark.parametrize("lang, said", [("fr", "prix × quantité ; fourchette"), ("en", "price × quantity; range")])
def test_a_formula_and_its_range_are_punctuated_in_the_page_language(lang, said):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(lang):
        html = render_to_string("web/company/_term_source.html", {"t": {
            "source_name": "ordre de grandeur", "formula": "prix × quantité" if lang == "fr" else "price × quantity",
            "range": "fourchette 40 à 100 €/MWh" if lang == "fr" else "range 40 to 100 €/MWh"}})
    assert said in html


def test_my_flows_name_their_material_without_nested_brackets(world, as_persona):
    """« Eau de lavage — besoin, eau (Eau de process (industrielle)) »: a class name with its own brackets inside
    the list's brackets."""
    client = as_persona("member_a")
    _declare(client, world.sites["A"], label="Chaleur des fours", kind="energy", quantity="500", unit="MWh")
    response = client.get(reverse("company-home"), HTTP_ACCEPT_LANGUAGE="fr")
    flow = next(f for f in response.context["flows"] if f.label == "Chaleur des fours")
    assert flow.material and "(" in flow.material  # « Chaleur fatale … (100–250 °C) »: the case at hand
    page = response.content.decode()
    item = page.split("Chaleur des fours</a>", 1)[1].split("</li>", 1)[0]
    import html

    assert f"offre, énergie / chaleur · {flow.material}" in html.unescape(item), item


def test_a_share_is_written_as_each_language_writes_it():
    """« Share of the potential … : 100 %. » in English kept the French space before the sign."""
    from django.utils import translation

    from boucle.web.templatetags.words import percent

    with translation.override("en"):
        assert percent(0.793) == "79%"
    with translation.override("fr"):
        assert percent(0.793) == "79\xa0%"


def test_a_company_with_flows_and_no_new_proposal_is_not_told_to_declare_flows(world, as_persona):
    """Bravotherm has declared a flow; once its only proposal is no longer new, the empty list says proposals will
    come, not « déclarez vos flux » (a company without flows still reads that invitation)."""
    from boucle.matching import lifecycle

    world.synergies["ab"].status = lifecycle.DECLINED
    world.synergies["ab"].save()
    page = as_persona("member_b").get(reverse("company-home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    new = page.split('id="h-new"', 1)[1].split("</section>", 1)[0]
    assert "Pas de nouvelle proposition pour vos flux" in new
    assert "déclarez vos flux" not in new
