"""Repairability on passports (index, spare parts, disassembly by tier), end-of-life alerts and the
machine park per EPCI."""

import argparse
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from boucle.epcis import object_event
from boucle.passports import commands, repair
from boucle.passports.ageing import end_of_life_alerts, machine_park
from boucle.passports.demo import seed_fleet
from boucle.passports.events import capture
from boucle.passports.models import Passport
from boucle.passports.park import Machine, needs_alert, park_by_epci
from boucle.passports.services import save_passport

from passports_world import login

CRITERIA = {"documentation": 16, "disassembly": 14, "spare_parts_availability": 18, "spare_parts_price": 12, "specific": 15}


def test_index_from_its_five_criteria_and_its_colour_band():
    assert repair.score_from_criteria(CRITERIA) == 7.5  # 75/100 → 7.5/10
    assert [repair.band(s) for s in (0, 1.9, 2, 5.5, 7.9, 8, 10)] == [
        "red", "red", "orange", "yellow", "light_green", "dark_green", "dark_green"]


def test_repairability_is_validated():
    assert repair.repairability_errors({"category": "vacuum_cleaner", "criteria": CRITERIA, "source": "étiquette"}) == []
    assert repair.repairability_errors({"category": "vacuum_cleaner", "score": 7.5, "criteria": CRITERIA, "source": "x"}) == []
    errors = [str(m) for m in repair.repairability_errors({"category": "perceuse", "score": 12, "source": ""})]
    assert any("category" in e for e in errors) and any("score" in e for e in errors) and any("source" in e for e in errors)
    assert [str(m) for m in repair.repairability_errors({"category": "tv", "score": 9.0, "criteria": CRITERIA,
                                                         "source": "x"})] == [
        "score 9.0 ne découle pas des critères (7.5)"]
    assert repair.repairability_errors({"category": "tv", "criteria": {**CRITERIA, "specific": 25}, "source": "x"})
    assert [str(m) for m in repair.spare_parts_errors([{"part": "filtre", "available_years": 60}])] == [
        "entrée 0 : available_years entre 0 et 50"]
    assert [str(m) for m in repair.disassembly_errors([{"step": "ouvrir", "tools": "tournevis"}])] == [
        "étape 0 : tools est une liste de noms"]


def test_a_bad_index_is_refused_at_save(world):
    world.model.repairability = {"category": "drill", "score": 5, "source": "x"}
    with pytest.raises(ValidationError) as err:
        save_passport(world.model)
    assert "repairability" in err.value.message_dict


def test_page_shows_the_index_to_all_and_disassembly_steps_to_repairers(world, client):
    world.item.repairability = {"category": "vacuum_cleaner", "criteria": CRITERIA, "source": "étiquette en magasin"}
    world.item.spare_parts = [{"part": "filtre <b>HEPA</b>", "available_years": 10, "delivery_days": 5}]
    world.item.disassembly_steps = [{"step": "Ouvrir le carter", "tools": ["tournevis Torx T10"]}]
    save_passport(world.item)
    url = reverse("passports:page", args=[world.item.handle])
    html = client.get(url).content.decode()
    assert "Indice de réparabilité : 7,5/10" in html and "Facilité de démontage" in html and "14/20" in html
    assert "filtre &lt;b&gt;HEPA&lt;/b&gt; — disponible 10 ans, livrée en 5 jours" in html
    assert "tournevis Torx T10" not in html and "vacuum_cleaner" not in html
    html = login(client, world.repairer).get(url).content.decode()
    assert "Ouvrir le carter" in html and "tournevis Torx T10" in html
    client.logout()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Repairability index: 7.5/10" in html and "vacuum cleaner" in html and "ease of disassembly" in html.lower()
    data = json.loads(client.get(reverse("passports:export", args=[world.item.handle])).content)
    assert data["repairability"]["category"] == "vacuum_cleaner" and data["spare_parts"][0]["available_years"] == 10


def test_park_per_epci_counts_ages_and_retrofit_candidates():
    today = dt.date(2026, 12, 6)
    machines = [Machine("a", "Tour", "E1", "Lille", dt.date(2001, 3, 1)), Machine("b", "Presse", "E1", "Lille", dt.date(2020, 3, 1)),
                Machine("c", "Robot", "E1", "Lille", None), Machine("d", "Plieuse", "E2", "Arras", dt.date(2012, 1, 1))]
    rows = park_by_epci(machines, today)
    assert [r["epci"] for r in rows] == ["E1", "E2"]
    lille = rows[0]
    assert lille["machines"] == 3 and lille["with_age"] == 2 and lille["median_age_years"] == 16.3
    assert [c["handle"] for c in lille["retrofit_candidates"]] == ["a"] and lille["retrofit_candidates"][0]["age_whole"] == 25
    assert rows[1]["retrofit_candidates"] == [] and rows[1]["median_age_whole"] == 14  # 14.9 years: not yet 15


def test_machine_park_page_and_command(world, client, capsys):
    machine = save_passport(Passport(level="item", giai="952012345MACH01", site=world.factory, name="Tour CN",
                                     production_equipment=True))
    capture(object_event([machine.epc_uri() if hasattr(machine, "epc_uri") else f"https://id.gs1.org/8004/{machine.giai}"],
                         action="ADD", biz_step="commissioning", event_time="2005-05-02T08:00:00Z"), None, visibility="public")
    doc = machine_park("departement:59", today=dt.date(2026, 12, 6))
    (row,) = doc["epcis"]
    assert row["machines"] == 1 and row["retrofit_candidates"][0]["name"] == "Tour CN"
    url = reverse("passports:park")
    assert client.get(url).status_code == 302
    assert login(client, world.member).get(url).status_code == 403
    html = login(client, world.facilitator).get(url).content.decode()
    assert "Tour CN" in html and "21 ans" in html
    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["passport", "park", "--territory", "departement:59", "--json"])
    assert args.func(args) == 0 and json.loads(capsys.readouterr().out)["epcis"][0]["machines"] == 1
    args = parser.parse_args(["passport", "park", "--territory", "departement:999"])
    assert args.func(args) == 2


def test_end_of_life_alerts_from_the_fleet(world):
    seed_fleet()
    assert not needs_alert(None) and needs_alert({"unit": "h", "low": 100}) and not needs_alert({"unit": "h", "low": 5000})
    alerts = end_of_life_alerts(2000)
    assert alerts and all(remaining["low"] <= 2000 for _p, remaining in alerts)
    lows = [remaining["low"] for _p, remaining in alerts]
    assert lows == sorted(lows)
    assert len(end_of_life_alerts(100_000)) > len(alerts) >= len(end_of_life_alerts(500))
