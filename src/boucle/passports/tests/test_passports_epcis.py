"""EPCIS capture and query over HTTP, visibility of events, and offers born from recycling."""

import json

import pytest

from boucle.epcis import Quantity, disassembly_event, object_event, recycling_event, validate_document
from boucle.flows.models import Flow
from boucle.passports.identifiers import site_uri
from boucle.passports.models import AppendOnlyError, Event, Passport

from passports_world import GTIN, login

ITEM = f"https://id.gs1.org/01/{GTIN}/21/42"
ITEM_URN = "urn:epc:id:sgtin:9520123.045678.42"  # the same item written as an EPC URN
CAPTURE = "/passeports/epcis/capture"
QUERY = "/passeports/epcis/events"


def post(client, body, **params):
    url = CAPTURE + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    return client.post(url, json.dumps(body), content_type="application/ld+json")


@pytest.fixture
def history(client, world):
    """Commissioned at the factory, repaired at the repair shop (public), inspected (restricted)."""
    login(client, world.producer)
    events = [
        object_event([ITEM], action="ADD", biz_step="commissioning", event_time="2026-01-10T09:00:00+01:00",
                     biz_location=site_uri(world.factory)),
        object_event([ITEM_URN], biz_step="repairing", event_time="2026-03-02T14:00:00+01:00",
                     biz_location=site_uri(world.repair_site)),
    ]
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-03-03T00:00:00Z", "epcisBody": {"eventList": events}}
    response = post(client, doc, visibility="public")
    assert response.status_code == 201, response.content
    inspected = object_event([ITEM], biz_step="inspecting", event_time="2026-04-01T10:00:00Z")
    assert post(client, inspected).status_code == 201  # default visibility: legitimate interest
    client.logout()
    return [e["eventID"] for e in events] + [inspected["eventID"]]


def test_captured_events_are_chained_and_identified_by_their_hash(world, history):
    stored = list(world.item.chain.order_by("seq").values_list("event__event_id", flat=True))
    assert stored == history
    assert all(h.startswith("ni:///sha-256;") for h in stored)
    world.item.refresh_from_db()
    assert world.item.head.length == 3
    assert world.item.status == Passport.Status.REPAIRED


def test_invalid_event_is_refused_with_the_problem_named(client, world):
    login(client, world.producer)
    event = object_event([ITEM], biz_step="repairing")
    del event["action"]
    response = post(client, event)
    assert response.status_code == 400
    assert any("action" in e for e in response.json()["errors"])
    bad_time = {**object_event([ITEM]), "eventTime": "yesterday"}
    assert "eventTime" in " ".join(post(client, bad_time).json()["errors"])
    unknown = object_event(["https://id.gs1.org/01/09520123456702/21/1"])
    assert "ne désigne aucun passeport" in post(client, unknown).json()["errors"][0]
    assert Event.objects.count() == 0


def test_capture_needs_a_right_on_the_passport(client, world):
    event = object_event([ITEM], biz_step="repairing")
    assert post(client, event).status_code == 401
    assert post(login(client, world.member), event).status_code == 403
    assert post(login(client, world.repairer), event).status_code == 201  # NAF 95: legitimate interest
    assert post(login(client, world.facilitator), object_event([ITEM], biz_step="inspecting")).status_code == 201
    assert post(client, event).json()["duplicates"] == [event["eventID"]]  # captured once only
    from boucle.accounts.models import Facilitator
    from passports_world import user

    elsewhere = user("pas-de-calais")
    Facilitator.objects.create(user=elsewhere, level="departement", code="62")
    assert post(login(client, elsewhere), object_event([ITEM], biz_step="storing")).status_code == 403
    assert client.get(CAPTURE).status_code == 405


