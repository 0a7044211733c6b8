"""Composition lines carry the EU critical raw materials (Regulation (EU) 2024/1252) of their
material, on the page and in the JSON, without changing the stored passport."""


def test_composition_lines_name_their_critical_raw_materials(client, world):
    world.item.composition = [*world.item.composition, {"material": "cellules lithium-ion NMC 811", "mass_kg": 0.3}]
    world.item.save()
    data = client.get(f"/passeports/{world.item.handle}.json").json()
    lines = {line["material"]: line for line in data["composition"]}
    nmc = {c["key"]: c for c in lines["cellules lithium-ion NMC 811"]["critical_raw_materials"]}
    assert {"lithium", "cobalt", "nickel"} <= set(nmc) and nmc["cobalt"]["strategic"]
    assert [c["key"] for c in lines["cuivre"]["critical_raw_materials"]] == ["copper"]
    assert lines["polypropylène"]["critical_raw_materials"] == []
    page = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Matières premières critiques" in page and "<strong>Cobalt</strong>" in page
    world.item.refresh_from_db()
    assert all("critical_raw_materials" not in line for line in world.item.composition)


def test_a_hidden_composition_reveals_no_critical_material(client, world):
    world.item.tiers = {**world.item.tiers, "composition": "legitimate"}
    world.item.composition = [{"material": "aimants NdFeB", "mass_kg": 1.0}]
    world.item.save()
    assert "composition" not in client.get(f"/passeports/{world.item.handle}.json").json()
    assert "Terres rares" not in client.get(f"/passeports/{world.item.handle}/").content.decode()
