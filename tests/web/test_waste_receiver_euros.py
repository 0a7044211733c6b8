"""A recycler resells what it receives: it never buys the virgin material, its buyer does.

A machine shop landfills 500 t of steel offcuts a year. Two sites want them: a metal recycler (NACE 38.32),
which sorts and shears them and sells them on, and a steelworks (24.10), which melts them instead of pig iron.
The steelworks saves the virgin steel it no longer buys; the recycler saves only the landfill fee the shop no
longer pays (minus the lorry; its preparation is paid by
its resale, which is not counted either). The CO2e of both pairs keeps the recycling credit of the
chain (docs/impact-method.md). The card, the estimate detail and ``boucle match`` read one figure (its jsonl lines carry the flag).
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from boucle.accounts.models import Facilitator
from boucle.cli import main
from boucle.impact.engine import exchange_breakdown
from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site


@pytest.fixture
def territory(db):
    shop = make_site("Mécanique du Nord", lat=50.63, lon=3.06, commune="59350", naf="25.62A")
    make_flow(shop, "Chutes d'acier", quantity=500, unit="t", material_class="steel_scrap",
              material_confidence=1.0, current_route="D1")
    recycler = make_site("Recyclage des Flandres", lat=50.635, lon=3.065, commune="59350", naf="38.32Z")
    make_flow(recycler, "Ferrailles à trier", direction="need", quantity=500, unit="t", material_class="steel_scrap",
              material_confidence=1.0)
    steelworks = make_site("Aciérie du Nord", lat=50.64, lon=3.07, commune="59350", naf="24.10Z")
    make_flow(steelworks, "Ferrailles pour four électrique", direction="need", quantity=500, unit="t",
              material_class="steel_scrap", material_confidence=1.0)
    run_matching(None, 200)
    user = get_user_model().objects.create_user("animatrice", "a@example.org", "pw")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    return {"client": client, "recycler": recycler, "steelworks": steelworks}


def _declared(site) -> Synergy:
    return Synergy.objects.get(need_site=site, inferred=False)


def _term(b, name: str) -> float:
    return next(t.value for t in b.cost_terms if t.name == name)


def _purchase(b) -> float:
    return _term(b, "avoided_purchase")


def test_a_recycler_saves_the_avoided_disposal_and_a_steelworks_the_virgin_steel(territory):
    to_recycler, to_steelworks = _declared(territory["recycler"]), _declared(territory["steelworks"])
    assert to_recycler.explanation.get("waste_receiver") is True
    assert "waste_receiver" not in to_steelworks.explanation
    resold = exchange_breakdown("steel_scrap", 500, "t", to_recycler.distance_km, baseline_route="D1",
                                waste_receiver=True)
    melted = exchange_breakdown("steel_scrap", 500, "t", to_steelworks.distance_km, baseline_route="D1")
    assert _purchase(resold) == 0 and _purchase(melted) > 0
    assert _term(resold, "processing_cost") == 0 and _term(melted, "processing_cost") < 0  # paid by the resale
    assert resold.eur_saved > 0  # the avoided landfill fee, less the lorry
    assert to_recycler.eur_saved == pytest.approx(resold.eur_saved, abs=0.01)
    assert to_steelworks.eur_saved == pytest.approx(melted.eur_saved, abs=0.01)
    # the steelworks, a few hundred metres further, saves the virgin steel's price on top
    assert to_steelworks.eur_saved - to_recycler.eur_saved == pytest.approx(
        _purchase(melted) + _term(melted, "processing_cost"), rel=0.01)
    # the CO2e is the chain's recycling credit in both cases
    assert resold.co2e_avoided_t > 0
    assert to_recycler.co2e_avoided_t == pytest.approx(resold.co2e_avoided_t, abs=1e-3)
    assert resold.co2e_avoided_t == pytest.approx(
        exchange_breakdown("steel_scrap", 500, "t", to_recycler.distance_km, baseline_route="D1").co2e_avoided_t)


def test_card_estimate_detail_and_match_read_one_figure(territory, capsys):
    from boucle.web.present import eur_text

    client = territory["client"]
    to_recycler, to_steelworks = _declared(territory["recycler"]), _declared(territory["steelworks"])
    with translation.override("fr"):
        page = client.get(f"/synergies/{to_recycler.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace(
            "&#x27;", "'")
        card = eur_text(to_recycler.eur_saved)
        other = client.get(f"/synergies/{to_steelworks.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace(
            "&#x27;", "'")
    said = "il prépare la matière et la revend, il n'achète pas la matière vierge"
    calc = page.split("Détail de l'estimation")[1]
    euros = calc.split("Gain net par an")[1].split("</table>")[0]
    assert f" : {card}" in euros  # the detail adds up to the card
    assert said in euros  # the avoided purchase's row says why it is 0
    assert "payée par la revente de la matière" in euros  # and the preparation's row why it is 0 too
    assert said in page.split("Détail de l'estimation")[0]  # and the card
    assert said not in other
    with translation.override("en"):
        english = client.get(f"/synergies/{to_recycler.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sells it on" in english.replace("&#x27;", "'")
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    row = next(r for r in lines if r["need_site_id"] == to_recycler.need_site.site_id and not r["inferred"])
    assert row["explanation"]["waste_receiver"] is True  # the lines carry no euros: the flag says how they are read
    # a matching run stores the same euros again
    assert main(["match"]) == 0
    to_recycler.refresh_from_db()
    assert to_recycler.eur_saved == pytest.approx(exchange_breakdown(
        "steel_scrap", 500, "t", to_recycler.distance_km, baseline_route="D1", waste_receiver=True).eur_saved, abs=0.01)


def test_the_page_the_api_and_the_command_give_the_same_euros_for_a_pair_to_a_recycler(territory, capsys):
    """The synergy page counted a recycler's pair without the virgin purchase, while ``/api/impact`` could not be told
    the receiver and counted it: the API takes the receiver's NAF code, read as ``boucle impact --receiver-naf``
    reads it, and the three give one figure (and the API names a code that is not one)."""
    from boucle.web.present import eur_text

    client = territory["client"]
    pair = _declared(territory["recycler"])
    with translation.override("fr"):
        page = client.get(f"/synergies/{pair.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    shown = page.split("Gain net par an : ")[1].split("<")[0].strip()
    query = f"material=steel_scrap&quantity=500&unit=t&distance_km={pair.distance_km}&route=D1"
    api = client.get(f"/api/impact?{query}&receiver_naf=38.32Z")
    assert api.status_code == 200, api.content
    assert main(["impact", "--material", "steel_scrap", "--quantity", "500", "--unit", "t", "--distance-km",
                 str(pair.distance_km), "--route", "D1", "--receiver-naf", "3832Z", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    with translation.override("fr"):
        assert eur_text(api.json()["eur_saved"]) == eur_text(cli["eur_saved"]) == shown, (shown, api.json()["eur_saved"])
    assert api.json()["eur_saved"] == pytest.approx(pair.eur_saved, abs=0.01)
    # without the receiver the API counts the virgin steel a steelworks would no longer buy
    assert client.get(f"/api/impact?{query}").json()["eur_saved"] > api.json()["eur_saved"]
    wrong = client.get(f"/api/impact?{query}&receiver_naf=recycleur")
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "receiver_naf"]
    assert "n'est pas un code NAF" in wrong.json()["detail"][0]["msg"]


def test_the_receivers_naf_code_is_documented_in_the_openapi_schema(territory):
    schema = territory["client"].get("/api/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/impact"]["get"]["parameters"]}
    assert "receiver_naf" in params and not params["receiver_naf"].get("required")
    described = params["receiver_naf"].get("description") or params["receiver_naf"]["schema"].get("description", "")
    assert "waste operator" in described and "boucle impact --receiver-naf" in described
