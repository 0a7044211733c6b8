"""Publishing an event without its places keeps it a valid EPCIS 2.0 event whose eventID is its hash."""

from boucle.epcis import event_hash, object_event, validate_event
from boucle.epcis.redact import redact_event

SITE = "https://w3id.org/boucle/site/irep:0059123456"
GLN = "urn:epc:id:sgln:0952012.34567.0"


def _event():
    return object_event(["https://id.gs1.org/01/09520123456788/21/42"], biz_step="commissioning", action="ADD", biz_location=SITE,
                        read_point=SITE, sources=[("location", GLN)], destinations=[("location", SITE)],
                        ilmd={"https://w3id.org/boucle/voc/origin": SITE})


def test_every_place_is_swapped_and_the_event_stays_valid():
    event = _event()
    published, changed = redact_event(event, lambda uri: "https://w3id.org/boucle/place/p" + str(len(uri)),
                                      lambda value: "https://w3id.org/boucle/place/x" if value == SITE else None)
    assert changed
    text = str(published)
    assert SITE not in text and GLN not in text
    assert published["bizLocation"]["id"] == published["readPoint"]["id"]
    validate_event(published)
    assert published["eventID"] == event_hash(published) != event["eventID"]
    assert event["bizLocation"]["id"] == SITE  # the stored event is left as it was


def test_an_event_whose_places_may_be_read_is_returned_as_stored():
    event = _event()
    published, changed = redact_event(event, lambda uri: None, lambda value: None)
    assert not changed and published == event
