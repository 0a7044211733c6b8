"""A history cannot be forged unseen: what pages show is what the hashes cover, and a truncated
history is caught by the signed heads kept outside the database (red-team finding, issue 14).

Each test edits the database the way someone with write access to it would (``update`` and
``delete`` on querysets, bypassing the models' append-only guards) and checks both what a
visitor sees and what ``boucle passport verify`` says.
"""

import argparse
import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from boucle.epcis import object_event
from boucle.epcis.vocab import BIZSTEP_PREFIX
from boucle.passports import anchor, commands
from boucle.passports.events import capture
from boucle.passports.models import ChainEntry, ChainHead, Event, Passport

from passports_world import GTIN

ITEM = f"https://id.gs1.org/01/{GTIN}/21/42"
STEPS = ["commissioning", "shipping", "receiving", "repairing"]


def run(*argv, lang="en"):
    """The command as ``boucle passport …`` runs it; English here (BOUCLE_LANG=en), French by default."""
    from django.utils import translation

    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["passport", *argv])
    with translation.override(lang):
        return args.func(args)


def capture_steps(world, steps, start=1):
    for day, step in enumerate(steps, start=start):
        capture(object_event([ITEM], biz_step=step, event_time=f"2026-02-0{day}T10:00:00Z"), world.producer,
                visibility="public")


