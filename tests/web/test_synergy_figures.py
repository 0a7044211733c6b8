"""A synergy's estimated CO2e is shown rounded with its range, and an assumed current route is said."""

import re
from types import SimpleNamespace

from django.utils import translation

from boucle.impact.ranges import format_range, meaningful
from boucle.web.present import co2e_text, eur_text, route_assumption


def test_meaningful_digits_follow_the_range():
    assert meaningful(1770.5975, 1373.54, 2167.65) == 1800
    assert meaningful(7.652, 6.0, 9.3) == 8
    assert meaningful(7.652, 7.3, 8.0) == 7.7
    assert meaningful(-5.0815) == -5.1
    assert format_range(1770.5975, 1373.54, 2167.65, "t", "en") == "1,800 t (1,400–2,200)"


def test_card_text_in_french_and_english():
    synergy = SimpleNamespace(co2e_avoided_t=1770.5975,
                              explanation={"co2e_low_t": 1373.54, "co2e_high_t": 2167.65,
                                           "current_route": "recycling", "current_route_assumed": True})
    with translation.override("fr"):
        assert co2e_text(synergy) == "1\u202f800 t CO₂e (1\u202f400 – 2\u202f200)"
        # a card's line says the year with the unit, not after the range (« … (1 400 – 2 200)/an »)
        assert co2e_text(synergy, per_year=True) == "1\u202f800 t CO₂e/an (1\u202f400 – 2\u202f200)"
        assert route_assumption(synergy.explanation).startswith(
            "devenir actuel non déclaré, supposé : déjà vendu pour recyclage ; si c'est bien le cas")
    with translation.override("en"):
        assert co2e_text(synergy) == "1,800 t CO₂e (1,400–2,200)"
        assert co2e_text(synergy, per_year=True) == "1,800 t CO₂e/yr (1,400–2,200)"
        assert "already sold for recycling" in route_assumption(synergy.explanation)
    declared = {**synergy.explanation, "current_route_assumed": False}
    assert route_assumption(declared) is None


def test_euros_are_rounded_to_two_significant_digits():
    with translation.override("fr"):
        assert eur_text(608101.4) == "610\u202f000 €"
    with translation.override("en"):
        assert eur_text(-5000.0) == "-5,000 €"


def test_the_calculation_adds_up_to_the_estimate_and_is_hidden_when_quantities_are(db):
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    works = make_site("Fonderie", naf="24.51Z")
    scrap = make_flow(works, "Chutes d'acier", quantity=1000, unit="t", material_class="steel_scrap",
                      current_route="D1")
    steel = make_site("Aciérie", lat=50.70, naf="24.10Z")
    synergy = Synergy.objects.create(offer=scrap, need_site=steel, inferred=True, material_class="steel_scrap",
                                     distance_km=50, score=0.5, co2e_avoided_t=1770.5975)
    with translation.override("fr"):
        calc = calculation(synergy, hidden=False)
    assert calc["co2e_total"].startswith("1\u202f800 t CO₂e")  # case 1 of docs/impact-method.md, rounded
    labels = [row["label"] for row in calc["co2e"]]
    assert labels[0].startswith("production de matière vierge évitée") and "19_504_5112_15_1" in calc["co2e"][0]["row"]
    assert [row["label"] for row in calc["eur"]] == ["coût d'élimination évité", "achat évité", "coût de préparation",
                                                     "coût du transport"]
    assert calc["market_value"] is None  # no cited market price: never added to the euros
    assert calculation(synergy, hidden=True) is None
    scrap.current_route = ""
    scrap.save()
    with translation.override("en"):
        resale = calculation(synergy, hidden=False)
    assert resale["co2e_total"].startswith("-5")  # already sold for recycling: only the freight is left


