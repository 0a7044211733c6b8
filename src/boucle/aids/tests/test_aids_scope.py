"""What an aid funds (its scope) on the demo catalogue: the same answer on a synergy's page, in the
API and on the command line, because they all go through ``services._matches``."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from boucle.aids.demo import DEMO_FILE
from boucle.aids.services import for_flow, for_site, for_synergy, import_aids
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site

REF = dt.date(2027, 3, 1)
ORPLAST = "ORPLAST — Objectif recyclage plastiques (ADEME)"
CHALEUR = "Fonds Chaleur renouvelable (ADEME)"
GENERIC = "Fonds Économie circulaire (ADEME)"  # no scope in the demo catalogue: any material


@pytest.fixture
def demo(db):
    report = import_aids(DEMO_FILE)
    assert not report.rejected, report.rejected


def synergy(offer_label, need_label, material_class, *, kind="material", naf="24.10Z"):
    a = make_site("Aciérie", commune="59350", naf=naf)
    b = make_site("Client", commune="59009")
    offer = make_flow(a, offer_label, kind=kind, material_class=material_class)
    need = make_flow(b, need_label, kind=kind, direction="need", material_class=material_class)
    return Synergy.objects.create(offer=offer, need=need, need_site=b, material_class=material_class,
                                  distance_km=8, score=0.5)


def names(rows):
    return [r["name"] for r in rows]


def test_steel_slag_is_not_offered_orplast_but_plastics_are_with_the_reason_in_words(demo):
    slag = names(for_synergy(synergy("Laitier d'aciérie", "Granulats", "steel_slag"), today=REF))
    assert ORPLAST not in slag and GENERIC in slag
    foundry = make_flow(make_site("Fonderie", commune="59350", naf="24.51Z"), "Sables de fonderie",
                        material_class="foundry_sand")
    assert ORPLAST not in names(for_flow(foundry, today=REF))
    rows = {r["name"]: r for r in for_synergy(synergy("Chutes de PET", "Paillettes de PET", "pet",
                                                      naf="22.22Z"), today=REF)}
    assert ORPLAST in rows and GENERIC in rows
    assert rows[ORPLAST]["why"].startswith("finance des projets sur : plastiques")
    assert rows[ORPLAST]["score"] > rows[GENERIC]["score"]  # a scheme for this very material first
    from django.utils import translation

    with translation.override("en"):
        pet = synergy("PET offcuts", "PET flakes", "pet", naf="22.22Z")
        (orplast,) = [r for r in for_synergy(pet, today=REF) if r["name"] == ORPLAST]
    assert orplast["why"].startswith("funds projects on: plastics; national scheme")


def test_a_heat_synergy_gets_fonds_chaleur_and_not_the_water_or_plastics_schemes(demo):
    rows = {r["name"]: r for r in for_synergy(synergy("Chaleur fatale 90 °C", "Chauffage de serres",
                                                      "waste_heat_low", kind="energy"), today=REF)}
    assert CHALEUR in rows and "finance des projets sur : énergie / chaleur" in rows[CHALEUR]["why"]
    assert ORPLAST not in rows and "Aides de l'Agence de l'eau Artois-Picardie aux entreprises" not in rows


def test_a_site_exchanging_plastics_and_slag_gets_orplast_for_its_plastics(demo):
    site = make_site("Plasturgiste", commune="59350", naf="22.22Z")
    make_flow(site, "Laitier", material_class="steel_slag")
    assert ORPLAST not in names(for_site(site, today=REF))
    make_flow(site, "Purges de PP", material_class="pp")
    assert ORPLAST in names(for_site(site, today=REF))


def test_an_unclassified_material_keeps_orplast_last_with_a_warning(demo):
    site = make_site("Atelier", commune="59350", naf="22.22Z")
    flow = make_flow(site, "Chutes diverses", material_class="")
    rows = for_flow(flow, today=REF)
    orplast = next(r for r in rows if r["name"] == ORPLAST)
    assert "la matière échangée n'est pas encore identifiée" in orplast["why"]
    assert names(rows).index(ORPLAST) > names(rows).index(GENERIC)


def test_the_page_and_the_api_offer_the_same_aids_in_the_same_order_with_the_same_why(demo, client,
                                                                                      django_user_model):
    from boucle.aids.views import MAX_SHOWN_MATCHES

    s = synergy("Chutes de PET", "Paillettes de PET", "pet", naf="22.22Z")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    api = client.get(f"/api/aids/match?synergy={s.pk}&limit={MAX_SHOWN_MATCHES}").json()
    body = client.get(reverse("synergy-detail", args=[s.pk])).content.decode()
    section = body[body.index('class="aids-matches"'):]
    shown = re.findall(r'<a href="/aides/\d+/"><strong>(.*?)</strong></a>', section)
    assert shown == [escape(r["name"]) for r in api] and escape(ORPLAST) in shown
    for r in api:
        assert escape(r["why"]) in section
    assert "finance des projets sur : plastiques" in section


def test_the_command_line_gives_the_same_aids_as_the_api(demo, client, django_user_model, capsys, monkeypatch):
    import json

    from boucle.cli import main

    s = synergy("Laitier d'aciérie", "Granulats", "steel_slag")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    api = client.get(f"/api/aids/match?synergy={s.pk}&limit=50").json()
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    assert main(["aids", "match", "--synergy", str(s.pk), "--json", "--limit", "50"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["why"]) for r in cli] == [(r["name"], r["why"]) for r in api]
    assert ORPLAST not in [r["name"] for r in cli]