def test_capture_with_an_api_token(client, world):
    from boucle.accounts.models import ApiToken

    _, token = ApiToken.issue(world.recycler, "scanner", scope="write")
    response = client.post(CAPTURE, json.dumps(object_event([ITEM], biz_step="receiving")),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    assert Event.objects.get().captured_by == world.recycler


def test_query_filters(client, world, history):
    login(client, world.facilitator)  # the facilitator of both sites' territory reads them as captured

    def ids(**params):
        response = client.get(QUERY, params)
        assert response.status_code == 200, response.content
        doc = response.json()
        validate_document(doc)
        return [e["eventID"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]

    assert ids(MATCH_anyEPC=ITEM_URN) == history
    assert ids(EQ_bizStep="repairing") == [history[1]]
    assert ids(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-commissioning") == [history[0]]
    assert ids(GE_eventTime="2026-02-01T00:00:00Z", LT_eventTime="2026-04-01T10:00:00Z") == [history[1]]
    assert ids(EQ_bizLocation=site_uri(world.repair_site)) == [history[1]]
    assert ids(MATCH_anyEPC=f"https://id.gs1.org/01/{GTIN}/21/43") == []
    assert client.get(QUERY, {"EQ_bizStp": "x"}).status_code == 400
    assert client.get(QUERY, {"GE_eventTime": "soon"}).status_code == 400


def test_restricted_events_stay_out_of_public_views(client, world, history):
    public = client.get(QUERY, {"MATCH_anyEPC": ITEM}).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["bizStep"] for e in public] == ["commissioning", "repairing"]  # the restricted inspection left out
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "repairing" in html and "commissioning" in html and "inspecting" not in html
    html = login(client, world.repairer).get(f"/passeports/{world.item.handle}/").content.decode()
    assert "inspecting" in html


def test_events_are_append_only(world, history):
    event = Event.objects.first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_recycling_creates_an_offer_at_the_recycler_site(client, world):
    pellets = Passport.objects.create(level="batch", gtin="09520123456719", lot="R1", site=world.recycler_site,
                                      name="Granulés de polypropylène recyclé")
    event = recycling_event([ITEM], Quantity(f"https://id.gs1.org/01/09520123456719/10/R1", 120, "KGM"),
                            biz_location=site_uri(world.recycler_site), event_time="2026-05-01T08:00:00Z")
    response = post(login(client, world.recycler), event)
    assert response.status_code == 201, response.content
    assert sorted(response.json()["passports"]) == sorted([world.item.handle, pellets.handle])
    offer = Flow.objects.get(pk=response.json()["offers"][0])
    assert (offer.site, offer.direction, offer.label, offer.quantity, offer.unit) == (
        world.recycler_site, "offer", "Granulés de polypropylène recyclé", 120, "kg")
    world.item.refresh_from_db()
    pellets.refresh_from_db()
    assert world.item.status == Passport.Status.RECYCLED
    assert pellets.status == Passport.Status.ISSUED  # the output batch is born, not recycled
    log = world.item.status_log.get()
    assert (log.old, log.new, log.by, log.event.event_id) == ("issued", "recycled", world.recycler, event["eventID"])
    post(client, object_event([ITEM], biz_step="repairing"))  # recorded, but a recycled item stays recycled
    world.item.refresh_from_db()
    assert world.item.status == Passport.Status.RECYCLED and world.item.chain.count() == 2


def test_disassembly_offers_the_materials_of_the_item(client, world):
    event = disassembly_event(ITEM, [f"https://id.gs1.org/01/{GTIN}/21/42-motor"],
                              biz_location=site_uri(world.repair_site))
    response = post(login(client, world.repairer), event)
    assert response.status_code == 201, response.content
    offers = Flow.objects.filter(site=world.repair_site, direction="offer", source="epcis")
    assert {(f.label, f.quantity, f.unit) for f in offers} >= {("acier", 0.8, "kg"), ("cuivre", 0.2, "kg")}
    # an observation elsewhere creates nothing
    post(client, object_event([ITEM], biz_step="inspecting", biz_location=site_uri(world.repair_site)))
    assert Flow.objects.filter(source="epcis").count() == offers.count()


def test_aggregation_and_association_events_join_every_named_passport(client, world):
    from boucle.epcis import aggregation_event, association_event

    login(client, world.producer)
    pallet = "https://id.gs1.org/00/095201234000000018"
    packed = aggregation_event(pallet, [ITEM, f"https://id.gs1.org/01/{GTIN}/21/43"], event_time="2026-02-01T08:00:00Z")
    installed = association_event("https://id.gs1.org/8004/952012345ASSET1", [ITEM], event_time="2026-02-05T08:00:00Z")
    for event in (packed, installed):
        assert post(client, event, visibility="public").status_code == 201
    assert [e.event.event_type for e in world.item.chain.order_by("seq")] == ["AggregationEvent", "AssociationEvent"]
    assert [e.event.event_type for e in world.item2.chain.all()] == ["AggregationEvent"]
    assert [e.event.event_type for e in world.asset.chain.all()] == ["AssociationEvent"]
    found = client.get(QUERY, {"eventType": "AssociationEvent", "MATCH_anyEPC": ITEM_URN}).json()
    assert [e["eventID"] for e in found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [installed["eventID"]]
