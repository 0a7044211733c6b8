"""One estimate, one reading: a synergy's CO2e and euros read the same on its card, in the facilitator's
list, in the impact tables that total it, and in the observatory's export -- not « 1 800 t CO₂e » on the
card and « 1 770,6 » in the total beside it."""

import csv
import io

from django.urls import reverse

from boucle.matching import services
from web_personas import EPCI_T

CO2E, LOW, HIGH, EUR, TONNES = 1770.5975, 1373.54, 2167.65, 608101.4, 2.46


def _engaged(world):
    syn = world.synergies["ab"]
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    services.transition(syn, "contacted", world.users["facilitator_t"])
    syn.refresh_from_db()
    syn.co2e_avoided_t, syn.eur_saved, syn.tonnes_diverted, syn.quantity_t = CO2E, EUR, TONNES, TONNES
    syn.explanation = {**(syn.explanation or {}), "co2e_low_t": LOW, "co2e_high_t": HIGH}
    syn.save()
    return syn


def _text(response):
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def test_card_list_totals_and_export_agree(world, as_persona):
    syn = _engaged(world)
    fac = as_persona("facilitator_t")
    card = _text(fac.get(reverse("synergy-detail", args=[syn.pk])))
    impact = card.split("Impact estimé", 1)[1].split("</dd>", 1)[0]
    assert "1 800 t CO₂e/an (1 400 – 2 200)" in impact and "610 000 €/an" in impact and "2,5 t/an" in impact
    listing = _text(fac.get(reverse("facilitator-synergies")))
    assert "1 800" in listing and "2,5 t" in listing and "1 770" not in listing
    figures = _text(fac.get(reverse("facilitator-figures")))
    engaged = figures.split("Estimé (synergies engagées : contact pris et au-delà)", 1)[1].split("</tr>", 1)[0]
    assert "1 800" in engaged and "610 000" in engaged, engaged
    assert "1 770" not in engaged and "608 101" not in engaged
    company = _text(as_persona("member_a").get(reverse("company-impact")))
    engaged = company.split("Estimé (synergies engagées : contact pris et au-delà)", 1)[1].split("</tr>", 1)[0]
    assert "1 800" in engaged and "610 000" in engaged, engaged
    fac = as_persona("facilitator_t")  # one test client: log the facilitator back in
    export = fac.get(reverse("observatory:territory-export", args=["epci", EPCI_T, "synergies", "csv"]))
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0] else ","))
    header, line = rows[0], next(r for r in rows[1:] if str(syn.pk) in r)
    cells = dict(zip(header, line))
    assert "1800" in cells.values() and "610000" in cells.values(), cells
    assert not any(v.startswith("1770") or v.startswith("608101") for v in cells.values())


def test_a_small_tonnage_keeps_its_decimal_everywhere(world, as_persona):
    syn = _engaged(world)
    fac = as_persona("facilitator_t")
    for url in (reverse("synergy-detail", args=[syn.pk]), reverse("facilitator-synergies")):
        page = _text(fac.get(url))
        assert "2,5 t" in page and "2 t/an" not in page, url


def test_in_english_the_card_and_the_total_agree_too(world, as_persona):
    syn = _engaged(world)
    fac = as_persona("facilitator_t")
    fac.cookies["django_language"] = "en"
    card = _text(fac.get(reverse("synergy-detail", args=[syn.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    figures = _text(fac.get(reverse("facilitator-figures"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "1,800 t CO₂e" in card
    engaged = figures.split("Estimated (synergies under way: contact made and beyond)", 1)[1].split("</tr>", 1)[0]
    assert "1,800" in engaged and "1,770" not in engaged


def test_two_sites_at_one_address_are_less_than_100_m_apart_not_0_km(world, as_persona):
    syn = world.synergies["ab"]
    syn.distance_km = 0.02
    syn.save()
    fac = as_persona("facilitator_t")
    for url in (reverse("synergy-detail", args=[syn.pk]), reverse("facilitator-synergies")):
        page = _text(fac.get(url))
        assert "< 0,1 km" in page.replace("&lt;", "<") and "0,0 km" not in page, url


def test_the_impact_tables_euro_bracket_reads_as_the_cards(world, as_persona):
    """A company read « gain net 100 k€ à 1 M€/an » on its card and « 100 000 à 1 000 000 » for the same
    hidden synergy in its impact table: one bracket, in the cards' words."""
    page = _text(as_persona("member_b").get(reverse("company-impact")))
    row = page.split("Estimé (synergies engagées : contact pris et au-delà)", 1)[0].split("impact-potential", 1)[1].split("</tr>", 1)[0]
    assert "100 k€ à 1 M€" in row and "1 000 000" not in row, row