@pytest.fixture
def story(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # heads are logged once their capture commits
        capture_steps(world, STEPS)
    return world.item


def entries(passport):
    return list(ChainEntry.objects.filter(passport=passport).select_related("event").order_by("seq"))


def page(client, passport):
    html = client.get(f"/passeports/{passport.handle}/").content.decode()
    return html[html.index('id="history"'):]


def test_intact_history_is_shown_and_verified(client, story, capsys):
    assert run("verify", story.handle) == 0
    history = page(client, story)
    assert "réparé" in history and "modifiée" not in history
    assert "chain intact (4 events)" in capsys.readouterr().err


def test_edited_query_columns_show_no_forged_history(client, story, capsys):
    """The red team's forgery: « 1 janvier 2020 — détruit » through the denormalised columns."""
    last = entries(story)[-1].event
    Event.objects.filter(pk=last.pk).update(biz_step=BIZSTEP_PREFIX + "destroying",
                                            event_time="2020-01-01T00:00:00Z", biz_location="urn:epc:id:sgln:0.0.0")
    history = page(client, story)
    assert "détruit" not in history and "2020" not in history
    assert "réparé" in history  # what the hash covers
    record = client.get(f"/passeports/{story.handle}.json").json()
    assert [e["bizStep"].rsplit("-", 1)[-1] for e in record["events"]] == STEPS
    assert run("verify", story.handle) == 1
    out = capsys.readouterr().out
    assert "event 3: its biz_step column" in out and "event_time" in out


def test_edited_visibility_breaks_the_chain(client, story, capsys):
    """Hiding an event from the public (or showing a confidential one) is an edit of the history."""
    hidden = entries(story)[1].event
    Event.objects.filter(pk=hidden.pk).update(visibility="authority")
    assert run("verify", story.handle) == 1
    assert "event 1 was recorded as 'public', but is stored now as 'authority'" in capsys.readouterr().out
    assert "modifiée en dehors de la plateforme" in page(client, story)
    assert client.get(f"/passeports/{story.handle}.json").json()["chain"]["intact"] is False


def test_edited_status_is_not_shown_and_fails_verify(client, story, capsys):
    Passport.objects.filter(pk=story.pk).update(status=Passport.Status.RECYCLED)
    html = client.get(f"/passeports/{story.handle}/").content.decode()
    assert "Aujourd'hui : réparé, de nouveau en service" in html and "l&#x27;objet n&#x27;existe plus" not in html
    assert client.get(f"/passeports/{story.handle}.json").json()["status"] == "repaired"
    assert run("verify", story.handle) == 1
    assert "status is 'recycled', but its history leads to 'repaired'" in capsys.readouterr().out


def _truncate(passport):
    """Delete the last event and rewind the recorded heads (of both chains) and the status to the ones
    before, consistently."""
    *kept, last = entries(passport)
    ChainEntry.objects.filter(pk=last.pk).delete()
    Event.objects.filter(pk=last.event_id).delete()
    ChainHead.objects.filter(passport=passport).update(link=kept[-1].link, public_link=kept[-1].public_link,
                                                       length=len(kept))
    Passport.objects.filter(pk=passport.pk).update(status=Passport.Status.IN_USE)  # what "receiving" left
    return kept


def test_deleting_the_last_event_and_rewinding_the_head_is_detected(story, capsys):
    _truncate(story)
    assert run("verify", story.handle) == 1
    assert "the recorded head: it certified 4 events" in capsys.readouterr().out


def test_a_rewind_to_an_older_genuine_signed_head_is_caught_by_the_log(world, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        capture_steps(world, STEPS[:3])
    older = ChainHead.objects.get(passport=world.item)  # a forger kept its heads from an earlier backup
    with django_capture_on_commit_callbacks(execute=True):
        capture_steps(world, STEPS[3:], start=4)
    _truncate(world.item)
    ChainHead.objects.filter(passport=world.item).update(signed=older.signed, public_signed=older.public_signed)
    assert run("verify", world.item.handle) == 1
    out = capsys.readouterr().out
    assert "the head logged outside the database: it certified 4 events" in out and "only 3 are stored" in out


def test_anyone_holding_an_earlier_record_detects_the_truncation(client, world, django_capture_on_commit_callbacks,
                                                                 tmp_path, settings, capsys):
    """Even with the database rewound *and* the log file gone, a downloaded record is evidence."""
    with django_capture_on_commit_callbacks(execute=True):
        capture_steps(world, STEPS[:3])
    older = ChainHead.objects.get(passport=world.item)
    with django_capture_on_commit_callbacks(execute=True):
        capture_steps(world, STEPS[3:], start=4)
    kept = tmp_path / "record.json"  # what anyone downloads: the public chain's head
    kept.write_bytes(client.get(f"/passeports/{world.item.handle}.json").content)
    assert json.loads(kept.read_text())["chain"]["signedHead"]["chain"] == "public"
    _truncate(world.item)
    ChainHead.objects.filter(passport=world.item).update(signed=older.signed, public_signed=older.public_signed)
    settings.BOUCLE_PASSPORT_HEADS_LOG = str(tmp_path / "wiped.jsonl")
    assert run("verify", world.item.handle) == 0  # nothing left on the server reveals it...
    assert run("verify", world.item.handle, "--head", str(kept)) == 1  # ...the record someone kept does
    assert f"the head in {kept}: it certified 4 events" in capsys.readouterr().out


def test_a_forged_head_file_is_refused(story, tmp_path, capsys):
    forged = dict(ChainHead.objects.get(passport=story).signed, length=9)
    path = tmp_path / "head.json"
    path.write_text(json.dumps(forged))
    assert run("verify", story.handle, "--head", str(path)) == 1
    assert "its signature does not match its content" in capsys.readouterr().out


def test_head_export_and_the_published_key_let_anyone_check_the_record(client, story, capsys):
    """Without Boucle's code: the key from /.well-known, the head and links from the record (anyone
    reads the public chain; ``boucle passport head --public`` exports the same head)."""
    assert run("head", story.handle, "--public") == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["chain"] == "public"
    described = client.get("/.well-known/gs1resolver").json()["passportChainHeads"]
    published = client.get(f"/.well-known/boucle-chain-head/{story.handle}").json()
    record = client.get(f"/passeports/{story.handle}.json").json()["chain"]
    assert exported == published == record["signedHead"]
    raw = base64.urlsafe_b64decode(described["publicKey"] + "=" * (-len(described["publicKey"]) % 4))
    body = json.dumps({k: v for k, v in published.items() if k != "signature"}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode()
    signature = base64.urlsafe_b64decode(published["signature"] + "==")
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, body)  # raises if forged
    prev = ""
    for entry in record["links"]:
        prev = hashlib.sha256(f"{prev}|{entry['eventID']}|{entry['visibility']}".encode()).hexdigest()
        assert prev == entry["link"]
    assert (published["length"], published["head"]) == (4, prev)
    assert described["pattern"].endswith("/.well-known/boucle-chain-head/{handle}")


def test_hidden_events_keep_their_link_but_not_their_hash(client, world):
    capture(object_event([ITEM], biz_step="inspecting", event_time="2026-03-01T00:00:00Z"), world.producer,
            visibility="authority")
    links = client.get(f"/passeports/{world.item.handle}.json").json()["chain"]["links"]
    assert len(links) == 1 and set(links[0]) == {"seq", "link"}


def test_a_capture_logs_its_signed_head_only_once_committed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        capture_steps(world, STEPS[:1])
    assert anchor.logged_heads() == {}  # not committed yet: nothing logged
    for callback in callbacks:
        callback()
    assert anchor.logged_heads()[world.item.handle]["length"] == 1


def test_a_configured_key_that_is_missing_is_an_error(world, settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.BOUCLE_PASSPORT_KEY = str(tmp_path / "mounted" / "key.pem")
    settings.BOUCLE_PASSPORT_KEY_CONFIGURED = True
    with pytest.raises(ImproperlyConfigured):
        capture_steps(world, STEPS[:1])
    assert not Event.objects.exists()


def test_the_migration_relinks_intact_chains_only(world):
    """Chains made before links covered visibility are re-linked and signed if intact, left broken if not."""
    import importlib

    from django.apps import apps

    from boucle.epcis.chain import chain_link

    migration = importlib.import_module("boucle.passports.migrations.0002_chain_covers_visibility_signed_heads")
    capture_steps(world, STEPS[:2])
    capture(object_event([f"https://id.gs1.org/01/{GTIN}/21/43"], biz_step="commissioning",
                         event_time="2026-02-01T10:00:00Z"), world.producer)
    for passport in (world.item, world.item2):  # as the former code wrote them: no visibility, no signature
        prev = None
        for entry in entries(passport):
            prev = chain_link(prev, entry.event.event_id)
            ChainEntry.objects.filter(pk=entry.pk).update(link=prev)
        ChainHead.objects.filter(passport=passport).update(link=prev, signed={})
    Event.objects.filter(pk=entries(world.item2)[0].event_id).update(data={**entries(world.item2)[0].event.data,
                                                                          "bizStep": "destroying"})
    migration.relink_and_sign(apps, None)
    assert run("verify", world.item.handle) == 0
    assert run("verify", world.item2.handle) == 1  # tampered before the upgrade: still reported


def test_histories_captured_before_the_public_chain_get_it_once(client, world, capsys):
    """``boucle passport public-chain`` (and migration 0004) build it for intact histories only, once."""
    import importlib

    from django.apps import apps

    from boucle.passports.identifiers import site_uri

    for day, step in enumerate(STEPS[:3], start=1):
        capture(object_event([ITEM], biz_step=step, event_time=f"2026-02-0{day}T10:00:00Z",
                             biz_location=site_uri(world.factory)), world.producer, visibility="public")
    capture_steps(world, STEPS[:1])
    capture(object_event([f"https://id.gs1.org/01/{GTIN}/21/43"], biz_step="commissioning",
                         event_time="2026-02-01T10:00:00Z"), world.producer, visibility="public")
    built = {e.pk: (e.public_event_id, e.public_link) for e in entries(world.item)}
    signed = ChainHead.objects.get(passport=world.item).public_signed

    def as_before_the_upgrade():
        ChainEntry.objects.update(public_event_id="", public_link="")
        ChainHead.objects.update(public_link="", public_signed={})

    as_before_the_upgrade()
    chain = client.get(f"/passeports/{world.item.handle}.json").json()["chain"]
    assert chain["kind"] == "public" and not any(entry["link"] for entry in chain["links"])  # no private link
    assert chain["signedHead"] is None
    assert client.get(f"/.well-known/boucle-chain-head/{world.item.handle}").status_code == 404
    assert run("verify", world.item.handle) == 1
    assert "the public chain has not been built yet" in capsys.readouterr().out
    tampered = entries(world.item2)[0].event
    Event.objects.filter(pk=tampered.pk).update(data={**tampered.data, "bizStep": "destroying"})

    assert run("public-chain", "--all") == 1
    out, err = capsys.readouterr()
    assert f"{world.item2.handle}: history tampered with" in out and "1 built, 0 already there, 1 refused" in err
    assert {e.pk: (e.public_event_id, e.public_link) for e in entries(world.item)} == built  # as at capture
    assert run("verify", world.item.handle) == 0
    head = ChainHead.objects.get(passport=world.item).public_signed
    assert (head["length"], head["head"], head["chain"]) == (signed["length"], signed["head"], "public")
    assert run("public-chain", world.item.handle) == 0  # idempotent: nothing re-signed
    assert "0 built, 1 already there" in capsys.readouterr().err
    assert ChainHead.objects.get(passport=world.item).public_signed == head
    assert not ChainHead.objects.get(passport=world.item2).public_signed  # not laundered
    assert run("verify", world.item2.handle) == 1

    as_before_the_upgrade()
    importlib.import_module("boucle.passports.migrations.0004_public_chain").build_public_chains(apps, None)
    assert {e.pk: (e.public_event_id, e.public_link) for e in entries(world.item)} == built
    assert run("verify", world.item.handle) == 0 and run("verify", world.item2.handle) == 1


def test_verify_speaks_french_first(client, story, capsys):
    passport = story
    assert run("verify", passport.handle, lang="fr") == 0
    assert "chaîne intacte (4 événements)" in capsys.readouterr().err
    event = entries(passport)[2].event
    Event.objects.filter(pk=event.pk).update(data={**event.data, "eventTime": "2020-01-01T00:00:00.000Z"})
    assert run("verify", passport.handle, lang="fr") == 1
    out = capsys.readouterr().out
    assert "l'événement 2 a été modifié après sa saisie" in out and "recorded" not in out
    assert run("verify", lang="fr") == 2 and "donnez l'identifiant" in capsys.readouterr().err
