"""Who receives a neighbour's surplus steam (issue 11, steam round): a site that uses steam itself
(paper drying, evaporation in a dairy, reactors and distillation in chemicals) is offered it before
a site whose heat use is hot water below 100 °C (plating baths, washing), where steam would be an
energy carrier spent below its grade (EU BREF ENE 2009: heat supplied at the lowest temperature that
serves the use; ``pipeline.HEAT_CASCADE``)."""

from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park


def _ranked(sites, offerer, label):
    flows = [FlowIn("o1", offerer, "offer", label=label)]
    got = sorted(propose(park(sites, lat=45.0, lon=5.0, step=0.001), flows), key=lambda p: -p.score)
    return [p.need_site_id for p in got]


def test_a_refinerys_surplus_steam_goes_to_the_paper_mill_and_the_dairy_before_the_plating_shop():
    sites = [("refinery", "19.20", "Oil refinery"), ("plating", "25.61", "Electroplating and anodising"),
             ("paper", "17.12", "Paper mill"), ("dairy", "10.51", "Dairy"),
             ("warehouse", "52.10", "Warehousing and storage")]
    ranked = _ranked(sites, "refinery", "Surplus steam")
    assert set(ranked[:2]) == {"paper", "dairy"}
    assert "warehouse" not in ranked  # a warehouse uses no process heat


def test_surplus_steam_goes_to_steam_users_before_a_greenhouse_and_a_plating_shop():
    # steam users: ammonia and nitric acid plants (EU BREF LVIC-AAF 2007), tyre vulcanisation (NACE 22.11),
    # Bayer digestion in an alumina refinery (EU BREF NFM 2017); hot water below 100 °C: greenhouse heating
    # pipes, plating baths at 40-90 °C (EU BREF STM 2006)
    sites = [("acid", "20.13", "Sulphuric acid plant"), ("greenhouse", "01.13", "Tomato greenhouses"),
             ("plating", "25.61", "Electroplating and anodising"), ("fertiliser", "20.15", "Fertiliser plant"),
             ("tyres", "22.11", "Tyre plant"), ("alumina", "24.42", "Alumina refinery")]
    ranked = _ranked(sites, "acid", "Surplus steam")
    assert set(ranked[:3]) == {"fertiliser", "tyres", "alumina"}
    flows = [FlowIn("o1", "acid", "offer", label="Surplus steam")]
    every = propose(park(sites, lat=45.0, lon=5.0, step=0.001), flows, threshold=0.0)
    best = {}
    for p in every:
        best[p.need_site_id] = max(best.get(p.need_site_id, 0.0), p.plausibility)
    assert set(sorted(best, key=lambda s: -best[s])[:3]) == {"fertiliser", "tyres", "alumina"}


def test_hot_water_still_goes_to_the_plating_shop():
    # the same plating baths (40-90 °C, EU BREF STM 2006) take warm water from a neighbour
    sites = [("laundry", "96.01", "Industrial laundry"), ("plating", "25.61", "Electroplating and anodising"),
             ("warehouse", "52.10", "Warehousing and storage")]
    ranked = _ranked(sites, "laundry", "Hot water")
    assert "plating" in ranked and "warehouse" not in ranked
