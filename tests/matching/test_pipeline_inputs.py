"""What the matching reads of a territory: the flows of its open, located sites and only those, each under
its own site's identifier, whether it reads every flow in order (most of the platform's sites) or those of
a few sites by the index (a company's page)."""

import pytest

from boucle.flows.models import Site
from boucle.matching.pipeline import FlowIn
from boucle.matching import service_run
from boucle.matching.service_run import pipeline_inputs, territory_sites
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def park():
    steel = make_site("Aciérie", lat=50.63, lon=3.06, naf="24.10Z", external_id="STEEL")
    foundry = make_site("Fonderie", lat=50.62, lon=3.05, naf="24.51Z", external_id="FOUNDRY")
    closed = make_site("Papeterie fermée", lat=50.64, lon=3.07, naf="17.12Z", external_id="CLOSED")
    Site.objects.filter(pk=closed.pk).update(closed=True)
    unlocated = make_site("Sans adresse", lat=None, lon=None, external_id="NOWHERE")
    flows = {"scrap": make_flow(steel, "ferraille", quantity=120, unit="t"),
             "sand": make_flow(foundry, "sable de fonderie", quantity=40, unit="t"),
             "need": make_flow(foundry, "ferraille", direction="need"),
             "closed": make_flow(closed, "boues de papeterie"),
             "unlocated": make_flow(unlocated, "carton")}
    return flows


def read(sites):
    _sites, flows = pipeline_inputs(sites)
    return {f.flow_id: f for f in flows}


def test_every_site_read_in_one_pass_keeps_the_open_located_ones(park, monkeypatch):
    monkeypatch.setattr(service_run, "FULL_SCAN_MIN_SITES", 0)  # as for a region's thousands of sites
    flows = read(territory_sites(None))  # 2 of 4 sites: every flow is read, the others' left out
    assert set(flows) == {str(park[k].pk) for k in ("scrap", "sand", "need")}
    scrap = flows[str(park["scrap"].pk)]
    assert scrap == FlowIn(flow_id=str(park["scrap"].pk), site_id="STEEL", direction="offer", label="ferraille",
                           kind="material", quantity_t=120.0, unit="t")
    assert flows[str(park["need"].pk)].site_id == "FOUNDRY"


def test_a_few_sites_are_read_by_their_flows_alone(park, monkeypatch):
    monkeypatch.setattr(service_run, "FULL_SCAN_MIN_SITES", 0)  # by their share of the platform's sites
    for n in range(8):  # one site among a dozen: its flows by the index
        make_site(f"Voisin {n}", external_id=f"N{n}")
    flows = read(Site.objects.filter(site_id="FOUNDRY"))
    assert set(flows) == {str(park["sand"].pk), str(park["need"].pk)}
    assert {f.site_id for f in flows.values()} == {"FOUNDRY"}
