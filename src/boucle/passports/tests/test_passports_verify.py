"""``boucle passport verify`` finds every way a stored history can be tampered with."""

import argparse

import pytest

from boucle.epcis import object_event
from boucle.passports import commands
from boucle.passports.events import capture
from boucle.passports.models import ChainEntry, ChainHead, Event

from passports_world import GTIN

ITEM = f"https://id.gs1.org/01/{GTIN}/21/42"


def run(*argv):
    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["passport", "verify", *argv])
    assert args.needs_db is True
    from django.utils import translation

    with translation.override("en"):  # the English wording (BOUCLE_LANG=en); French by default
        return args.func(args)


@pytest.fixture
def chained(world):
    steps = ["commissioning", "shipping", "receiving", "repairing"]
    for day, step in enumerate(steps, start=1):
        capture(object_event([ITEM], biz_step=step, event_time=f"2026-02-0{day}T10:00:00Z"), world.producer)
    return world.item


def entries(passport):
    return list(ChainEntry.objects.filter(passport=passport).order_by("seq"))


def test_intact_chain_passes(chained, capsys):
    assert run(chained.handle) == 0
    assert run("--all") == 0
    assert run(f"http://testserver/01/{GTIN}/10/L2026A/21/42") == 0  # by its Digital Link too
    assert capsys.readouterr().out == ""


def test_unknown_passport(db, capsys):
    assert run("nosuchpass") == 2


def test_edited_event(chained, capsys):
    event = entries(chained)[1].event
    data = dict(event.data, bizStep="destroying")
    Event.objects.filter(pk=event.pk).update(data=data)
    assert run(chained.handle) == 1
    out = capsys.readouterr().out
    assert "event 1 was modified after capture" in out


def test_edited_event_with_a_recomputed_id(chained, capsys):
    from boucle.epcis import event_hash

    event = entries(chained)[2].event
    data = dict(event.data, bizStep="destroying")
    data["eventID"] = event_hash(data)  # a careful forger rewrites the id too; the chain still knows
    Event.objects.filter(pk=event.pk).update(data=data, event_id=data["eventID"])
    assert run(chained.handle) == 1
    assert "event 2" in capsys.readouterr().out


def test_reordered_events(chained, capsys):
    first, second = entries(chained)[:2]
    ChainEntry.objects.filter(pk=first.pk).update(seq=999)
    ChainEntry.objects.filter(pk=second.pk).update(seq=0)
    ChainEntry.objects.filter(pk=first.pk).update(seq=1)
    assert run(chained.handle) == 1
    assert "reordered" in capsys.readouterr().out


def test_deleted_event(chained, capsys):
    Event.objects.filter(pk=entries(chained)[1].event_id).delete()  # the database is edited behind our back
    assert run(chained.handle) == 1
    assert "deleted" in capsys.readouterr().out


def test_deleted_last_event(chained, capsys):
    last = entries(chained)[-1]
    ChainEntry.objects.filter(pk=last.pk).delete()
    assert run(chained.handle) == 1
    out = capsys.readouterr().out
    assert "last event" in out and chained.handle in out


def test_head_recorded_apart_is_what_catches_a_truncation(chained):
    head = ChainHead.objects.get(passport=chained)
    assert head.link == entries(chained)[-1].link and head.length == 4
