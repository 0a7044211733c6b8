"""A flow typed on screen or through the API whose label quotes a hazardous code is stored hazardous, and its page
says why, in French, without internal key."""

from boucle.flows.models import Flow


def _declare(client, site, label, ewc=""):
    return client.post("/espace/flux/nouveau/", {
        "site": site.pk, "direction": "offer", "kind": "material", "label": label, "ewc": ewc,
        "material_class": "", "quantity": "2", "unit": "t", "period": "month", "confidential": "on"})


def test_a_code_quoted_in_the_label_makes_the_typed_flow_hazardous_and_the_page_says_it(world, as_persona):
    client = as_persona("member_a")
    assert _declare(client, world.sites["A"], "Boues d'hydroxydes (11 01 09*)").status_code == 302
    flow = Flow.objects.get(label="Boues d'hydroxydes (11 01 09*)")
    assert flow.hazardous is True
    client.cookies["django_language"] = "fr"
    page = client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="hazard-note"' in page and "11 01 09*" in page and "Déchet dangereux" in page
    assert "metal_hydroxide_sludge" not in page.split('id="hazard-note"')[1].split("</p>")[0]


def test_a_plain_label_has_no_hazard_note(world, as_persona):
    client = as_persona("member_a")
    assert _declare(client, world.sites["A"], "Palettes en bois").status_code == 302
    flow = Flow.objects.get(label="Palettes en bois")
    assert flow.hazardous is None
    assert 'id="hazard-note"' not in client.get(f"/espace/flux/{flow.pk}/").content.decode()


import pytest  # noqa: E402

from boucle.flows.models import Site  # noqa: E402
from boucle.testing import make_flow  # noqa: E402

UNREADABLE = ["", "123456", "160101", "⚗️💧🔥", "x" * 300, "Lot 42 bis", "None", "((((", "°C"]
CODED = ["16 10 01*", "16 10 01 *", "16.10.01*", "aBc 07 06 01* EAUX"]


@pytest.mark.parametrize("label", UNREADABLE + CODED)
def test_an_odd_label_never_breaks_the_flow_page_and_an_unknown_one_says_why(world, as_persona, label):
    site = Site.objects.get(name="Usine Alphaciment")
    flow = make_flow(site, label, quantity=3, unit="t")
    client = as_persona("member_a")
    client.cookies["django_language"] = "fr"
    response = client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    if label in UNREADABLE:
        assert "Matière non reconnue" in page
    else:  # a code alone is a material: the matching reads it, nothing says it is unknown
        assert "Matière non reconnue" not in page
    assert "unknown_material" not in page and "aqueous_liquid_waste" not in page
