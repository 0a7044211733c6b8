"""Critical raw materials flowing in a territory: tonnes by material, the disclosure rule on the
public side, the facilitator's section and the export."""

import csv
import io

import pytest

from boucle.observatory.critical import crm_figures

NMC = {"battery_li_ion_nmc": ["lithium", "cobalt"], "copper_scrap": ["copper"]}


def test_a_flow_counts_whole_under_each_material_it_carries_and_public_figures_are_disclosed():
    rows = [("a", "offer", "battery_li_ion_nmc", 10.0), ("b", "offer", "battery_li_ion_nmc", 12.0),
            ("c", "offer", "battery_li_ion_nmc", 9.0), ("a", "need", "copper_scrap", 50.0), ("z", "offer", "fly_ash", 1e6)]
    raw = crm_figures(rows, NMC, public=False)
    assert raw["lithium"]["offers_t"] == raw["cobalt"]["offers_t"] == 31.0 and raw["lithium"]["companies"] == 3
    assert raw["copper"] == {"offers_t": 0.0, "needs_t": 50.0, "companies": 1, "classes": ["copper_scrap"]}
    public = crm_figures(rows, NMC, public=True)
    assert public["lithium"]["offers_t"] == 31.0  # three companies, none above 85 %
    assert public["copper"]["needs_t"] is None      # one company: held back
    assert public["copper"]["offers_t"] == 0.0      # nothing declared is a true zero
    assert public["copper"]["companies"] is None and public["copper"]["classes"] == []  # nor who declares what
    assert public["lithium"]["companies"] == 3
    dominated = crm_figures(rows + [("d", "offer", "battery_li_ion_nmc", 1000.0)], NMC, public=True)
    assert dominated["lithium"]["offers_t"] is None


@pytest.fixture
def crm_world(obs_world):
    from boucle.testing import make_flow

    s = obs_world.sites
    for site, t in (("lille_a", 40), ("lille_b", 30), ("vda", 35)):
        make_flow(s[site], "Batteries NMC", quantity=t, unit="t", material_class="battery_li_ion_nmc")
    make_flow(s["arras"], "Aimants NdFeB", quantity=2, unit="t", material_class="ndfeb_magnets")
    return obs_world


def test_facilitator_section_marks_what_would_be_held_back(crm_world, client):
    client.force_login(crm_world.users["fac_region"])
    page = client.get("/observatoire/territoire/region/32/").content.decode()
    section = page[page.index('id="obs-critical"'):page.index('id="obs-funnel"')]
    assert "<strong>Lithium</strong>" in section and "105" in section
    assert "Terres rares pour aimants" in section and "secret statistique" in section  # one company in Arras
    # the mark says what it is in words: a bare « s » after « < 0,1 » read as seconds
    assert "non publiable</span>" in section and ">s</abbr>" not in section


def test_public_page_and_export_apply_the_disclosure_rule(crm_world, client):
    page = client.get("/observatoire/").content.decode()
    table = page[page.index('id="obs-public-critical"'):]
    assert "Lithium" in table and "105" in table and "Terres rares pour aimants" in table
    assert "2,0" not in table and ">2<" not in table  # the single magnet declarant stays hidden
    client.force_login(crm_world.users["fac_region"])
    body = client.get("/observatoire/territoire/region/32/export/critical.csv", {"public": "1", "cles": "1"}).content.decode()
    rows = {r["crm"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows["lithium"]["offers_t"] == "105.0" and rows["ree_magnets"]["offers_t"] == ""
    assert rows["ree_magnets"]["classes"] == "" and rows["ree_magnets"]["companies"] == ""
    assert client.get("/observatoire/territoire/region/32/export/critical.geojson").status_code in (400, 403)


def test_other_facilitators_and_anonymous_do_not_get_the_territory_figures(crm_world, client):
    assert client.get("/observatoire/territoire/region/32/export/critical.csv").status_code == 302
    client.force_login(crm_world.users["fac_arras"])
    assert client.get("/observatoire/territoire/region/32/").status_code == 403
