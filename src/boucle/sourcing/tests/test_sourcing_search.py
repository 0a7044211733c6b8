"""``boucle sourcing search``: codes at any level, material classes, label text, places and radii."""

import json

import pytest

from boucle.cli import main
from boucle.flows.models import Flow
from boucle.sourcing.services import SourcingError, search
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

LILLE = (50.6365, 3.0635)


@pytest.fixture
def world():
    return {
        "recycler_near": make_site("Tri Lens", lat=50.4320, lon=2.8330, naf="38.32Z"),       # ~31 km
        "recycler_far": make_site("Tri Paris", lat=48.8566, lon=2.3522, naf="38.32Z"),       # ~204 km
        "collector": make_site("Collecte Roubaix", lat=50.6942, lon=3.1746, naf="38.11Z"),  # ~10 km
        "closed": make_site("Ancien tri", lat=50.65, lon=3.07, naf="38.32Z"),
        "cement": make_site("Cimenterie", lat=50.60, lon=3.00, naf="23.51Z"),
    }


def _cli(capsys, *argv):
    code = main(["sourcing", "search", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_naf_levels_radius_and_order(world):
    world["closed"].closed = True
    world["closed"].save()
    for code in ("38", "38.3", "38.32", "38.32Z", "3832Z"):
        rows = search(naf=code, near="50.6365,3.0635", radius_km=100)
        names = [r["name"] for r in rows]
        assert "Tri Lens" in names and "Tri Paris" not in names and "Ancien tri" not in names
        assert [r["distance_km"] for r in rows] == sorted(r["distance_km"] for r in rows)
        assert all(r["distance_km"] <= 100 for r in rows)
    assert "Collecte Roubaix" in [r["name"] for r in search(naf="38", near="50.6365,3.0635", radius_km=100)]
    assert "Collecte Roubaix" not in [r["name"] for r in search(naf="38.3", near="50.6365,3.0635", radius_km=100)]
    assert "Ancien tri" in [r["name"] for r in search(naf="38.3", near="50.6365,3.0635", radius_km=100,
                                                     include_closed=True)]


def test_near_a_site_and_a_commune(world):
    rows = search(naf="23.51", near=f"site:{world['recycler_near'].site_id}", radius_km=50)
    assert [r["name"] for r in rows] == ["Cimenterie"] and 18 < rows[0]["distance_km"] < 26
    rows = search(naf="38.11Z", near="commune:59350", radius_km=20)
    assert [r["name"] for r in rows] == ["Collecte Roubaix"]


def test_material_class_finds_its_producers_with_reason(world):
    from boucle.matching.knowledge.infer import output_rules

    key = next(r.class_key for r in output_rules() if r.naf_prefix.startswith("23.5"))
    rows = search(material=key, near="50.6365,3.0635", radius_km=50)
    cement = next(r for r in rows if r["name"] == "Cimenterie")
    from boucle.materials.taxonomy import get_class

    assert "23.51Z" == cement["naf"] and get_class(key).label("fr")[1:] in cement["why"] and key not in cement["why"]


def test_text_matches_naf_labels(world):
    rows = search(text="ciment", near="50.6365,3.0635", radius_km=50)
    assert [r["name"] for r in rows] == ["Cimenterie"]


def test_platform_sites_are_flagged(world):
    Flow.objects.create(site=world["recycler_near"], label="Calcin", direction="offer", kind="material")
    rows = {r["name"]: r for r in search(naf="38", near="50.6365,3.0635", radius_km=100)}
    assert rows["Tri Lens"]["on_platform"] and not rows["Collecte Roubaix"]["on_platform"]


@pytest.mark.parametrize("kwargs,words", [
    ({"naf": "38.9", "near": "50.6,3.0", "radius_km": 10}, "38.32Z"),
    ({"naf": "38", "near": "commune:99999", "radius_km": 10}, "commune:INSEE"),
    ({"naf": "38", "near": "site:nope", "radius_km": 10}, "site:SITE_ID"),
    ({"naf": "38", "near": "Nulle-Part-sur-Rien", "radius_km": 10}, "LAT,LON"),
    ({"naf": "38", "near": "50.6,3.0", "radius_km": 0}, "km"),
    ({"naf": "38", "near": "50.6,3.0", "radius_km": ""}, "km"),
    ({"material": "no_such_class", "near": "50.6,3.0", "radius_km": 10}, "materials list"),
    ({"text": "zzzzqqq", "near": "50.6,3.0", "radius_km": 10}, "NAF"),
])
def test_bad_queries_say_what_is_accepted(world, kwargs, words):
    with pytest.raises(SourcingError, match=words.replace(".", r"\.")):
        search(**kwargs)


def test_cli_json_is_one_array_sorted_within_radius(world, capsys):
    code, out, err = _cli(capsys, "--naf", "38", "--near", "50.6365,3.0635", "--radius-km", "50", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["name"] for r in rows] == ["Ancien tri", "Collecte Roubaix", "Tri Lens"]
    assert all({"site_id", "name", "naf", "distance_km", "why"} <= set(r) and r["distance_km"] <= 50 for r in rows)
    code, out, err = _cli(capsys, "--naf", "38", "--near", "50.6365,3.0635", "--radius-km", "50", "--limit", "1",
                          "--json")
    assert [r["name"] for r in json.loads(out)] == ["Ancien tri"]


def test_cli_errors_go_to_stderr(world, capsys):
    code, out, err = _cli(capsys, "--naf", "99.99", "--near", "commune:59350", "--radius-km", "10", "--json")
    assert code == 2 and out == "" and "38.32Z" in err


def test_english_errors_and_reasons(world):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(SourcingError, match="Accepted forms"):
            search(naf="38", near="nowhere", radius_km=10)
        rows = search(naf="23", near="50.6365,3.0635", radius_km=50)
    assert rows[0]["why"].startswith("activity 23.51Z") and "cement" in rows[0]["why"].lower()


def test_near_a_commune_by_name_postcode_or_code(world):
    """What a facilitator types in « Autour de »: a name (any case, accents or not), a postcode, a code."""
    from boucle.territories.models import Commune

    from boucle.territories.refs import fold_name

    assert fold_name("Mons-en-Barœul") == fold_name("MONS EN BAROEUL") == "mons en baroeul"
    for typed in ("Lille", "LILLE", " lille ", "59000", "59350", "commune:59350", "commune:Lille", "Lille (59)",
                  "Lille 59"):
        rows = search(naf="38.11Z", near=typed, radius_km=20)
        assert [r["name"] for r in rows] == ["Collecte Roubaix"], typed
    accented = Commune.objects.filter(name__contains="é").exclude(name__contains="-").order_by("insee").first()
    if accented is not None:
        from boucle.sourcing.services import resolve_near

        plain = accented.name.replace("é", "e").upper()
        same = [c for c in Commune.objects.all() if c.name.replace("é", "e").upper() == plain]
        if len({c.departement_id for c in same}) == 1:
            assert resolve_near(plain).label.endswith(f"({accented.insee})")
        else:  # Abbécourt (02) and Abbecourt (60): the département decides
            with pytest.raises(SourcingError, match="précisez le département"):
                resolve_near(plain)
            assert resolve_near(f"{plain} ({accented.departement_id})").label.endswith(f"({accented.insee})")


def test_a_name_shared_by_several_departements_asks_for_one():
    from boucle.territories.models import Commune

    name = (Commune.objects.values("name").annotate(n=__import__("django.db.models", fromlist=["Count"]).Count(
        "departement", distinct=True)).filter(n__gt=1).order_by("name").values_list("name", flat=True).first())
    if name is None:
        pytest.skip("no homonymous communes in the shipped reference")
    with pytest.raises(SourcingError, match="précisez le département"):
        search(naf="38", near=name, radius_km=20)
    one = Commune.objects.filter(name=name).order_by("insee").first()
    from boucle.sourcing.services import resolve_near

    place = resolve_near(f"{name.lower()} ({one.departement_id})")
    assert place.label.startswith(name)
    with pytest.raises(SourcingError, match="ni un code postal"):
        search(naf="38", near="Nulle-Part-sur-Rien", radius_km=20)


def test_the_observatory_share_uses_the_same_sources_as_the_search(world):
    """A need is locally sourced when ``search(material=…)`` would list a producer within the radius
    (other than the need's own site), or when the platform holds an offer of its material."""
    import numpy as np

    from boucle.sourcing.services import needs_with_source

    key = "fly_ash"  # produced by power stations (35.11)
    plant = make_site("Centrale", lat=50.70, lon=3.20, naf="35.11Z")
    near = search(material=key, near="50.6365,3.0635", radius_km=30)
    assert "Centrale" in [r["name"] for r in near]
    cement = world["cement"]
    lat, lon = np.array([cement.lat, 48.8566, plant.lat]), np.array([cement.lon, 2.3522, plant.lon])
    found = needs_with_source(30, [0, 0, 0], [cement.pk, -1, plant.pk], lat, lon, [key], None)
    assert found.tolist() == [True, False, False]  # Paris is far; the plant is not its own source
    offers = (np.array([0]), np.array([48.86]), np.array([2.35]))  # an offer of fly ash on the platform, in Paris
    assert needs_with_source(30, [0, 0, 0], [cement.pk, -1, plant.pk], lat, lon, [key], offers).tolist() == \
        [True, True, False]
