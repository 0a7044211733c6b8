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


def _exported_hazardous(flow) -> bool:
    """The flow's ``hazardous`` in ``boucle export --what flows`` (its territory's GeoJSON)."""
    import json

    from boucle.observatory.exports import export_records
    from boucle.territories.refs import resolve
    from web_personas import EPCI_T

    features = json.loads(export_records(resolve(f"epci:{EPCI_T}"), "flows", "geojson", public=False))["features"]
    [row] = [f["properties"] for f in features if f["properties"]["flow_id"] == flow.pk]
    return row["hazardous"]


def _note(client, flow, lang="fr") -> str:
    client.cookies["django_language"] = lang
    page = client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    if 'id="hazard-note"' not in page:
        return ""
    return page.split('id="hazard-note"')[1].split("</p>")[0]


def test_a_class_hazardous_whatever_its_code_is_said_hazardous_in_words(world, as_persona):
    """No code, nothing declared, but waste oil: every entry of the List for it is hazardous. The export said
    hazardous=true while the page said nothing; now the page says why, in French and in English."""
    site = Site.objects.get(name="Usine Alphaciment")
    flow = make_flow(site, "Huiles de vidange des engins", material_class="waste_oil", quantity=3, unit="t")
    client = as_persona("member_a")
    french, english = _note(client, flow, "fr"), _note(client, flow, "en")
    assert "Déchet dangereux" in french and "Huiles usagées" in french and "quel que soit le code" in french
    assert "Hazardous waste" in english and "Waste mineral oil" in english and "whatever the code" in english
    for text in (french, english):
        assert "waste_oil" not in text and "class" not in text.lower().replace("classées", "").replace("classed", "")
    assert _exported_hazardous(flow) is True


@pytest.mark.parametrize(("label", "values"), [
    ("Eaux de lavage souillées", {"material_class": "aqueous_liquid_waste"}),  # 16 10 02 is not hazardous
    ("Eaux de lavage souillées", {"material_class": "aqueous_liquid_waste", "hazardous": True}),
    ("Eaux de lavage souillées (16 10 01*)", {"material_class": "aqueous_liquid_waste", "hazardous": True}),
    ("Eaux de lavage", {"material_class": "aqueous_liquid_waste", "ewc": "161001"}),
    ("Solvants de dégraissage", {"material_class": "spent_solvents", "hazardous": False}),
    ("Palettes en bois", {"material_class": "wood_pallets"}),
])
def test_the_page_says_hazardous_exactly_when_the_export_does(world, as_persona, label, values):
    from boucle.reference.models import WasteCode

    if values.get("ewc"):
        WasteCode.objects.get_or_create(code6=values["ewc"], defaults={
            "hazardous": True, "code": "16 10 01*", "label_fr": "déchets liquides aqueux contenant des substances "
            "dangereuses", "label_en": "aqueous liquid wastes containing hazardous substances", "chapter": "16",
            "section": "16 10"})
    site = Site.objects.get(name="Usine Alphaciment")
    flow = make_flow(site, label, quantity=3, unit="t", **values)
    note = _note(as_persona("member_a"), flow)
    assert bool(note) == _exported_hazardous(flow), (label, values, note)
    if note:
        assert "Déchet dangereux" in note and "aqueous" not in note and "spent_solvents" not in note