def test_the_synergy_page_names_each_price_and_factor_source_with_a_link_and_the_formula_one_click_away(
        world, as_persona):
    """« Source du prix » used to show internal keys (``disposal_fee:landfill:non_hazardous``) and a
    repository path: now a source a reader can name, a link where there is one, the formula in a
    disclosure, in French and English."""
    from boucle.flows.models import Flow

    synergy = world.synergies["ab"]
    Flow.objects.filter(pk=synergy.offer_id).update(current_route="D1")
    client = as_persona("facilitator_t")
    for lang, words in (("fr", ("Source du prix", "ordre de grandeur non sourcé", "Formule", "quantité × redevance")),
                        ("en", ("Factor source", "uncited order of magnitude", "Formula", "quantity × gate fee"))):
        client.cookies["django_language"] = lang
        page = client.get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert all(w in page for w in words), (lang, [w for w in words if w not in page], page[page.find("<main"):][:3000])
        assert 'href="https://www.gov.uk/government/publications/greenhouse-gas-reporting' in page and "<details" in page
        assert "disposal_fee:" not in page and "virgin_price:" not in page and "transport_cost:" not in page
        assert "docs/impact-method.md" not in page and "_15_1" not in page and "EUR/t" not in page


def test_every_price_and_factor_row_has_a_source_a_reader_can_name():
    from django.utils import translation

    from boucle.impact.factors import default_tables
    from boucle.web.synergy_figures import source_name

    tables = default_tables()
    from boucle.impact import heat as heat_physics

    citations = ({p.source for p in tables.prices.values()} | {f.source for f in tables.factors.values()}
                 | {heat_physics.params()["network_capex_eur_per_m"].source})
    with translation.override("fr"):
        unnamed = {c for c in citations if source_name(c)[0] == "source citée dans les données de Boucle"}
        assert unnamed == set()
        name, url = source_name(next(c for c in citations if "Code des douanes" in c))
    assert name.startswith("Code des douanes") and url.startswith("https://www.legifrance.gouv.fr/")


