"""Who sees the facilitator view of a territory, and that every part of it answers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
MEL = "200093201"


@pytest.mark.parametrize("persona, level, code, status", [
    ("fac_mel", "epci", MEL, 200),
    ("fac_mel", "commune", "59350", 200),  # inside the MEL
    ("fac_mel", "region", "32", 403),  # wider than what they facilitate
    ("fac_arras", "epci", MEL, 403),
    ("fac_region", "departement", "59", 200),
    ("company", "epci", MEL, 403),
    ("anonymous", "epci", MEL, 302),
])
def test_observatory_territory_view_access(obs_world, client, persona, level, code, status):
    if persona != "anonymous":
        client.force_login(obs_world.users[persona])
    response = client.get(reverse("observatory:territory", args=[level, code]))
    assert response.status_code == status


def test_observatory_territory_view_parts(obs_world, client):
    client.force_login(obs_world.users["fac_region"])
    args = ["epci", MEL]
    page = client.get(reverse("observatory:territory", args=args)).content.decode()
    assert "<svg" in page and 'id="obs-sankey"' in page and 'id="obs-map"' in page
    toile = client.get(reverse("observatory:territory-sankey", args=args)).json()
    assert {n["id"] for n in toile["nodes"]} >= {"p:24", "m:foundry_sand", "r:23", "p:35", "m:fly_ash"}
    listing = client.get(reverse("observatory:territory-list", args=args) + "?noeud=m:foundry_sand").content.decode()
    assert "Fonderie Lille A" in listing and "Centrale VdA" not in listing
    # a producing activity's block (« p:24 ») and a receiving one's (« r:23 ») answered a 500: NAF codes by prefix
    for node, shown in (("p:24", "Fonderie Lille A"), ("p:35", "Centrale VdA")):
        listing = client.get(reverse("observatory:territory-list", args=args) + f"?noeud={node}")
        assert listing.status_code == 200 and shown in listing.content.decode(), node
    assert client.get(reverse("observatory:territory-list", args=args) + "?noeud=r:23").status_code == 200
    carte = client.get(reverse("observatory:territory-map", args=args)).json()
    assert len(carte["features"]) > 50  # every commune of the MEL
    lines = client.get(reverse("observatory:territory-lines", args=args)).json()
    assert len(lines["features"]) == 1  # the running sand synergy
    for what, fmt in (("indicators", "xlsx"), ("flows", "csv"), ("synergies", "geojson")):
        assert client.get(reverse("observatory:territory-export", args=[*args, what, fmt])).status_code == 200
    refused = client.get(reverse("observatory:territory-export", args=[*args, "flows", "csv"]) + "?public=1")
    assert refused.status_code == 400


def test_observatory_public_page_renders_for_anyone(obs_world, client):
    assert client.get(reverse("observatory:public")).status_code == 200


def test_funnel_tells_steps_reached_from_current_statuses(obs_world, client):
    """The bars count the synergies that reached each step, the line under them today's statuses: both
    are labelled, or « suggérée 4 » above « suggérée : 1 » reads as a contradiction."""
    import re

    client.force_login(obs_world.users["fac_region"])
    page = client.get(reverse("observatory:territory", args=["epci", MEL])).content.decode()
    section = page.split('id="obs-funnel"')[1].split("</section>")[0]
    assert "ayant atteint chaque étape" in section
    assert re.search(r"Statut actuel : suggérée : \d", section)


def test_public_estimates_say_they_count_running_synergies_only(obs_world, client):
    """The public table read « CO2e évité, estimé : 0 » for every EPCI while the facilitator's potential
    read 542 424 t CO₂e: the column counts the running synergies only, and now says so."""
    page = client.get(reverse("observatory:public"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "CO₂e évité, estimé, synergies en fonctionnement (t/an)" in page
    assert "CO2e" not in page


def test_the_public_table_reads_an_estimate_as_the_cards_do(obs_world, client, monkeypatch):
    """An EPCI's estimated CO₂e (running synergies) reads « 1 800 » as a synergy's card would, not « 1 771 »;
    the counts and the verified (measured) figure stay as they are."""
    from boucle.observatory import views

    row = {"code": MEL, "name": "Métropole Test", "companies_declaring": 12, "offers_t": 1234.0, "needs_t": 567.0,
           "synergies_running": 3, "estimated_co2e_avoided_t": 1770.5975, "verified_co2e_avoided_t": 1234.0}
    monkeypatch.setattr(views, "public_epcis", lambda period=None: [row])
    page = client.get(reverse("observatory:public"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    cells = page.split("Métropole Test", 1)[1].split("</tr>", 1)[0].replace("\u202f", " ").replace("\xa0", " ")
    assert ">1 800</td>" in cells and "1 771" not in cells and ">1 234</td>" in cells, cells


def test_the_public_table_lists_epcis_in_dictionary_order(obs_world, client, monkeypatch):
    """Sorted by code point, « CA de Béthune » came after « CA Valenciennes » and « CC Pévèle » after « CC Ponthieu »."""
    from boucle.observatory import queries, views

    names = ["CA Valenciennes Métropole", "CA de Béthune-Bruay", "CC Ponthieu-Marquenterre", "CC Pévèle-Carembault",
             "CA d'Hénin-Carvin"]
    codes = [f"29900000{i}" for i in range(len(names))]
    monkeypatch.setattr(queries, "epci_figures", lambda period=None: (codes, [{}] * len(codes)))
    monkeypatch.setattr(views.ind, "headline", lambda doc: {})
    monkeypatch.setattr(views.ind, "present", lambda figs, public: {})
    from boucle.territories.models import Epci

    Epci.objects.bulk_create([Epci(siren=c, name=n, kind="CA") for c, n in zip(codes, names)])
    assert [r["name"] for r in views.public_epcis()] == [
        "CA de Béthune-Bruay", "CA d'Hénin-Carvin", "CA Valenciennes Métropole", "CC Pévèle-Carembault",
        "CC Ponthieu-Marquenterre"]


def test_the_companies_of_a_material_read_as_a_number_on_the_page_and_the_report(obs_world, client, monkeypatch):
    """The demo region's « Autres déchets chimiques » row read « 1 326 » flows and « 1326 » companies, side by
    side: every count of the material tables is grouped like the other figures, on the page and in the report."""
    from boucle.observatory import queries

    real = queries.territory_indicators

    def many(ref, *args, **kwargs):
        doc = real(ref, *args, **kwargs)
        doc["flows"] = [{**row, "flows": 1326, "companies": 1326} for row in doc["flows"]]
        return doc

    monkeypatch.setattr(queries, "territory_indicators", many)
    client.force_login(obs_world.users["fac_region"])
    for name in ("observatory:territory", "observatory:territory-report"):
        page = client.get(reverse(name, args=["epci", MEL]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        page = page.replace("\u202f", " ").replace("\xa0", " ")
        assert "1 326" in page and ">1326<" not in page, name


def test_two_sites_at_one_place_read_less_than_a_tenth_of_a_km_in_the_report(obs_world, client):
    """The report's main synergies read « 0 » km for two sites at one address where the synergy list reads
    « < 0,1 km »: one rule for a distance too small to show."""
    from boucle.matching.models import Synergy

    Synergy.objects.filter(pk=obs_world.synergies["sand"].pk).update(distance_km=0.0)
    client.force_login(obs_world.users["fac_region"])
    page = client.get(reverse("observatory:territory-report", args=["epci", MEL]),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    row = page.split("Fonderie Lille A", 1)[1].split("</tr>", 1)[0]
    assert "&lt; 0,1" in row and '<td class="num">0</td>' not in row, row


def test_the_euros_say_they_are_an_order_of_magnitude_wherever_the_potential_is_shown(obs_world, client):
    """The facilitator's dashboard reads « Économies (€/an) 260 000 000 — ordre de grandeur : redevances et prix
    pour la plupart non sourcés » and links to « les mêmes chiffres dans l'observatoire », where the same figure
    stood bare, as in the printed report."""
    client.force_login(obs_world.users["fac_region"])
    for name in ("observatory:territory", "observatory:territory-report"):
        page = client.get(reverse(name, args=["epci", MEL]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        row = page.split("Économies (€/an)", 1)[1].split("</tr>", 1)[0]
        assert "ordre de grandeur : redevances et prix pour la plupart non sourcés" in row, name


def test_the_english_report_drawings_group_thousands_as_the_english_page_does(obs_world, client):
    """reader7: the English report read « 16,680 t/yr » in its tables and « 16 680 t/yr » (French spaces) in its
    map legend and tooltips, drawn on the server with a fixed format."""
    import re

    client.force_login(obs_world.users["fac_region"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("observatory:territory-report", args=["region", "32"])).content.decode()
    drawings = " ".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))
    assert "70,000" in drawings  # the slag of Dunkirk, 70 000 t: on the map's tooltips and the toile's bands
    assert not re.search(r"\d[\u202f\xa0]\d{3}\b", drawings)


def test_the_report_says_one_running_synergy_in_the_singular(obs_world, client):
    """reader7: the printed report read « 1 synergies en fonctionnement »."""
    from boucle.matching import lifecycle
    from boucle.matching.models import Synergy

    running = Synergy.objects.filter(status=lifecycle.RUNNING)
    Synergy.objects.filter(status=lifecycle.RUNNING).exclude(pk=running.first().pk).update(status=lifecycle.TRIAL)
    client.force_login(obs_world.users["fac_region"])
    page = client.get(reverse("observatory:territory-report", args=["region", "32"]),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    figure = page.split('id="key-figures"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "<b>1</b>synergie en fonctionnement</div>" in figure, figure
