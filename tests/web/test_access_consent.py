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