def test_the_calculation_total_is_the_cards_figure(db):
    """The synergy's card and its « détail du calcul » show one figure, rounded the same way: the reader
    found « 2 700 t CO₂e (2 000 – 3 300) » and « 360 000 €/an » on the card but « (2 100 – 3 300) » and
    « 400 000 € (200 000 – 500 000) » in the detail of the same synergy."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    yard = make_site("Déchèterie", naf="38.11Z")
    wood = make_flow(yard, "Bois de déchèterie", quantity=2300, unit="t", material_class="wood_untreated",
                     current_route="landfill")
    boiler = make_site("Chaufferie", lat=50.70, naf="35.30Z")
    b = exchange_breakdown("wood_untreated", 2300.0, "t", 0.665, baseline_route="landfill")
    synergy = Synergy.objects.create(
        offer=wood, need_site=boiler, inferred=True, material_class="wood_untreated", distance_km=0.665, score=0.9,
        quantity_t=2300.0, co2e_avoided_t=b.co2e_avoided_t, eur_saved=b.eur_saved,
        explanation={"co2e_low_t": b.co2e_avoided_t * 0.77, "co2e_high_t": b.co2e_avoided_t * 1.23})
    for lang in ("fr", "en"):
        with translation.override(lang):
            calc = calculation(synergy, hidden=False)
            assert calc["co2e_total"] == co2e_text(synergy)
            assert calc["eur_total"] == eur_text(synergy.eur_saved)


def test_the_facilitators_list_shows_the_cards_co2e(world, as_persona):
    """One figure per synergy: the list read « 2 659,3 » where the synergy's page read « 2 700 t CO₂e »."""
    from boucle.matching.models import Synergy

    ab = world.synergies["ab"]
    Synergy.objects.filter(pk=ab.pk).update(co2e_avoided_t=2659.346,
                                            explanation={"co2e_low_t": 2044.8, "co2e_high_t": 3273.9})
    client = as_persona("facilitator_t")
    listing = client.get("/animation/synergies/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    page = client.get(f"/synergies/{ab.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    impact = page.split("Impact estimé", 1)[1].split("</dd>", 1)[0]
    assert "2\u202f700 t CO₂e/an (2\u202f000 – 3\u202f300)" in impact and ")/an" not in impact
    row = next(r for r in listing.split("<tr>") if f"/synergies/{ab.pk}/" in r)
    assert ">2\u202f700<" in row and "2\u202f659" not in row and "2659" not in row


def test_water_reads_in_cubic_metres_on_the_card_and_in_the_calculation(db):
    """The card read « 100 000 à 1 000 000 m3/an » and the calculation « 280 000 m3 × 0,1913 kg CO2e/m3 »."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.present import quantity_range
    from boucle.web.synergy_figures import calculation

    sugar = make_site("Sucrerie", naf="10.81Z")
    water = make_flow(sugar, "Eaux de condensation", kind="water", quantity=280000, unit="m3", quantity_base=280000,
                      base_unit="m3", material_class="water_demineralised")
    laundry = make_site("Blanchisserie", lat=50.70, naf="35.30Z")
    b = exchange_breakdown("water_demineralised", 280000.0, "m3", 1.3)
    synergy = Synergy.objects.create(
        offer=water, need_site=laundry, inferred=True, material_class="water_demineralised", distance_km=1.3,
        score=0.4, quantity_t=280000.0, co2e_avoided_t=b.co2e_avoided_t, eur_saved=b.eur_saved, explanation={})
    with translation.override("fr"):
        assert quantity_range(280000, "m3").endswith(" m³/an")
        calc = calculation(synergy, hidden=False)
    shown = " ".join(r["how"] for r in calc["co2e"] + calc["eur"])
    assert "m³ ×" in shown and "kg CO₂e/m³" in shown
    assert "m3" not in shown and "CO2e" not in shown


def test_an_unknown_total_says_why_above_its_known_terms(db):
    """« Gain net par an : inconnu » above « 95 000 » and « -120 » read as a broken sum: the page says
    a term has no cited factor or price. A computable estimate carries no such note."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    garage = make_site("Garage", naf="45.20A")
    plant = make_site("Centre de traitement", lat=50.70, naf="38.22Z")
    oil = make_flow(garage, "Émulsions d'usinage", quantity=380, unit="t", material_class="oily_water",
                    current_route="landfill")
    unknown = Synergy.objects.create(offer=oil, need_site=plant, inferred=True, material_class="oily_water",
                                     distance_km=3.1, score=0.3, quantity_t=380.0, explanation={})
    calc = calculation(unknown, hidden=False)
    assert calc["unknown_total"] and [r["value"] for r in calc["eur"]]  # known terms, unknown total
    wood = make_flow(garage, "Bois", quantity=2300, unit="t", material_class="wood_untreated", current_route="landfill")
    b = exchange_breakdown("wood_untreated", 2300.0, "t", 3.1, baseline_route="landfill")
    known = Synergy.objects.create(offer=wood, need_site=plant, inferred=True, material_class="wood_untreated",
                                   distance_km=3.1, score=0.9, quantity_t=2300.0, co2e_avoided_t=b.co2e_avoided_t,
                                   eur_saved=b.eur_saved, explanation={})
    assert not calculation(known, hidden=False)["unknown_total"]


def test_the_list_reads_zero_diverted_tonnes_as_the_card_does(world, as_persona):
    """A material already recycled diverts 0 t: its card read « 0 t/an » and the list « — »."""
    from boucle.matching.models import Synergy

    ab = world.synergies["ab"]
    Synergy.objects.filter(pk=ab.pk).update(tonnes_diverted=0.0, co2e_avoided_t=None, eur_saved=None)
    client = as_persona("facilitator_t")
    page = client.get(f"/synergies/{ab.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    listing = client.get("/animation/synergies/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "0 t/an" in page
    row = next(r for r in listing.split("<tr>") if f"/synergies/{ab.pk}/" in r)
    assert ">0 t<" in row


def test_a_recorded_result_shows_its_measured_co2e(world, as_persona):
    from boucle.matching import services

    ab = world.synergies["ab"]
    ab.status = "running"  # a measured result is for an exchange that runs
    ab.save()
    services.record_outcome(ab, world.users["facilitator_t"], tonnes_per_year=2100, eur_per_year=300000,
                            co2e_avoided_t_per_year=2400)
    page = as_persona("facilitator_t").get(f"/synergies/{ab.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"2\W?400 t CO₂e/an", page)


def test_the_terms_shown_add_up_to_the_total_shown(db):
    """Wood to a boiler: fuel 1 642, its combustion -99.9, disposal 2 128, lorry -0.15 t CO₂e. At two digits
    the table read 1 600 - 100 + 2 100 = 3 600 under « 3 700 t CO₂e »; at three the terms add up to it."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.impact.ranges import meaningful
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    yard = make_site("Déchèterie", naf="38.11Z")
    wood = make_flow(yard, "Bois de déchèterie", quantity=2300, unit="t", material_class="wood_untreated",
                     current_route="landfill")
    boiler = make_site("Chaufferie", lat=50.70, naf="35.30Z")
    b = exchange_breakdown("wood_untreated", 2300.0, "t", 0.665, baseline_route="landfill", fuel_receiver="35.30")
    synergy = Synergy.objects.create(
        offer=wood, need_site=boiler, inferred=True, material_class="wood_untreated", distance_km=0.665, score=0.9,
        quantity_t=2300.0, co2e_avoided_t=b.co2e_avoided_t, eur_saved=b.eur_saved,
        explanation={"co2e_low_t": b.co2e_low_t, "co2e_high_t": b.co2e_high_t, "fuel_use": True,
                     "fuel_receiver": "35.30"})
    with translation.override("en"):
        calc = calculation(synergy, hidden=False)
    shown = [float(row["value"].replace(",", "")) for row in calc["co2e"]]
    total = float(calc["co2e_total"].split(" t")[0].replace(",", ""))
    assert len(shown) >= 3
    assert meaningful(sum(shown), b.co2e_low_t, b.co2e_high_t) == total, (shown, calc["co2e_total"])


def test_a_landfilled_offer_without_a_cited_substitute_says_why_its_co2e_is_not_computed(world, as_persona):
    """About 1,500 demo suggestions (green waste, tyres, oily water… assumed landfilled) read « Émissions
    évitées par an : inconnu »: the landfill factor exists, what is missing is the production footprint of
    what the material would replace at the receiver. The page says so in words, in both languages."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow

    a, b = world.sites["A"], world.sites["B"]
    green = make_flow(b, "Déchets verts", quantity=4400, unit="t", material_class="green_waste")
    balance = exchange_breakdown("green_waste", 4400.0, "t", 3.0, baseline_route="landfill")
    assert balance.co2e_avoided_t is None and balance.reasons["co2e_avoided_t"].code == "impact.no-recipe"
    syn = Synergy.objects.create(offer=green, need_site=a, inferred=True, material_class="green_waste",
                                 distance_km=3.0, score=0.6, quantity_t=4400.0, tonnes_diverted=4400.0,
                                 explanation={"current_route": "landfill", "current_route_assumed": True})
    client = as_persona("facilitator_t")
    html = client.get(f"/synergies/{syn.pk}/").content.decode()
    why = html[html.index('id="co2e-why"'):].split("</p>", 1)[0]
    assert "empreinte de production de ce que « Déchets verts » remplacerait chez le receveur" in why
    assert "DESNZ 2025" in why and "Émissions évitées par an : non chiffrées" in html
    assert "inconnu" not in html.split('id="co2e-why"')[0].split("Détail de l")[1]
    english = client.get(f"/synergies/{syn.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    why = english[english.index('id="co2e-why"'):].split("</p>", 1)[0]
    assert "production footprint of what" in why and "unknown" not in why


def test_the_cards_euros_say_they_are_a_net_gain(world, as_persona):
    """« Impact estimé : 1 200 t/an · 6 t CO₂e/an · 22 000 €/an »: tonnes and CO₂e say what they are by their unit,
    euros do not (a price? a cost?). The card says « gain net », as its detail does, exact or bracketed."""
    from django.urls import reverse

    syn = world.synergies["ab"]  # 400 000 € a year
    for persona, figure in (("facilitator_t", "400 000 €/an"), ("member_b", "100 k€ à 1 M€/an")):
        page = as_persona(persona).get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        text = page.content.decode().replace("\xa0", " ").replace("\u202f", " ")
        impact = text.split("Impact estimé", 1)[1].split("</dd>", 1)[0]
        assert f"gain net {figure}" in impact, (persona, impact)


def test_the_avoided_production_term_names_what_the_exchange_replaces(db):
    """Steel slag's detail read « production de matière vierge évitée (ou chaleur d'une chaudière au gaz) »: a
    facilitator wondered what a gas boiler had to do with slag. The term names virgin material for a material and
    the gas boiler's heat for heat."""
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    def first_label(material_class, kind, unit, temperature_c=None):
        site = make_site(f"Site {material_class}", naf="38.11Z")
        flow = make_flow(site, "Flux", kind=kind, quantity=1200, unit=unit, material_class=material_class,
                         **({} if unit == "t" else {"quantity_base": 1200, "base_unit": unit}),
                         temperature_c=temperature_c)
        receiver = make_site(f"Receveur {material_class}", lat=50.64, naf="35.30Z")
        synergy = Synergy.objects.create(offer=flow, need_site=receiver, inferred=True, material_class=material_class,
                                         distance_km=0.5, score=0.9, quantity_t=1200.0)
        with translation.override("fr"):
            return calculation(synergy, hidden=False)["co2e"][0]["label"]

    assert first_label("steel_slag", "material", "t") == "production de matière vierge évitée"
    assert first_label("waste_heat_medium", "energy", "MWh", 150) == "chaleur d'une chaudière au gaz évitée"


def test_a_pipe_between_two_sites_at_one_place_reads_as_on_the_card(db):
    """A reader saw « 0 km × 58 000 €/km » in the detail of a heat synergy whose card said « < 0,1 km »: the
    calculation writes the distance as the card does."""
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    site = make_site("Fonderie", naf="24.51Z")
    heat = make_flow(site, "Chaleur fatale des fours", kind="energy", quantity=1200, unit="MWh",
                     material_class="waste_heat_medium", quantity_base=1200, base_unit="MWh", temperature_c=150)
    receiver = make_site("Serre voisine", naf="01.13Z")
    synergy = Synergy.objects.create(offer=heat, need_site=receiver, inferred=True, material_class="waste_heat_medium",
                                     distance_km=0.0, score=0.9, quantity_t=1200.0)
    for lang, shown in (("fr", "< 0,1 km ×"), ("en", "< 0.1 km ×")):
        with translation.override(lang):
            rows = calculation(synergy, hidden=False)["eur"]
        pipe = [r["how"] for r in rows if "km ×" in r["how"]]
        assert pipe and all(how.startswith(shown) for how in pipe), pipe


def test_heat_lost_in_the_pipe_is_said_between_the_cards_offer_and_the_rows_delivered_heat(db):
    """A reader saw 11 000 MWh/an on the card and 10 400 MWh in the boiler row with nothing in between: the
    detail says how much heat reaches the receiver and how much the pipe loses, and the two add up."""
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site
    from boucle.web.synergy_figures import calculation

    site = make_site("Sécherie", naf="13.30Z")
    heat = make_flow(site, "Chaleur fatale des sécheurs", kind="energy", quantity=11000, unit="MWh",
                     material_class="waste_heat_low", quantity_base=11000, base_unit="MWh", temperature_c=70)
    receiver = make_site("Réseau de chaleur", naf="35.30Z")
    synergy = Synergy.objects.create(offer=heat, need_site=receiver, inferred=True, material_class="waste_heat_low",
                                     distance_km=2.5, score=0.7, quantity_t=11000.0,
                                     explanation={"need_temperature_c": 60})
    with translation.override("fr"):
        text = calculation(synergy, hidden=False)["heat_delivered"]
    numbers = [float(n.replace("\u202f", "").replace(",", ".")) for n in re.findall(r"[\d\u202f,]+(?= MWh)", text)]
    delivered, offered, lost = numbers
    assert offered == 11000 and 0 < lost < offered and abs(delivered + lost - offered) <= 0.01 * offered, text
    assert "2,5 km" in text
    with translation.override("en"):
        assert calculation(synergy, hidden=False)["heat_delivered"].startswith("Heat delivered:")
