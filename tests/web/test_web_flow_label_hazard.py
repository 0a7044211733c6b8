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
