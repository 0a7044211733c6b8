"""A proposal card says only what is true, in words a French facilitator reads at once.

The explanations below are those the demo's run stores (a site of unknown activity offered heat as a last
resort, a car plant whose heat need is read from its activity, a hospital that declared its need).
"""

import re

import pytest
from django.utils import translation

from boucle.web.words import explanation_sentences

UNKNOWN_RECEIVER = {"offer_class": "waste_heat_medium", "offer_class_confidence": 1.0,
                    "need_class": "waste_heat_medium", "need_confidence": 0.15, "compatibility": 1.0,
                    "inferred_factor": 0.8, "rule_id": "unknown:waste_heat_medium", "source": "",
                    "receiver_activity": None, "declared_need": False, "unknown_activity": True,
                    "estimate_basis": "to_agree", "need_temperature_c": 150.0}
CAR_PLANT = {"offer_class": "waste_heat_low", "offer_class_confidence": 1.0, "need_class": "hot_water",
             "need_confidence": 0.3, "compatibility": 1.0, "inferred_factor": 0.8, "rule_id": "in:29:hot_water",
             "source": "NACE 29 manufacture of motor vehicles (paint shop: low-temperature heat for pretreatment "
                       "baths and paint drying); EU BREF STS 2020, coating of vehicles (car bodies: pretreatment, "
                       "electrocoat, paint lines)",
             "receiver_activity": "29", "declared_need": False, "estimate_basis": "to_agree",
             "need_temperature_c": 70.0}
DAIRY = {"offer_class": "waste_heat_low", "need_class": "hot_water", "need_confidence": 0.8, "inferred_factor": 0.8,
         "rule_id": "in:10.51:hot_water", "source": "NACE 10.51 Operation of dairies (cleaning in place, pasteurisation)",
         "receiver_activity": "10.51", "declared_need": False, "need_temperature_c": 72.0}
HOSPITAL = {"offer_class": "waste_heat_medium", "need_class": "hot_water", "need_confidence": 0.8, "inferred_factor": 1.0,
            "rule_id": None, "source": None, "declared_need": True, "estimate_basis": "declared_need",
            "need_temperature_c": 80.0}


def _said(explanation, **kw) -> str:
    with translation.override("fr"):
        return " ".join(explanation_sentences(explanation, **kw))


@pytest.mark.parametrize("explanation", [UNKNOWN_RECEIVER, CAR_PLANT, DAIRY], ids=["unknown", "car", "dairy"])
def test_an_inferred_temperature_is_never_said_as_declared(explanation):
    text = _said(explanation)
    assert "a besoin de chaleur à" not in text and "a déclaré un besoin de chaleur" not in text
    assert "Température non déclarée : chaleur vers" in text


def test_a_last_resort_receiver_temperature_is_the_class_default_assumed_by_boucle():
    text = _said(UNKNOWN_RECEIVER)
    assert "chaleur vers 150 °C, valeur type pour « chaleur fatale moyenne température (100–250 °C) »" in text
    assert "hypothèse de Boucle, sans source citée" in text
    # not « typique de cette activité »: nobody knows its activity
    assert "typique de cette activité" not in text


def test_a_temperature_from_the_activity_cites_the_document_behind_it():
    text = _said(DAIRY)
    assert "chaleur vers 72 °C, typique de cette activité (règlement (CE) 853/2004)" in text


def test_an_anonymous_receiver_temperature_names_no_document():
    text = _said(DAIRY, receiver_hidden=True)
    assert "chaleur vers 72 °C, typique de cette activité, à confirmer" in text
    assert "853/2004" not in text


def test_a_declared_temperature_is_said_declared():
    assert "Le receveur a déclaré un besoin de chaleur à 80 °C." in _said(HOSPITAL)


def test_the_temperature_sentence_reads_in_english():
    with translation.override("en"):
        text = " ".join(explanation_sentences(UNKNOWN_RECEIVER))
    assert "Temperature not declared: heat at about 150 °C" in text and "Boucle's assumption" in text


def _page_text(client, url) -> str:
    import html
    import re

    body = client.get(url).content.decode()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_a_heat_offer_named_by_its_origin_says_its_kind_temperature_and_mwh(as_persona, world):
    """« Chaleur de l'incinération » says neither steam nor hot water nor how hot: the card adds its kind (the
    band the matching reads from the declared temperature) and counts it in MWh, never in tonnes."""
    from django.urls import reverse

    from boucle.matching.models import Synergy
    from boucle.testing import make_flow

    a, b = world.sites["A"], world.sites["B"]
    heat = make_flow(b, "Chaleur de l'incinération", kind="energy", quantity=270_000, unit="MWh", period="year",
                     material_class="waste_heat_low", temperature_c=130, quantity_base=270_000, base_unit="MWh")
    need = make_flow(a, "Chaleur pour le chauffage des bâtiments", direction="need", kind="energy", quantity=38_000,
                     unit="MWh", period="year", material_class="hot_water", quantity_base=38_000, base_unit="MWh")
    synergy = Synergy.objects.create(offer=heat, need=need, need_site=a, material_class="waste_heat_medium",
                                     distance_km=1.3, quantity_t=25_000, score=0.34, tonnes_diverted=0,
                                     explanation={**HOSPITAL, "need_temperature_c": None})
    with translation.override("fr"):
        text = _page_text(as_persona("facilitator_t"), reverse("synergy-detail", args=[synergy.pk]))
    assert "Chaleur de l'incinération (chaleur fatale moyenne température, 130 °C), 270 000 MWh/an" in text
    # the need's label says « chaleur »: its kind is said without repeating it
    assert "Chaleur pour le chauffage des bâtiments (eau chaude, réseau de chaleur), 38 000 MWh/an" in text
    # a declared temperature replaces the class's bracket: cold at -150 °C is not « eau glacée »
    from boucle.web.words import utility_kind

    assert utility_kind("cold", "energy", -150, "Froid fatal de la séparation de l'air") == "-150\u00a0°C"
    assert not re.search(r"\d t/an", text)


