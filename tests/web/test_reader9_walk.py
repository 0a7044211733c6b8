"""What a fresh reader (session 18, reader9) found walking the demo as a facilitator, a company and a citizen."""

import re

import pytest
from django.utils import translation

from boucle.matching import lifecycle
from boucle.web.present import STATUS_LABELS


def test_the_final_status_has_one_english_name():
    """The menu offered « declined » and the note under it said « “Abandoned” and “stopped” are final »: one
    status, two words. The company's own « not interested » stays « declined to be put in touch »."""
    with translation.override("en"):
        declined = str(STATUS_LABELS[lifecycle.DECLINED])
        note = translation.gettext("« Abandonnée » et « arrêtée » sont définitifs : une confirmation vous sera "
                                   "demandée.")
        stopped = str(STATUS_LABELS[lifecycle.STOPPED])
    assert declined.capitalize() in note and stopped in note, (declined, note)


@pytest.mark.django_db
def test_the_facilitator_menu_and_note_agree_in_english(world, as_persona):
    page = as_persona("facilitator_t").get(f"/synergies/{world.synergies['ab'].pk}/",
                                           HTTP_ACCEPT_LANGUAGE="en").content.decode()
    options = re.findall(r'<option value="declined"[^>]*>([^<]+)</option>', page)
    assert options == ["abandoned"] and "“Abandoned” and “stopped” are final" in page


def test_the_demo_summary_names_what_it_imported_in_french_and_the_sites_without_a_code(monkeypatch):
    """`boucle demo` printed « flows : 4340 créés » and « ?? : 347 / 0 » to a French reader."""
    from boucle.web.commands import IMPORTED_WORDS, division_lines

    monkeypatch.setenv("BOUCLE_LANG", "fr")  # the command line's language, whatever the machine's LANG
    with translation.override("fr"):  # the CLI activates its language: give the next test back its own
        lines = division_lines([("20.14Z", "offer", 3), (None, "offer", 2), ("08.11Z", "need", 1),
                                ("20.59Z", "need", 4)])
        assert [str(line) for line in lines] == ["08 : 0 / 1", "20 : 3 / 4", "sans code NAF : 2 / 0"]
        assert str(IMPORTED_WORDS["flows"]) == "flux"
        monkeypatch.setenv("BOUCLE_LANG", "en")
        assert str(division_lines([(None, "need", 1)])[0]) == "no NAF code: 0 / 1"
        assert str(IMPORTED_WORDS["flows"]) == "flows"


@pytest.mark.django_db
def test_the_company_template_offers_the_material_column_and_its_example_imports(tmp_path):
    """The company's template and help had no ``material_class`` column: the list the form offers (« Matière »)
    could not be given in a file, though the import format and the facilitator's page name it."""
    from boucle.flows.import_template import COLUMNS, HEADER
    from boucle.flows.importers import import_flows
    from boucle.flows.models import Flow
    from boucle.testing import make_site

    assert "material_class" in HEADER
    example = {c[0]: c[3] for c in COLUMNS}
    make_site("Scierie", external_id="EXT-1")
    path = tmp_path / "flux.csv"
    path.write_text("site_id;direction;label;material_class\nEXT-1;offre;Chutes de bois;"
                    f"{example['material_class']}\n", encoding="utf-8")
    report = import_flows(path)
    assert report.ok, report.rejected
    assert Flow.objects.get(label="Chutes de bois").material_class == "wood_pallets"


