"""The demo's fleet gives a remaining life to running items; usage readings are checked at capture."""

import argparse
import datetime as dt
import json

import pytest

from boucle.epcis import object_event
from boucle.passports import commands
from boucle.passports.ageing import class_histories, remaining_life_of
from boucle.passports.demo import FLEET_SIZE, SPINDLE_GTIN, seed_fleet
from boucle.passports.events import CaptureError, capture
from boucle.passports.models import Event


def _run(capsys, *argv):
    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["passport", *argv])
    code = args.func(args)
    return code, capsys.readouterr().out


def test_fleet_estimates_running_items_and_says_why_not_for_others(world, capsys):
    fleet = seed_fleet()
    assert len(fleet) == FLEET_SIZE
    histories = class_histories(SPINDLE_GTIN)
    failed = [h for h, (_hours, ended) in histories.items() if ended]
    running = [h for h, (_hours, ended) in histories.items() if not ended]
    assert 10 <= len(failed) <= 50 and running  # failures and censored items both present
    events = Event.objects.count()
    seed_fleet()
    assert Event.objects.count() == events  # idempotent

    code, out = _run(capsys, "show", running[0], "--json")
    life = json.loads(out)["remaining_life"]
    assert code == 0 and set(life) >= {"estimate", "low", "high", "unit", "method", "n"}
    assert life["low"] <= life["estimate"] <= life["high"] and life["unit"] == "h" and life["n"] == FLEET_SIZE
    assert "Weibull" in life["method"] and "censoring" in life["method"]
    older = max(running, key=lambda h: histories[h][0])
    younger = min(running, key=lambda h: histories[h][0])
    assert remaining_life_of(fleet[0].__class__.objects.get(handle=older))[0]["estimate"] < \
        remaining_life_of(fleet[0].__class__.objects.get(handle=younger))[0]["estimate"]

    code, out = _run(capsys, "show", failed[0], "--json")
    record = json.loads(out)
    assert record["remaining_life"] is None and "failed" in record["remaining_life_reason"]
    code, out = _run(capsys, "show", world.item.handle, "--json")
    record = json.loads(out)
    assert record["remaining_life"] is None and "no usage" in record["remaining_life_reason"]


def _usage(world, hours, uom="HUR", when="2026-01-10T08:00:00Z"):
    uri = f"https://id.gs1.org/01/{world.item.gtin}/21/{world.item.serial}"
    sensor = [{"sensorReport": [{"type": "gs1:Time", "value": hours, "uom": uom}]}]
    return object_event([uri], biz_step="inspecting", event_time=when, extensions={"sensorElementList": sensor})


def test_capture_refuses_bad_usage_readings(world):
    capture(_usage(world, 1200), None, visibility="public")
    with pytest.raises(CaptureError, match="unité de compteur d'usage inconnue"):
        capture(_usage(world, 10, uom="XYZ"), None, visibility="public")
    with pytest.raises(CaptureError, match="négatif"):
        capture(_usage(world, -5), None, visibility="public")
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(CaptureError, match="dans le futur"):
        capture(_usage(world, 1300, when=future), None, visibility="public")
    assert class_histories(world.item.gtin)[world.item.handle] == (1200.0, False)
