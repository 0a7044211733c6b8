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
