"""Water reused is one indicator with one name: « eau réutilisée (m³/an) » on the observatory, the facilitator's
figures, the report and the export, with the same value; no second indicator carries it under another name."""

import csv
import io

import pytest
from django.urls import reverse

from boucle.observatory.columns import INDICATORS

pytestmark = pytest.mark.django_db


def _rows(client, keys):
    url = reverse("observatory:territory-export", args=["region", "32", "indicators", "csv"])
    data = client.get(url + ("?cles=1" if keys else "")).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data), delimiter="," if keys else ";"))


def test_water_has_one_name_and_one_value_everywhere(obs_world, client):
    from boucle.observatory.report import render_html
    from boucle.territories.refs import resolve

    client.force_login(obs_world.users["fac_region"])
    keyed = [r for r in _rows(client, keys=True) if r["territory_level"] == "region"]
    assert "m3" not in {r["indicator"] for r in keyed}  # no second indicator with the same value
    water = {r["basis"]: float(r["value"]) for r in keyed if r["indicator"] == "water_m3"}
    assert water["potential"] > 0  # the water synergy of the world is in the allocation: a figure to compare
    readable = _rows(client, keys=False)
    names = {r["indicateur"] for r in readable}
    assert "eau réutilisée (m³/an)" in names
    assert not {n for n in names if "économisée" in n or "volume échangé" in n}
    figures = client.get(reverse("facilitator-figures")).content.decode()
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    report = render_html(resolve("region:32"))
    shown = f"{water['potential']:,.0f}".replace(",", "\u202f")
    for html in (figures, page, report):
        assert "Eau réutilisée (m³/an)" in html
        assert "économisée" not in html and "Volume échangé" not in html
    assert f'<dd class="potential-m3">{shown}</dd>' in figures.replace("\xa0", "\u202f")
    assert str(INDICATORS["water_m3"]).capitalize() == "Eau réutilisée (m³/an)"
