"""Words, not keys: the main pages of each role read as French (or English), never as the code's keys.

A small territory like the demo's (big quantities, an oil, a heat flow, synergies at several steps of
their life, the engine's real explanation object) is rendered for a facilitator, a company member
and an anonymous citizen; the visible text must hold no snake_case key (``waste_oil``), no enum value
(``suggested``, ``energy``, ``region:32``), no engine jargon (``confidence``, ``decay``) and no
scientific notation (``1e+06``).
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from boucle.matching import services
from boucle.matching.models import Synergy
from boucle.testing import make_flow

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
SCIENTIFIC = re.compile(r"\b\d+(?:[.,]\d+)?e[+-]?\d+\b", re.I)
TERRITORY_KEY = re.compile(r"\b(?:region|departement|epci|commune):\w+")
ENUMS = {"suggested", "contacted", "in_discussion", "trial", "running", "stopped", "declined",
         "material", "energy", "water", "equipment", "offer", "need", "year", "month"}
JARGON = re.compile(r"\b(?:confidence|decay|inferred|merit|compat\w*|score)\b|\bfit :", re.I)  # whole words: "DECAYEUX" is a name
EMAIL = re.compile(r"\S+@\S+")

ENGINE_EXPLANATION = {"offer_class": "waste_oil", "offer_class_confidence": 1.0, "need_class": "waste_oil",
                      "need_confidence": 0.875, "compatibility": 1.0, "inferred_factor": 1.0,
                      "distance_decay": 0.98, "merit": 0.9827, "rule_id": None, "source": None}


class VisibleText(HTMLParser):
    """The text a reader sees, plus the titles and labels read out by a screen reader."""

    SKIP = {"script", "style", "code", "template"}  # <code>: an identifier to look up (a factor row, a code)

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def problems(html: str, language: str = "fr") -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = EMAIL.sub(" ", " \n ".join(parser.parts))
    found = [f"key {m}" for m in SNAKE.findall(text)]
    found += [f"scientific {m}" for m in SCIENTIFIC.findall(text)]
    found += [f"territory key {m}" for m in TERRITORY_KEY.findall(text)]
    if language == "fr":  # in English, "energy" or "need" are the labels themselves
        found += [f"enum {w}" for w in re.findall(r"\b[a-z_]+\b", text) if w in ENUMS]
    found += [f"jargon {m}" for m in JARGON.findall(text)]
    return found


@pytest.fixture
def territory(world):
    """The personas' world, with demo-like figures: large tonnages, euros in millions, several statuses."""
    a, b = world.sites["A"], world.sites["B"]
    oil_offer = make_flow(b, "Huiles de vidange", ewc="130205", quantity=1_250_000, unit="t", material_class="waste_oil")
    oil_need = make_flow(a, "Huile pour régénération", direction="need", quantity=2_000_000, unit="t",
                         material_class="waste_oil")
    make_flow(b, "Chaleur des fumées", kind="energy", quantity=35_000, unit="MWh", material_class="waste_heat_low")
    oil = Synergy.objects.create(offer=oil_offer, need=oil_need, need_site=a, material_class="waste_oil",
                                 distance_km=6.3, quantity_t=1_250_000, score=0.87, tonnes_diverted=1_250_000,
                                 co2e_avoided_t=3_400_000, eur_saved=5_600_000, explanation=ENGINE_EXPLANATION)
    facilitator = world.users["facilitator_t"]
    services.transition(oil, "contacted", facilitator, "premier appel")
    services.transition(oil, "in_discussion", facilitator, "")
    world.synergies["ab"].explanation = ENGINE_EXPLANATION
    world.synergies["ab"].save()
    world.synergies["oil"] = oil
    return world


def pages(world):
    oil, ab = world.synergies["oil"].pk, world.synergies["ab"].pk
    site_a = world.sites["A"].pk
    return {
        "facilitator_t": [reverse("facilitator-home"), reverse("synergy-detail", args=[oil]), reverse("map"),
                          reverse("observatory:territory", args=["epci", "200093201"]),
                          reverse("observatory:territory-report", args=["epci", "200093201"]),
                          reverse("matching-runs"), reverse("site-detail", args=[site_a]),
                          reverse("facilitator-import"), reverse("jobs:list")],
        "member_a": [reverse("company-home"), reverse("company-synergies"), reverse("synergy-detail", args=[ab]),
                     reverse("synergy-detail", args=[oil]), reverse("company-impact"),
                     reverse("site-flows", args=[site_a])],
        "anonymous": [reverse("home"), reverse("observatory:public"), reverse("projects:list"), reverse("login")],
    }


