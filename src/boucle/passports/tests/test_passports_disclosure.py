"""Who learns where a product went: a citizen who scans reads places, never a company's site.

A life story names sites (``…/site/irep:…``, ``…/site/<SIRET>``, a GLN). Anonymous readers (and
any reader who is not the site's people, its facilitator or an authority) read a pseudonym that is
the same in every event of one site, differs between sites, and cannot be tested against a list
of known sites; in words, at most the commune and department (and the company's name once the
company is published). Each public route is read as each persona.
"""

import json
import re

import pytest

from boucle.epcis import chain_link, event_hash, object_event, validate_document
from boucle.epcis.gs1keys import normalise_gs1_uri
from boucle.passports.disclosure import PLACE_PREFIX, place_pseudonym
from boucle.passports.events import capture
from boucle.passports.identifiers import SITE_PREFIX, site_uri
from boucle.passports.models import ChainEntry, ChainHead, Event
from boucle.testing import make_site

from passports_world import GTIN, login

ITEM = f"https://id.gs1.org/01/{GTIN}/21/42"
GLN = "urn:epc:id:sgln:0952012.34567.0"
QUERY = "/passeports/epcis/events"
PSEUDONYM = re.compile(re.escape(PLACE_PREFIX) + r"[a-z2-7]{26}")


@pytest.fixture
def story(world):
    """Cast at the producer's plant (an iREP id), shipped from its factory (SIRET) and from a GLN,
    repaired at a published repair shop, received by a recycler in the Pas-de-Calais; all public."""
    world.plant = make_site("Fonderie du Nord", external_id="irep:0059123456", lat=50.6312345, lon=3.0587654,
                            commune="59350", company=world.factory.company)
    steps = [("commissioning", world.plant, world.producer), ("packing", world.plant, world.producer),
             ("shipping", world.factory, world.producer), ("repairing", world.repair_site, world.repairer),
             ("receiving", world.recycler_site, world.recycler)]
    stored = []
    for day, (step, site, who) in enumerate(steps, start=1):
        event = object_event([ITEM], biz_step=step, event_time=f"2026-0{day}-01T10:00:00Z",
                             biz_location=site_uri(site), read_point=site_uri(site))
        stored.append(capture(event, who, visibility="public").events[0])
    stored.append(capture(object_event([ITEM], biz_step="storing", event_time="2026-07-01T10:00:00Z",
                                       biz_location=GLN), world.producer, visibility="public").events[0])
    world.stored = stored
    return world


def secrets_of(world, *sites):
    """What must not reach a reader who may not know ``sites``: identifiers, SIREN, exact positions."""
    out = []
    for site in sites:
        out += [site.site_id, site_uri(site), f"{site.lat:.3f}", f"{site.lon:.3f}"]
        if site.id_kind == "siret":
            out.append(site.site_id[:9])
    return out


def public_routes(world):
    h = world.item.handle
    return [f"/passeports/{h}/", f"/passeports/{h}/?commune=59350", f"/passeports/{h}.json", f"/api/passports/{h}",
            QUERY, f"{QUERY}?MATCH_anyEPC={ITEM}", f"/01/{GTIN}/21/42?linkType=linkset",
            f"/.well-known/boucle-chain-head/{h}", f"/passeports/{h}/etiquettes/"]


def test_an_anonymous_reader_finds_no_site_on_any_public_route(client, story):
    hidden = secrets_of(story, story.plant, story.factory, story.repair_site, story.recycler_site)
    hidden += ["irep:", SITE_PREFIX, "0952012.34567", normalise_gs1_uri(GLN), "50.6312345", "3.0587654"]
    hidden += [e.event_id for e in story.stored]  # the stored hashes would let anyone test candidate sites
    for url in public_routes(story):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        leaked = [s for s in hidden if re.search(_standing_alone(s), body)]
        assert not leaked, f"{url} shows {leaked}"


def _standing_alone(secret: str) -> str:
    """A secret as it would leak: a coordinate to 3 decimals (« 2.770 ») is a number of its own, not the digits
    inside a timestamp's seconds (« 12:02.770Z ») or a longer figure, which it matches by chance."""
    if re.fullmatch(r"-?\d+\.\d+", secret):
        return rf"(?<![\d.]){re.escape(secret)}(?!\d)"
    return re.escape(secret)


def events_as(client, user=None, **params):
    client.logout()
    if user is not None:
        login(client, user)
    doc = client.get(QUERY, {"MATCH_anyEPC": ITEM, **params}).json()
    validate_document(doc)  # still a valid EPCIS 2.0 query document
    return doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_the_public_events_stay_valid_epcis_with_one_stable_pseudonym_per_site(client, story):
    events = events_as(client)
    places = [e["bizLocation"]["id"] for e in events]
    assert all(PSEUDONYM.fullmatch(p) for p in places)
    assert [e["readPoint"]["id"] for e in events[:5]] == places[:5]
    assert places[0] == places[1]  # the plant twice: one place in the story
    assert len(set(places)) == 5  # plant, factory, repair shop, recycler, GLN: five places
    assert all(e["eventID"] == event_hash(e) for e in events)  # each hash is the one of what is published
    assert events_as(client) == events  # stable from one request to the next
    assert places[0] == place_pseudonym(site_uri(story.plant))


