"""Personas and a small world for passport tests: a producer, a repairer (NAF 95), an outsider
member, an authority, a facilitator, and passports at model, batch and item level under GS1's
demonstration prefix 952."""

import pytest

from boucle.accounts.models import Facilitator
from boucle.passports.models import Passport, PassportAuthority
from boucle.testing import make_site

from passports_world import GTIN, user


@pytest.fixture
def world(db):
    class World:
        pass

    w = World()
    w.factory = make_site("Usine Producteur", naf="25.11Z", lat=50.63, lon=3.06, commune="59350")
    w.repair_site = make_site("Atelier Réparation", naf="95.22Z", lat=50.64, lon=3.15, commune="59009", published=True)
    w.recycler_site = make_site("Recycleur Discret", naf="38.32Z", lat=50.30, lon=2.77, commune="62041")
    w.other_site = make_site("Autre Industrie", naf="25.12Z", lat=50.62, lon=3.05, commune="59350")
    w.producer = user("producer", w.factory.company)
    w.repairer = user("repairer", w.repair_site.company)
    w.recycler = user("recycler", w.recycler_site.company)
    w.member = user("member", w.other_site.company)
    w.authority = user("authority")
    PassportAuthority.objects.create(user=w.authority, organisation="DGCCRF")
    w.facilitator = user("facilitator")
    Facilitator.objects.create(user=w.facilitator, level="departement", code="59")
    common = dict(site=w.factory, name="Perceuse P-42", description="Perceuse sans fil",
                  composition=[{"material": "acier", "mass_kg": 0.8}, {"material": "cuivre", "mass_kg": 0.2},
                               {"material": "polypropylène", "percent": 30}],
                  hazardous_substances=[{"name": "Plomb", "cas": "7439-92-1", "percent": 0.1}],
                  recycled_content_percent=25, carbon_footprint_kg=12.5, carbon_method="ISO 14067",
                  repair_instructions="Remplacer les charbons du moteur.",
                  disassembly_instructions="Dévisser les 6 vis Torx T10 du carter.",
                  reuse_instructions="Vérifier la batterie avant revente.",
                  recycling_instructions="Déposer en déchetterie, filière DEEE.",
                  documents=[{"title": "Certificat CE", "url": "https://example.org/ce.pdf",
                              "link_type": "gs1:certificationInfo"}],
                  tiers={"composition": "public", "carbon_footprint": "authority"})
    w.model = Passport.objects.create(level="model", gtin=GTIN, **common)
    w.batch = Passport.objects.create(level="batch", gtin=GTIN, lot="L2026A", **common)
    w.item = Passport.objects.create(level="item", gtin=GTIN, lot="L2026A", serial="42", **common)
    w.item2 = Passport.objects.create(level="item", gtin=GTIN, lot="L2026A", serial="43", **common)
    w.asset = Passport.objects.create(level="item", giai="952012345ASSET1", **common)
    w.local = Passport.objects.create(level="item", **common)  # no GS1 prefix: platform identifier
    return w