@pytest.mark.parametrize("persona", ["facilitator_t", "member_a", "anonymous"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_main_pages_show_words_not_keys(as_persona, territory, persona, language):
    client = as_persona(persona)
    client.cookies["django_language"] = language
    seen = {}
    for url in pages(territory)[persona]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (url, response.status_code)
        found = problems(response.content.decode(), language)
        if found:
            seen[url] = sorted(set(found))
    assert not seen, seen


def test_the_checker_catches_what_the_issue_reported():
    """The raw texts seen on main before this change are each caught."""
    for raw in ("offer class confidence : 1 · need confidence : 0.875", "1e+06–1e+07 €/an", "waste_oil",
                "suggested → contacted", "region:32", "<td>energy</td>"):
        assert problems(f"<p>{raw}</p>"), raw
    assert not problems("<p>1 234 567 t · 1 à 10 M€/an · contact pris · Hauts-de-France</p>")


def test_synergy_page_explains_in_sentences(as_persona, territory):
    html = as_persona("facilitator_t").get(reverse("synergy-detail", args=[territory.synergies["oil"].pk])).content.decode()
    assert "Huiles usagées" in html
    # the matching's wording, then ours; what the receiver declared in its own words, not the class name
    assert "besoin : « Huile pour régénération »" in html and "besoin : huiles usagées" not in html
    # read by the classifier (none chosen by a person): said as readings, never as certain
    assert "lue d&#x27;après le code déchet, avec une forte confiance" in html and "certitude" not in html
    assert "passée de « suggérée » à « contact pris »" in html
    assert "1\xa0250\xa0000" in html or "1\u202f250\u202f000" in html  # grouped thousands


def test_engine_sentences_are_shown_but_never_an_anonymous_side_quantity(as_persona, world):
    syn = world.synergies["ab"]
    syn.explanation = {"sentences": ["Le cimentier utilise ces cendres comme ajout au cru.",
                                     "Le producteur en déclare 61 234 t/an."]}
    syn.save()
    hidden = as_persona("member_a").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert "comme ajout au cru" in hidden and "61 234" not in hidden  # B is still anonymous to A
    full = as_persona("facilitator_t").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert "61 234 t/an" in full


def test_heat_terms_read_as_sentences(db):
    from boucle.web.words import explanation_sentences

    text = " ".join(explanation_sentences({"need_temperature_c": 80.0, "heat_breakeven_km": 12.34}))
    assert "chaleur à 80 °C" in text and "Au-delà de 12,3 km" in text
    assert not problems(f"<p>{text}</p>")


def test_the_confidence_sentence_says_once_what_both_sides_share():
    """« reconnue avec certitude, celle du besoin avec certitude » read as a stammer to a facilitator."""
    from django.utils import translation

    from boucle.web.words import explanation_sentences

    with translation.override("fr"):
        same = explanation_sentences({"offer_class_confidence": 1.0, "need_confidence": 0.95},
                                     origins={"offer": "label", "need": "label"})
        differ = explanation_sentences({"offer_class_confidence": 1.0, "need_confidence": 0.7},
                                       origins={"offer": "chosen", "need": "label"})
    assert "Les matières de l'offre et du besoin sont toutes deux lues dans le libellé, avec une forte confiance." in same
    assert not any("celle du besoin" in s for s in same)
    assert ("La matière de l'offre est choisie par l'entreprise ou l'animateur ; celle du besoin, lue dans le "
            "libellé, avec une bonne confiance.") in differ


def test_a_class_read_from_a_waste_code_is_never_said_certain(as_persona, world):
    """A steelworks' unprocessed slag (10 02 02) is mapped to steel slag by a manual mapping: the matching scores
    that reading 1.0, yet it is a reading, not a person's choice; only a chosen class goes without a doubt."""
    from boucle.flows.importers import CHOSEN_CONFIDENCE, classify

    a, b = world.sites["A"], world.sites["B"]
    key, confidence = classify("Laitiers non traités", "100202")
    assert key == "steel_slag" and confidence < CHOSEN_CONFIDENCE
    slag = make_flow(b, "Laitiers non traités", ewc="100202", quantity=1400, unit="t", material_class=key,
                     material_confidence=confidence)
    chosen = make_flow(a, "Laitier pour granulats", direction="need", quantity=1200, unit="t",
                       material_class="steel_slag", material_confidence=CHOSEN_CONFIDENCE)
    syn = Synergy.objects.create(offer=slag, need=chosen, need_site=a, material_class="steel_slag", distance_km=7,
                                 quantity_t=1200, score=0.6, explanation={
                                     "offer_class": "steel_slag", "offer_class_confidence": 1.0,
                                     "need_class": "steel_slag", "need_confidence": 1.0})
    html = as_persona("facilitator_t").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert "certitude" not in html
    assert ("La matière de l&#x27;offre est lue d&#x27;après le code déchet, avec une forte confiance ; celle du "
            "besoin, choisie par l&#x27;entreprise ou l&#x27;animateur.") in html