def test_the_query_cannot_confirm_a_site_but_finds_its_pseudonym(client, story):
    assert events_as(client, EQ_bizLocation=site_uri(story.plant)) == []
    found = events_as(client, EQ_bizLocation=place_pseudonym(site_uri(story.plant)))
    assert [e["bizStep"] for e in found] == ["commissioning", "packing"]


def test_the_sites_people_facilitators_and_authorities_read_real_identifiers(client, story):
    def places(user):
        return [e["bizLocation"]["id"] for e in events_as(client, user)]

    real = [site_uri(s) for s in (story.plant, story.plant, story.factory, story.repair_site, story.recycler_site)]
    producer = places(story.producer)
    assert producer[:3] == real[:3] and producer[5] == GLN  # its own sites, and the GLN it wrote
    assert PSEUDONYM.fullmatch(producer[3]) and PSEUDONYM.fullmatch(producer[4])  # other companies' sites
    repairer = places(story.repairer)
    assert repairer[3] == real[3] and all(PSEUDONYM.fullmatch(p) for p in repairer[:3] + repairer[4:])
    facilitator = places(story.facilitator)  # the Nord: not the recycler in the Pas-de-Calais
    assert facilitator[:4] == real[:4] and PSEUDONYM.fullmatch(facilitator[4])
    assert places(story.authority) == real + [GLN]
    assert PSEUDONYM.fullmatch(places(story.member)[0])  # another company of the same commune: a pseudonym


def test_the_page_tells_places_in_words_at_commune_level(client, story):
    html = client.get(f"/passeports/{story.item.handle}/").content.decode()
    history = html[html.index('id="history"'):]
    assert "Lille (59)" in history  # the unpublished producer: its commune only
    assert "Fonderie du Nord" not in html and story.factory.company.name not in history
    assert story.repair_site.company.name in history  # a published company is named
    owner = login(client, story.producer).get(f"/passeports/{story.item.handle}/").content.decode()
    assert "Fonderie du Nord" in owner[owner.index('id="history"'):]


def _attack(events, candidates):
    """What someone holding a list of candidate sites computes from the published events: each pseudonym
    put back as the candidate it may stand for, each event hashed, the hashes chained like the platform's."""
    def back(value):
        if isinstance(value, dict):
            return {k: back(v) for k, v in value.items() if k != "eventID"}
        if isinstance(value, list):
            return [back(v) for v in value]
        return candidates.get(value, value)

    hashes = [event_hash(back(e)) for e in events]
    links, prev = [], None
    for h in hashes:
        prev = chain_link(prev, h, "public")
        links.append(prev)
    return hashes, links


def test_no_hash_served_to_an_anonymous_reader_can_be_tested_against_the_real_sites(client, story):
    """The attack the public chain closes: every event is public, so with the right candidate sites one
    recomputes the stored events, their hashes and the private chain exactly."""
    sites = (story.plant, story.factory, story.repair_site, story.recycler_site)
    candidates = {place_pseudonym(site_uri(s)): site_uri(s) for s in sites} | {place_pseudonym(GLN): GLN}
    hashes, links = _attack(events_as(client), candidates)
    assert hashes == [e.event_id for e in story.stored]  # the attack reproduces the stored events...
    private = [e.link for e in ChainEntry.objects.filter(passport=story.item).order_by("seq")]
    assert links == private  # ...and the private chain's links
    recomputed = {h.split(";")[1].split("?")[0] for h in hashes} | set(links)

    client.logout()
    record = client.get(f"/passeports/{story.item.handle}.json").json()
    chain = record["chain"]
    head = client.get(f"/.well-known/boucle-chain-head/{story.item.handle}").json()
    served = ([e["eventID"] for e in record["events"]] + [e["eventID"] for e in events_as(client)]
              + [entry[k] for entry in chain["links"] for k in ("link", "eventID")]
              + [chain["head"], chain["signedHead"]["head"], head["head"]])
    assert len(served) == 6 * 4 + 3 and all(served)
    assert not {h.split(";")[-1].split("?")[0] for h in served} & recomputed
    assert chain["kind"] == "public" and head["head"] == chain["head"] != private[-1]
    for url in public_routes(story):  # nor anywhere else in what is served
        body = client.get(url).content.decode()
        assert not [h for h in recomputed if h in body], url


