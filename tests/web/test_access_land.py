"""Land entries (plots, vacant buildings, brownfields): pages and API per persona.

Signed-in members read the inventory; only facilitators of the territory holding an entry (and
superusers) change its status or its link; anonymous visitors are sent to the login page (the
API answers 401); names are escaped.
"""

import json
import re

import pytest
from django.urls import reverse

from boucle.land.models import LandSite

from route_matrix import check_reads, check_writes
from test_access_projects import ami  # noqa: F401 - fixture
from web_personas import PERSONAS

SIGNED_IN = set(PERSONAS) - {"anonymous"}


@pytest.fixture
def plots(world):
    lille = LandSite.objects.create(identifier="l1", name="Friche <b>du canal</b>", kind="brownfield", area_m2=12_000,
                                    status="available", commune_id="59350", lat=50.6205, lon=3.0421, rail=True,
                                    source="Inventaire (test)")
    metz = LandSite.objects.create(identifier="m1", name="Lot de Metz", kind="plot", area_m2=4_000,
                                   status="under_study", commune_id="57463", lat=49.1193, lon=6.1757,
                                   source="Inventaire (test)", illustrative=True)
    return {"lille": lille, "metz": metz}


def test_signed_in_members_read_pages_and_api(world, plots, as_persona):
    for url in (reverse("land:search"), reverse("land:search") + "?territory=epci:200093201&min_area_m2=1000",
                reverse("land:detail", args=["l1"]), reverse("land:detail", args=["m1"])):
        check_reads(world, as_persona, url, SIGNED_IN)
    for url in ("/api/land", "/api/land?territory=region:32&min_area_m2=1000", "/api/land/l1"):
        check_reads(world, as_persona, url, SIGNED_IN, anonymous=(401,))


def test_only_the_territory_facilitators_change_an_entry(world, plots, as_persona):
    def snapshot(site):
        return lambda: LandSite.objects.filter(pk=site.pk).values_list("status", "synergy_id").get()

    synergy = next(iter(world.synergies.values()))
    check_writes(world, as_persona, reverse("land:update", args=["l1"]), {"facilitator_t", "superuser"},
                 lambda: {"status": "under_study", "synergy": str(synergy.pk)}, snapshot(plots["lille"]),
                 revealed={"facilitator_other": ()})
    check_writes(world, as_persona, reverse("land:update", args=["m1"]), {"facilitator_other", "superuser"},
                 lambda: {"status": "reconverted"}, snapshot(plots["metz"]))


def test_search_page_ranks_filters_and_escapes(world, plots, as_persona):
    client = as_persona("member_a")
    html = client.get(reverse("land:search")).content.decode()
    assert "Friche &lt;b&gt;du canal&lt;/b&gt;" in html and "<b>du canal</b>" not in html
    table = html.split("<table")[1]
    assert table.index("Friche &lt;b&gt;") < table.index("Lot de Metz")  # available before under study
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))
    assert "exemple illustratif" in visible and "Friche" in visible
    assert not {"brownfield", "under_study", "available", "rail"} & set(visible.split())  # words, not keys
    html = client.get(reverse("land:search"), {"territory": "epci:200093201"}).content.decode()
    assert "Lot de Metz" not in html and "Friche &lt;b&gt;" in html
    html = client.get(reverse("land:search"), {"territory": "region:99"}).content.decode()
    assert "territoire inconnu" in html
    response = client.get(reverse("land:search"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv") and "Lot de Metz" in response.content.decode("utf-8-sig")


def test_api_filters_and_refuses_bad_criteria(world, plots, as_persona):
    client = as_persona("member_b")
    data = client.get("/api/land", {"min_area_m2": 5000}).json()
    assert [d["id"] for d in data] == ["l1"] and data[0]["servicing"] == ["rail"]
    assert client.get("/api/land", {"territory": "nowhere"}).status_code == 400
    assert client.get("/api/land", {"servicing": "gaz"}).status_code == 400
    assert client.get("/api/land/zz").status_code == 404


def test_a_plot_linked_to_an_answer_names_the_company_only_to_who_may_read_the_answer(world, plots, ami,  # noqa: F811
                                                                                       as_persona):
    """Which company answered a call, and with what plot in mind, stays between it and the call's facilitators."""
    plots["lille"].answer = ami["answer"]
    plots["lille"].save()
    reads_answer = {"member_a", "admin_a", "facilitator_t", "superuser"}
    check_reads(world, as_persona, reverse("land:detail", args=["l1"]), SIGNED_IN,
                revealed={p: ("A",) for p in reads_answer})
    for persona in SIGNED_IN:
        html = as_persona(persona).get(reverse("land:detail", args=["l1"])).content.decode()
        assert ("Alphaciment SA" in html) == (persona in reads_answer), persona
        assert "Réponse à un appel à projets" in html  # the link itself is no secret


# --- the follow-up form offers and accepts only the synergies and answers the facilitator may see ----------

def _options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(1))) if select else None


