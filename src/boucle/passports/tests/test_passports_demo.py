"""The demonstration passports tell a complete, verifiable story, and seeding twice is harmless."""

from boucle.flows.models import Flow
from boucle.passports.demo import DEMO_GTIN, seed
from boucle.passports.events import verify
from boucle.passports.models import Event


def test_demo_story(client, world):
    passports = seed("http://testserver")
    assert [p.level for p in passports] == ["model", "batch", "item", "item"]
    assert passports[0].site == world.factory  # the manufacturing site (NAF 25)
    item = passports[2]
    assert [e.event.biz_step.rsplit("-", 1)[-1] for e in item.chain.order_by("seq")] == [
        "commissioning", "repairing", "disassembling"]
    assert verify(item) == []
    assert Flow.objects.filter(site=world.recycler_site, source="epcis", label="cuivre").exists()
    html = client.get(f"/01/{DEMO_GTIN}/10/D2026/21/0001", follow=True).content.decode()
    assert "disassembling" in html or "démonté" in html
    seed("http://testserver")
    assert Event.objects.count() == 3
