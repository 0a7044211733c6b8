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


def test_demo_command_is_idempotent_and_prints_resolver_urls(client, world, capsys, django_capture_on_commit_callbacks):
    import argparse

    from boucle.passports import anchor, commands
    from boucle.passports.models import ChainHead

    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    runs = []
    for _ in range(2):
        args = parser.parse_args(["passport", "demo", "--root", "http://testserver"])
        with django_capture_on_commit_callbacks(execute=True):
            assert args.func(args) == 0
        runs.append((capsys.readouterr().out, Event.objects.count(),
                     sorted(ChainHead.objects.values_list("length", "link")), dict(anchor.logged_heads())))
    assert runs[0] == runs[1]  # the second run captures, signs and logs nothing new
    urls = [line.split("\t")[2] for line in runs[0][0].splitlines()]
    assert len(urls) == 4 + 13 + 60 + 1 + 20 and all(u.startswith("http://testserver/01/0952") for u in urls)  # GS1 demo prefix
    assert sum(u.startswith(f"http://testserver/01/{DEMO_GTIN}") for u in urls) == 4  # the drill's
    for url in urls:  # each one is answered by the resolver
        assert client.get(url.removeprefix("http://testserver")).status_code == 307
    args = parser.parse_args(["passport", "verify", "--all"])
    assert args.func(args) == 0  # both chains of every passport
    heads = ChainHead.objects.filter(length__gt=0)
    assert heads.count() > 80 and all(h.public_signed.get("chain") == "public" for h in heads)


def test_demo_equipment_pack_modules_cells_motor_machine(client, world, capsys):
    import argparse
    import json

    from boucle.passports import commands
    from boucle.passports.demo import seed_equipment

    passports = seed_equipment()
    names = [p.name for p in passports]
    assert sum("Module" in n for n in names) == 2 and sum("Cellule" in n for n in names) == 8
    assert any("aimants permanents" in n for n in names) and any("Centre d'usinage" in n for n in names)
    pack = passports[0]
    steps = [e.event.event_type for e in pack.chain.order_by("seq")]
    assert steps[0] == "AggregationEvent" and len(steps) == 3  # modules packed in, commissioned, inspected
    assert all(verify(p) == [] for p in passports)
    assert [p.pk for p in seed_equipment()] == [p.pk for p in passports]  # idempotent
    events = Event.objects.count()
    seed_equipment()
    assert Event.objects.count() == events

    parser = argparse.ArgumentParser(prog="boucle")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["passport", "list", "--json", "--root", "http://testserver"])
    assert args.func(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["handle"] for r in rows} >= {p.handle for p in passports}
    assert all({"handle", "level", "resolver_url"} <= set(r) for r in rows)
    url = next(r["resolver_url"] for r in rows if r["handle"] == pack.handle)
    page = client.get(url.removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200 and "Pack batterie de traction" in page.content.decode()


def test_each_kind_of_demo_machine_has_its_own_product_code(world):
    """A GTIN names one trade item: a press brake of the demo park must not carry the machining centre's code,
    and two machines of one kind share theirs (the serial tells them apart)."""
    from boucle.passports.demo import MACHINE_GTIN, seed_equipment, seed_machine_park

    machine = [p for p in seed_equipment() if p.gtin == MACHINE_GTIN]
    park = seed_machine_park()
    assert park and machine
    kinds = {}
    for passport in park:
        kinds.setdefault(passport.gtin, set()).add(passport.name.split(" (")[0])
    assert all(len(names) == 1 for names in kinds.values()), kinds
    assert len(kinds) == len({name for names in kinds.values() for name in names}) > 1
    assert MACHINE_GTIN not in kinds
