"""A company that published its profile is shown by name; one that did not stays anonymous everywhere."""

from web_personas import forbidden_secrets


def test_published_company_is_named_in_suggestions(world, as_persona):
    company = world.sites["B"].company
    page = as_persona("member_a").get("/espace/synergies/").content.decode()
    assert company.name not in page
    company.published = True
    company.save()
    page = as_persona("member_a").get("/espace/synergies/").content.decode()
    assert company.name in page
    assert "Charliepap" not in page  # C did not publish


def test_anonymous_visitor_sees_only_aggregates(world, as_persona):
    client = as_persona("anonymous")
    for url in ("/", "/api/openapi.json", "/api/territories/epci:200093201/indicators"):
        body = client.get(url).content.decode()
        assert not [s for s in forbidden_secrets(world, "anonymous") if s in body], url


def test_a_published_company_keeps_its_confidential_flow_to_itself(world, as_persona):
    """Publishing its profile shows the company's name, not a flow it marked « Confidentiel »: its label
    and exact quantity (and the exact estimate, the smaller of the two quantities) stay hidden."""
    company, flow = world.sites["B"].company, world.flows["b_offer_ash"]
    company.published = True
    company.save()
    flow.confidential = True
    flow.save()
    page = as_persona("member_a").get(f"/synergies/{world.synergies['ab'].pk}/").content.decode()
    assert company.name in page
    assert flow.label not in page and "40\u202f000 t/an" not in page and "3\u202f200" not in page
    flow.confidential = False
    flow.save()
    page = as_persona("member_a").get(f"/synergies/{world.synergies['ab'].pk}/").content.decode()
    assert flow.label in page


def test_an_anonymous_receiver_is_not_named_by_its_activity(world, as_persona):
    """« Usage : une activité « Fabrication de ciment » utilise… · Source : nomenclature NAF rév. 2, 23.51 »,
    with the EPCI, named the only cement plant around to the offering company before it agreed."""
    from boucle.matching.models import Synergy

    ab = world.synergies["ab"]
    Synergy.objects.filter(pk=ab.pk).update(need=None, inferred=True, explanation={
        "offer_class": "fly_ash", "need_class": "fly_ash", "declared_need": False, "need_confidence": 0.85,
        "receiver_activity": "23.51", "rule_id": "in:23.51:fly_ash",
        "source": "NACE 23.51 Manufacture of cement; EU BREF CLM 2013"})
    url = f"/synergies/{ab.pk}/"
    offering = as_persona("member_b").get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fabrication de ciment" not in offering and "23.51" not in offering
    assert "le site receveur utilise habituellement" in offering  # the reason stays, without the name
    facilitator = as_persona("facilitator_t").get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fabrication de ciment" in facilitator
