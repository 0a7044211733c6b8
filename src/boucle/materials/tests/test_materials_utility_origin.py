"""A utility named with where it comes from (« Chaleur de l'incinération ») is recognised (issue 11).

The flow page says « matière non reconnue » below a confidence of 0.5 (matching.pipeline.RECOGNISED_CONFIDENCE): the
demo's heat from incineration and from dye baths, and its surplus condensate, were read as heat and water at
0.40-0.48 because the words of their origin belong to material classes.
"""
from boucle.flows.importers import classify_many
from boucle.matching.pipeline import RECOGNISED_CONFIDENCE, FlowIn, SiteIn, why_no_proposal
from boucle.materials.classify import classify_label


def test_heat_named_with_its_origin_is_recognised_as_heat():
    for label in ("Chaleur de l'incinération", "Chaleur des bains de teinture"):
        key, conf = classify_many([(label, None)], kinds=["energy"])[0]
        assert key.startswith("waste_heat_") and conf >= RECOGNISED_CONFIDENCE, (label, key, conf)
        flow = FlowIn("f", "s", "offer", label=label, kind="energy")
        assert "unknown_material" not in why_no_proposal(flow, SiteIn("s", 50.0, 3.0, "38.21Z", None))


def test_condensate_water_is_boiler_feed_water():
    key, conf = classify_many([("Eaux de condensation excédentaires", None)], kinds=["water"])[0]
    assert key == "water_demineralised" and conf >= RECOGNISED_CONFIDENCE


def test_only_the_confidence_moves_never_the_class():
    # a material named with its origin keeps its reading; a form word is no fuel (« granulés de PEHD »)
    assert classify_label("Boues de peinture")[0].key == "paint_ink_adhesive_waste"
    matches = classify_label("granulés de PEHD")
    assert matches[0].key == "hdpe"
    assert "wood_pellets" not in [m.key for m in matches if m.confidence >= RECOGNISED_CONFIDENCE]
