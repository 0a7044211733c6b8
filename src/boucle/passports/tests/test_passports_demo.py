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
    assert len(urls) == 4 and all(u.startswith(f"http://testserver/01/{DEMO_GTIN}") for u in urls)
    for url in urls:  # each one is answered by the resolver
        assert client.get(url.removeprefix("http://testserver")).status_code == 307
    args = parser.parse_args(["passport", "verify", "--all"])
    assert args.func(args) == 0