def test_the_form_lists_only_synergies_the_facilitator_may_open(world, plots, as_persona):
    """Synergy ab joins two companies of territory T; ca joins Metz (C) to Lille (A): both facilitators see it."""
    ab, ca = str(world.synergies["ab"].pk), str(world.synergies["ca"].pk)
    metz = as_persona("facilitator_other").get(reverse("land:detail", args=["m1"])).content.decode()
    assert _options(metz, "synergy") == {ca}
    lille = as_persona("facilitator_t").get(reverse("land:detail", args=["l1"])).content.decode()
    assert _options(lille, "synergy") == {ab, ca}
    assert "Cendres volantes" in lille or "cendres volantes" in lille  # the material in words, no company name
    for persona in ("member_a", "admin_a", "member_b"):  # company members read the entry, no form
        html = as_persona(persona).get(reverse("land:detail", args=["l1"])).content.decode()
        assert _options(html, "synergy") is None and 'name="status"' not in html, persona


def test_a_foreign_synergy_posted_is_refused_with_the_field_named(world, plots, as_persona):
    ab, ca = world.synergies["ab"].pk, world.synergies["ca"].pk
    client = as_persona("facilitator_other")
    url = reverse("land:update", args=["m1"])
    for bad in (ab, 99999999, "abc"):
        response = client.post(url, {"status": "reconverted", "synergy": str(bad)})
        assert response.status_code == 400, bad
        body = response.content.decode()
        assert "Synergie liée" in body and "rien n&#x27;a été changé" in body, bad
        assert "Alphaciment" not in body and "Bravotherm" not in body
        plots["metz"].refresh_from_db()
        assert (plots["metz"].status, plots["metz"].synergy_id) == ("under_study", None)
    assert client.post(url, {"status": "reconverted", "synergy": str(ca)}).status_code == 302
    plots["metz"].refresh_from_db()
    assert (plots["metz"].status, plots["metz"].synergy_id) == ("reconverted", ca)
    # the superuser sees every synergy
    response = as_persona("superuser").post(url, {"status": "available", "synergy": str(ab)})
    assert response.status_code == 302
    plots["metz"].refresh_from_db()
    assert plots["metz"].synergy_id == ab
    # ... and the territory's facilitator may still save the status without undoing that link
    assert client.post(url, {"status": "under_study", "synergy": str(ab)}).status_code == 302
    plots["metz"].refresh_from_db()
    assert (plots["metz"].status, plots["metz"].synergy_id) == ("under_study", ab)


def test_an_answer_the_facilitator_may_not_read_is_refused(world, plots, ami, as_persona):  # noqa: F811
    """The call of ``ami`` is territory T's: facilitator_other may not link its answer to a Metz plot."""
    response = as_persona("facilitator_other").post(reverse("land:update", args=["m1"]),
                                                    {"status": "under_study", "answer": str(ami["answer"].pk)})
    assert response.status_code == 400 and "Réponse à un appel à projets" in response.content.decode()
    plots["metz"].refresh_from_db()
    assert plots["metz"].answer_id is None


def test_linked_synergy_and_answer_numbers_reach_only_who_may_open_them(world, plots, ami, as_persona):  # noqa: F811
    """Page, API entry, API list and the map's markers: a plot's link to a synergy or an answer is shown
    only to who may open it; the plot's own place is the inventory's (it belongs to no company)."""
    ab = world.synergies["ab"].pk
    LandSite.objects.filter(pk=plots["lille"].pk).update(synergy_id=ab, answer_id=ami["answer"].pk)
    sees_ab = {"member_a", "admin_a", "member_b", "facilitator_t", "superuser"}
    reads_answer = {"member_a", "admin_a", "facilitator_t", "superuser"}
    for persona in SIGNED_IN:
        client = as_persona(persona)
        entry = client.get("/api/land/l1").json()
        listed = {d["id"]: d for d in client.get("/api/land").json()}["l1"]
        for data in (entry, listed):
            assert data["synergy_id"] == (ab if persona in sees_ab else None), persona
            assert data["answer_id"] == (ami["answer"].pk if persona in reads_answer else None), persona
        html = client.get(reverse("land:detail", args=["l1"])).content.decode()
        assert (reverse("synergy-detail", args=[ab]) in html) == (persona in sees_ab), persona
        assert "Synergie liée" in html
        page = client.get(reverse("land:search")).content.decode()
        markers = json.loads(re.search(r'<script id="land-markers" type="application/json">(.*?)</script>',
                                       page, re.S).group(1))
        assert {frozenset(m) for m in markers} == {frozenset({"lat", "lon", "name", "status", "label"})}
    assert as_persona("anonymous").get("/api/land/l1").status_code == 401
