"""Bad input (issue 11): an unknown label, an unknown chosen class or a site whose activity says
nothing gives no proposal, the flow's page says why in the reader's language, and neither the page
nor `boucle match` raises."""

import json

import pytest

from boucle.accounts.models import Membership
from boucle.cli import main
from boucle.flows.models import Site
from boucle.testing import make_flow, make_site

WHY = {
    "fr": ("Matière non reconnue", "Activité du site inconnue"),
    "en": ("Material not recognised", "The site&#x27;s activity is unknown"),
}


@pytest.fixture
def bad(world):
    a = world.sites["A"]
    stranger = make_site("Établissement 12", lat=50.6325, lon=3.0580, commune="59350")
    Site.objects.filter(pk=stranger.pk).update(activity="zzq xwv")  # no code, no known word, no sector word
    Membership.objects.create(user=world.users["member_a"], company=stranger.company, role="member")
    return {
        "label": make_flow(a, "Lot 42 bis", quantity=3, unit="t"),
        "class": make_flow(a, "Lot 43", quantity=3, unit="t", material_class="unobtainium", material_confidence=1.0),
        "empty": make_flow(a, "???", quantity=None, unit=""),
        # an offer every trade makes: it betrays no activity (coal fly ash would betray a power station)
        "stranger_offer": make_flow(stranger, "Palettes en bois", quantity=100, unit="t",
                                    material_class="wood_pallets", material_confidence=1.0),
        "stranger": stranger,
    }


def test_boucle_match_makes_no_proposal_from_bad_input_and_never_raises(bad, capsys):
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    offered = {r["offer_flow_id"] for r in rows}
    assert not offered & {str(bad[k].pk) for k in ("label", "class", "empty")}
    # The stranger's offer is known and may go elsewhere; nothing is inferred for the stranger itself.
    assert not [r for r in rows if r["need_site_id"] == bad["stranger"].site_id and r["inferred"]]
    assert str(bad["stranger_offer"].pk) in offered
    for fmt in ("table", "csv"):
        assert main(["match", "--format", fmt]) == 0  # storing the run too
        capsys.readouterr()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_flow_page_says_why_in_the_reader_language(bad, as_persona, lang):
    client = as_persona("member_a")
    client.cookies["django_language"] = lang
    material, activity = WHY[lang]
    other = WHY["en" if lang == "fr" else "fr"]

    def page(flow):
        response = client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        return response.content.decode()

    for key in ("label", "class", "empty"):
        text = page(bad[key])
        assert material in text and other[0] not in text, key
    text = page(bad["stranger_offer"])
    assert activity in text and other[1] not in text and material not in text