def test_the_public_chain_verifies_from_what_an_anonymous_reader_reads(client, story):
    """With the published record, the EPCIS query, the key from /.well-known and no access to Boucle."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    record = client.get(f"/passeports/{story.item.handle}.json").json()
    chain, events = record["chain"], events_as(client)
    assert all(e["eventID"] == event_hash(e) for e in events)  # each published event has the hash it shows
    assert [entry["eventID"] for entry in chain["links"]] == [e["eventID"] for e in events] == [
        e["eventID"] for e in record["events"]]
    prev = ""
    for entry in chain["links"]:
        prev = hashlib.sha256(f"{prev}|{entry['eventID']}|{entry['visibility']}".encode()).hexdigest()
        assert prev == entry["link"]
    signed = chain["signedHead"]
    assert (signed["chain"], signed["length"], signed["head"], chain["head"]) == ("public", 6, prev, prev)
    key = client.get("/.well-known/gs1resolver").json()["passportChainHeads"]["publicKey"]
    body = json.dumps({k: v for k, v in signed.items() if k != "signature"}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()
    Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key + "=")).verify(
        base64.urlsafe_b64decode(signed["signature"] + "=="), body)  # raises if forged
    assert client.get(f"/.well-known/boucle-chain-head/{story.item.handle}").json() == signed


def test_readers_of_every_place_still_read_the_private_chain(client, story):
    private = [e.link for e in ChainEntry.objects.filter(passport=story.item).order_by("seq")]
    signed = ChainHead.objects.get(passport=story.item).signed

    def chain_of(user, passport):
        client.logout()
        if user is not None:
            login(client, user)
        return (client.get(f"/passeports/{passport.handle}.json").json()["chain"],
                client.get(f"/.well-known/boucle-chain-head/{passport.handle}").json())

    chain, head = chain_of(story.authority, story.item)
    assert chain["kind"] == "private" and [entry["link"] for entry in chain["links"]] == private
    assert [entry["eventID"] for entry in chain["links"]] == [e.event_id for e in story.stored]
    assert head == chain["signedHead"] == signed and "chain" not in head
    chain, head = chain_of(story.producer, story.item)  # the repair shop and the recycler are not its sites
    assert chain["kind"] == "public" and head["chain"] == "public"

    own = f"https://id.gs1.org/01/{GTIN}/21/43"  # a history at the producer's sites only
    for day, site in enumerate((story.plant, story.factory), start=1):
        capture(object_event([own], biz_step="commissioning" if day == 1 else "shipping",
                             event_time=f"2026-0{day}-02T10:00:00Z", biz_location=site_uri(site)),
                story.producer, visibility="public")
    stored = [e.link for e in ChainEntry.objects.filter(passport=story.item2).order_by("seq")]
    for user in (story.producer, story.facilitator, story.authority):  # its company, the Nord's facilitator
        chain, head = chain_of(user, story.item2)
        assert chain["kind"] == "private" and [entry["link"] for entry in chain["links"]] == stored, user
        assert head == ChainHead.objects.get(passport=story.item2).signed
    for user in (None, story.member, story.repairer):
        chain, head = chain_of(user, story.item2)
        assert chain["kind"] == "public" and not {entry["link"] for entry in chain["links"]} & set(stored), user
        assert head["chain"] == "public"


def test_editing_a_stored_event_breaks_both_chains(client, story):
    from django.utils import translation

    from boucle.passports.events import verify

    repair = story.stored[3]
    Event.objects.filter(pk=repair.pk).update(data={**repair.data, "bizLocation": {"id": site_uri(story.factory)}})
    with translation.override("en"):
        problems = verify(story.item)
    assert any(p.startswith("event 3 was modified after capture") for p in problems), problems
    assert any(p.startswith("public chain: event 3 was modified after capture") for p in problems), problems
    assert client.get(f"/passeports/{story.item.handle}.json").json()["chain"]["intact"] is False


def test_an_error_declaration_names_its_corrective_events_by_their_published_ids(client, story):
    """Even when the corrective event is not in the same answer: its stored hash is testable too."""
    corrective = story.stored[3]
    declared = object_event([ITEM], biz_step="inspecting", event_time="2026-08-01T10:00:00Z",
                            biz_location=site_uri(story.factory))
    declared["errorDeclaration"] = {"declarationTime": "2026-08-02T10:00:00Z",
                                    "correctiveEventIDs": [corrective.event_id]}
    capture(declared, story.producer, visibility="public")
    published = {e["bizStep"]: e["eventID"] for e in events_as(client)}
    alone = events_as(client, EQ_bizStep="inspecting")
    assert len(alone) == 1 and alone[0]["errorDeclaration"]["correctiveEventIDs"] == [published["repairing"]]
    assert published["repairing"] != corrective.event_id
    assert events_as(client, story.authority, EQ_bizStep="inspecting")[0]["errorDeclaration"][
        "correctiveEventIDs"] == [corrective.event_id]


def test_a_person_opening_the_events_link_reads_the_life_story_not_json(client, story):
    browser = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    response = client.get(QUERY, {"MATCH_anyEPC": ITEM}, **browser)
    assert response.status_code == 303
    assert response["Location"] == f"/passeports/{story.item.handle}/#history"
    assert client.get(QUERY, {"MATCH_anyEPC": ITEM}, HTTP_ACCEPT="application/ld+json").status_code == 200
    assert client.get(QUERY, {"MATCH_anyEPC": ITEM, "EQ_bizStep": "repairing"}, **browser).status_code == 200
