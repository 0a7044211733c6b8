"""What a first-time reader stumbled on while walking the demo as a facilitator, a company and a citizen."""

from django.utils import translation


def _heat_synergy():
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site

    laundry = make_site("Blanchisserie", naf="38.11Z")
    heat = make_flow(laundry, "Eaux chaudes de lavage", kind="energy", quantity=500, unit="MWh",
                     material_class="waste_heat_low", quantity_base=500, base_unit="MWh", temperature_c=60)
    offices = make_site("Bureaux", lat=50.64, naf="35.30Z")
    need = make_flow(offices, "Chaleur basse température", direction="need", kind="energy", quantity=620,
                     unit="MWh", material_class="waste_heat_low", quantity_base=620, base_unit="MWh")
    return Synergy.objects.create(offer=heat, need=need, need_site=offices, material_class="waste_heat_low",
                                  distance_km=1.5, score=0.6, quantity_t=500.0)


def test_the_heat_network_cost_reads_per_year_in_the_readers_language(db):
    """A French synergy page read « 1,5 km × 58 000 €/km/yr »: the engine's unit, in English."""
    from boucle.web.synergy_figures import calculation

    synergy = _heat_synergy()
    for lang, per_year, other in (("fr", "€/km/an", "/yr"), ("en", "€/km/yr", "/an")):
        with translation.override(lang):
            rows = calculation(synergy, hidden=False)["eur"]
        network = [r["how"] for r in rows if "km ×" in r["how"]]
        assert network and per_year in network[0] and other not in network[0], (lang, [r["how"] for r in rows])