@pytest.mark.django_db
def test_a_facilitator_on_the_company_space_is_sent_to_the_facilitation_dashboard(world, as_persona):
    """The facilitator reached « Mon espace entreprise » and read « demandez une invitation à l'administrateur de
    votre entreprise », under links to declare and import flows that could only fail."""
    page = as_persona("facilitator_t").get("/espace/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'class="facilitator-here"' in page and 'href="/animation/"' in page.split('class="facilitator-here"')[1]
    assert "Demandez une invitation" not in page and 'href="/espace/flux/nouveau/"' not in page
    member = as_persona("member_a").get("/espace/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'href="/espace/flux/nouveau/"' in member and "facilitator-here" not in member


@pytest.mark.django_db
def test_the_match_table_prints_the_co2e_the_synergy_pages_show(world):
    """`boucle match` printed « 2 180 » and « 5 508 » t CO2e where the list and the card said « 2 200 » and
    « 6 000 »: the table now rounds through the card's own function."""
    from boucle.matching.commands import co2e_shown
    from boucle.web.present import co2e_text

    synergy = world.synergies["ab"]
    for value, low, high in ((2179.637, 1700.0, 2700.0), (5508.2, 3000.0, 9000.0), (7.74, None, None)):
        synergy.co2e_avoided_t, synergy.explanation = value, {"co2e_low_t": low, "co2e_high_t": high}
        with translation.override("fr"):
            assert co2e_shown(value, synergy.explanation) == co2e_text(synergy, with_range=False)
    with translation.override("fr"):
        assert co2e_shown(2179.637, {"co2e_low_t": 1700.0, "co2e_high_t": 2700.0}) == "2\u202f200"


@pytest.mark.django_db
def test_the_match_table_reads_two_sites_at_one_place_as_the_pages_do():
    """« 0,0 » km in the terminal, « < 0,1 km » on the pages."""
    import io
    from types import SimpleNamespace

    from boucle.matching.commands import _write

    explanation = {"offer_class": "fly_ash", "offer_class_confidence": 1.0, "need_class": "fly_ash",
                   "need_confidence": 1.0, "declared_need": True, "co2e_low_t": 1700.0, "co2e_high_t": 2700.0}
    p = SimpleNamespace(co2e_avoided_t_per_year=2179.637, need_label="Cendres", material_class="fly_ash",
                        offer_site_id="S1", offer_label="Cendres volantes", need_site_id="S2", score=0.69,
                        distance_km=0.01, explanation=explanation, quantity=4000.0, unit="t")
    out = io.StringIO()
    with translation.override("fr"):
        _write(out, "table", [p])
    row = out.getvalue().splitlines()[1]
    assert "< 0,1" in row and "0,0" not in row and "2\u202f200" in row, row


@pytest.mark.django_db
def test_a_company_with_one_site_finds_it_chosen_when_it_declares_a_flow(world, as_persona):
    """Its one site was chosen, but the list still offered « --------- » above it, a choice that could only be
    refused."""
    page = as_persona("member_a").get("/espace/flux/nouveau/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    select = page.split('name="site"')[1].split("</select>")[0]
    assert "---------" not in select
    assert f'value="{world.sites["A"].pk}" selected' in select


@pytest.mark.parametrize("french, english", [
    ("direction: valeur obligatoire (offre ou besoin)", "direction: value required (offer or need)"),
    ("unit: MWh ne convient pas à un flux de type « eau » ; unités possibles : t, kg, m3, L",
     "unit: MWh does not suit a flow of kind “water”; possible units: t, kg, m3, L"),
    ("site_id: le site irep:9 n'est pas l'un de vos sites", "site_id: site irep:9 is not one of your sites"),
])
def test_an_import_job_read_in_english_translates_the_words_inside_a_reason(french, english):
    """An import runs in French and its reasons are stored so; read in English they said « value required
    (offre ou besoin) » and « kind “eau” »."""
    from boucle.jobs.messages import render

    with translation.override("en"):
        assert render(french) == english


@pytest.mark.django_db
def test_the_home_page_lists_the_intercommunalities_in_the_observatory_order(world, client):
    """The home page put « CA Coeur d'Ostrevent » before « CA Coeur de Flandre » and « CA Grand Calais » before
    « CA d'Hénin-Carvin » (byte order); the observatory lists them in dictionary order."""
    from boucle.territories.models import Epci

    lille, metz = world.sites["A"].commune.epci, world.sites["C"].commune.epci
    Epci.objects.filter(pk=lille.pk).update(name="CA Coeur d'Ostrevent")
    Epci.objects.filter(pk=metz.pk).update(name="CA Coeur de Flandre")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace("&#x27;", "'")
    assert page.index("CA Coeur de Flandre") < page.index("CA Coeur d'Ostrevent")


def test_an_anonymised_equipment_row_does_not_repeat_its_category():
    """An anonymised offer's row read « usinage | usinage »: its name hidden, the category stood in for it."""
    from django.template.loader import render_to_string

    card = {"pk": 7, "level": "anonymised", "category": "usinage", "area": "Aisne (02)", "distance": "5–20 km",
            "price": None, "conditions": ""}
    with translation.override("fr"):
        row = render_to_string("sharing/_card.html", {"card": card})
    assert row.count("usinage") == 1 and "Équipement anonyme" in row