def test_a_card_lists_its_sources_short_each_opening_the_whole_document(as_persona, world):
    """The car plant's heat card: the rule's documents on their own lines, each a short name that opens the
    document (INSEE's page of NAF division 29, the EIPPCB's BREF list), with what it is about in words."""
    from django.urls import reverse

    from boucle.matching.models import Synergy
    from boucle.testing import make_flow

    a, b = world.sites["A"], world.sites["B"]
    heat = make_flow(b, "Chaleur fatale du cycle (condenseur)", kind="energy", quantity=58_000, unit="MWh",
                     period="year", material_class="waste_heat_low", quantity_base=58_000, base_unit="MWh")
    synergy = Synergy.objects.create(offer=heat, need=None, need_site=a, material_class="hot_water", distance_km=2.6,
                                     quantity_t=0, score=0.16, inferred=True, explanation=CAR_PLANT)
    with translation.override("fr"):
        body = as_persona("facilitator_t").get(reverse("synergy-detail", args=[synergy.pk])).content.decode()
    sources = body[body.index('<ul class="sources">'):]
    sources = sources[:sources.index("</ul>")]
    assert ('<a href="https://www.insee.fr/fr/metadonnees/nafr2/division/29" rel="noopener noreferrer" '
            'target="_blank">nomenclature NAF rév. 2, division 29</a> : industrie automobile') in sources
    assert ('<a href="https://eippcb.jrc.ec.europa.eu/reference/" rel="noopener noreferrer" target="_blank">'
            'BREF STS 2020</a> : traitement de surface utilisant des solvants organiques') in sources
    why = body[body.index("Pourquoi"):body.index('<ul class="sources">')]
    assert "BREF" not in why and "Source :" not in why


def test_a_need_read_from_the_activity_is_said_so_once_with_how_sure():
    """Not « celle du besoin, déduite de l'activité du site, avec un doute » then « il est déduit de l'activité du
    site receveur »: one sentence says it, with its confidence."""
    text = _said(CAR_PLANT, origins={"offer": "label", "need": "activity"})
    assert text.count("de l'activité du site") == 1
    assert "Le besoin n'est pas déclaré : il est déduit de l'activité du site receveur, avec un doute, à vérifier." in text
    assert "La matière de l'offre est lue dans le libellé, avec une forte confiance." in text


def test_a_last_resort_card_says_the_activity_is_unknown_without_stammering():
    text = _said(UNKNOWN_RECEIVER, origins={"offer": "label", "need": "activity"})
    assert "inconnue : à vérifier ;" not in text and text.count("à vérifier") == 1


def test_a_label_with_its_own_brackets_gets_no_second_pair():
    from boucle.web.present import _label_with_kind

    with translation.override("fr"):
        assert _label_with_kind("Chaleur fatale basse température (campagne)", "55 °C") == \
            "Chaleur fatale basse température (campagne ; 55 °C)"
        assert _label_with_kind("Chaleur de l'incinération", "") == "Chaleur de l'incinération"


def test_a_temperature_source_is_named_short_without_brackets_in_brackets():
    sugar = {"need_class": "steam", "rule_id": "recipe:10.81:steam", "receiver_activity": "10.81",
             "declared_need": False, "inferred_factor": 0.8, "need_temperature_c": 140.0}
    assert "chaleur vers 140 °C, typique de cette activité (BREF FDM 2019), à confirmer" in _said(sugar)


def test_the_assumed_route_of_heat_reads_as_a_noun_and_the_old_label_still_imports():
    from boucle.impact.routes import parse_route
    from boucle.web.present import route_assumption

    with translation.override("fr"):
        said = route_assumption({"current_route": "dissipation", "current_route_assumed": True})
    assert said.startswith("devenir actuel non déclaré, supposé : dissipation (aéroréfrigérant / rejet)")
    assert parse_route("Dissipée (aéroréfrigérant / rejet)") == "dissipation"


def test_an_older_explanation_without_the_declared_flag_is_not_said_declared():
    older = {k: v for k, v in CAR_PLANT.items() if k != "declared_need"}
    assert "a déclaré un besoin de chaleur" not in _said(older) and "chaleur vers 70 °C" in _said(older)
