"""The food use hierarchy (issue 11): a by-product of food making that is a feed material goes to feed
before it is digested, composted or burnt (Commission Notice 2018/C 133/02; Directive 2008/98/EC art. 4),
when a feed user is in reach; alone, the digester still receives it. Waste that may not be fed (catering
waste, Regulation (EC) No 1069/2009 art. 11) and manure keep the digester first. A yeast plant takes
molasses (EU BREF FDM 2019)."""

import csv
from functools import partial

import pytest
from boucle.matching.citations import document_names
from boucle.matching.knowledge.infer import DATA, infer_needs, input_rules, use_hierarchy
from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.matching.tests.parks import park

_park = partial(park, lat=45.0, lon=5.0)


def _ranked(sites, site_id, label):
    props = propose(_park(sites), [FlowIn("o1", site_id, "offer", label=label)])
    return [p.need_site_id for p in props]


PARK = [("brew", "11.05", "Brewery"), ("feed", "10.91", "Compound feed manufacturer"),
        ("ad", "35.21", "Anaerobic digestion plant")]


@pytest.mark.parametrize("site, label", [("brew", "Brewers' spent grain"), ("brew", "Spent yeast"),
                                         ("food", "Former foodstuffs"), ("food", "Whey")])
def test_a_feed_material_goes_to_the_feed_maker_before_the_digester(site, label):
    sites = PARK + [("food", "10.89", "Food processing")]
    ranked = _ranked(sites, site, label)
    assert ranked and ranked[0] == "feed"


def test_alone_the_digester_still_receives_a_feed_material():
    assert _ranked([PARK[0], PARK[2]], "brew", "Brewers' spent grain") == ["ad"]


@pytest.mark.parametrize("label", ["Pig slurry", "Canteen food waste"])
def test_manure_and_catering_waste_keep_the_digester_first(label):
    sites = [("farm", "01.46", "Pig farm"), ("cant", "56.29", "Canteen")] + PARK[1:]
    ranked = _ranked(sites, "farm" if "slurry" in label else "cant", label)
    assert ranked and ranked[0] == "ad"


def test_every_hierarchy_row_names_a_known_class_a_ruled_receiver_and_its_documents():
    classes = {r["key"] for r in csv.DictReader(open(DATA.parents[2] / "materials" / "data" / "classes.csv",
                                                     encoding="utf-8"))}
    ruled = {(r.class_key, r.naf_prefix[:len(p)]) for r in input_rules() for (_, p) in use_hierarchy()}
    for (key, prefix), (factor, source) in use_hierarchy().items():
        assert key in classes and (key, prefix) in ruled
        assert 0 < factor < 1
        # the card names the guidelines or the act as a reader names them, not as an author-year reference
        if key == "waste_oil":  # regeneration first (Directive 2008/98/EC art. 21)
            assert "directive 2008/98/CE" in document_names(source, "fr")
            continue
        if key == "animal_by_products":  # feed and pet food before a kiln or a power station burns them
            assert {"règlement (CE) 1069/2009", "directive 2008/98/CE"} <= set(document_names(source, "fr"))
            continue
        assert "communication de la Commission 2018/C 133/02" in document_names(source, "fr")
        assert "Commission Notice 2018/C 133/02" in document_names(source, "en")


def test_a_feed_use_outranks_digestion_for_every_class_of_the_hierarchy():
    for (key, _prefix) in use_hierarchy():
        if key in ("waste_oil", "animal_by_products"):  # rows that rank burning, not digestion:
            continue  # tests/matching/test_waste_hierarchy_classes.py, test_matching_expert_sixth.py
        feed = max(r.weight for r in input_rules() if r.class_key == key and r.naf_prefix.startswith(("10.91", "01.4")))
        lower = [r.weight for r in input_rules() if r.class_key == key and r.naf_prefix.startswith(("35.21", "38.21", "37"))]
        assert all(w < feed for w in lower), key


def test_a_yeast_plant_takes_molasses_and_a_soup_maker_does_not():
    yeast = {n.class_key: n.weight for n in infer_needs("10.89", "Baker's yeast production")}
    soup = {n.class_key for n in infer_needs("10.89", "Manufacture of soups")}
    assert yeast.get("molasses", 0) >= 0.8 and "molasses" not in soup


def test_slaughter_by_products_go_to_the_rendering_plant_and_whey_to_the_feed_mill():
    sites = [("abat", "10.11", "Slaughterhouse"), ("dairy", "10.51", "Dairy"), ("rend", "10", "Rendering plant"),
             ("feed", "10", "Animal feed manufacturing")]
    assert _ranked(sites, "abat", "Animal by-products")[:1] == ["rend"]
    assert "rend" not in _ranked(sites, "dairy", "Whey")


@pytest.mark.parametrize("name, activity", [
    ("Équarrissage Martin", "rendering plant"), ("Rendering Services Morton", "rendering plant"),
    ("Tierkörperverwertung Weber", "rendering plant"), ("Levurerie Martin", "yeast production"),
    ("Hefefabrik Weber", "yeast production"), ("Morton Yeast", "yeast production")])
def test_a_site_known_by_its_name_only_takes_what_its_sector_words_say(name, activity):
    """A rendering or yeast plant whose activity is only a sector word in its name is read with the same
    process scope as the words given as its activity (data/process_scopes.csv): a rendering plant is no
    compound-feed mill (no molasses, whey or bakery waste), a yeast plant takes molasses."""
    by_name = {n.class_key for n in infer_needs(None, None, name)}
    by_words = {n.class_key for n in infer_needs(None, activity)}
    assert by_name == by_words
    if activity == "rendering plant":
        assert "animal_by_products" in by_name and not {"molasses", "whey", "bakery_waste"} & by_name
    else:
        assert "molasses" in by_name


def test_a_name_without_sector_words_reads_nothing_and_the_words_of_an_activity_still_decide():
    assert infer_needs(None, None, "Martin et Fils") == []
    # (a rendering word is read anywhere in a site's words, as a permit is: word_conditions.csv, NACE 10.91)
    assert {n.class_key for n in infer_needs(None, "Compound feed manufacturer", "Cimenterie Martin")} == \
        {n.class_key for n in infer_needs(None, "Compound feed manufacturer")}


def test_slaughter_by_products_go_to_the_rendering_plant_known_by_its_name_only():
    sites = [SiteIn("abat", 45.0, 5.0, None, None, name="Abattoir des Collines"),
             SiteIn("dairy", 45.001, 5.0, None, None, name="Laiterie des Collines"),
             SiteIn("rend", 45.002, 5.0, None, None, name="Équarrissage des Collines"),
             SiteIn("feed", 45.003, 5.0, None, None, name="Aliments du bétail des Collines")]
    by = {p.need_site_id for p in propose(sites, [FlowIn("o1", "abat", "offer", label="Animal by-products")])}
    assert "rend" in by
    whey = {p.need_site_id for p in propose(sites, [FlowIn("o2", "dairy", "offer", label="Whey")])}
    assert "rend" not in whey
