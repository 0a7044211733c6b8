"""Fixtures for the web and API tests; the data they build is described in ``web_personas``."""

import pytest
from django.contrib.auth import get_user_model

from boucle.accounts.models import Facilitator, Membership
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site, make_siret
from web_personas import EPCI_OTHER, EPCI_T, PASSWORD, World, coordinate_secrets


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The production hasher takes ~1 s per password on a small machine; tests need none of its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(name, **extra):
    return get_user_model().objects.create_user(name, f"{name}@example.org", PASSWORD, **extra)


@pytest.fixture
def region_facilitator(db):
    """A test client logged in as a facilitator of the Hauts-de-France region (code 32)."""
    from django.test import Client

    user = _user("animatrice")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db, fast_passwords):
    siret = {"A": make_siret(), "B": make_siret(), "C": make_siret()}
    a = make_site("Usine Alphaciment", siret=siret["A"], lat=50.631917, lon=3.057256, commune="59350", naf="23.51Z")
    b = make_site("Centrale Bravotherm", siret=siret["B"], lat=50.640123, lon=3.141592, commune="59009", naf="35.11Z")
    c = make_site("Papeterie Charliepap", siret=siret["C"], lat=49.119876, lon=6.175432, commune="57463", naf="17.12Z")
    for site, company in ((a, "Alphaciment SA"), (b, "Bravotherm SAS"), (c, "Charliepap SARL")):
        site.company.name = company
        site.company.save()
    flows = {
        "a_need_ash": make_flow(a, "Cendres pour cru Alphaciment", direction="need", ewc="100102", quantity=40000,
                                unit="t", material_class="fly_ash"),
        "b_offer_ash": make_flow(b, "Cendres volantes tranche Bravotherm", ewc="100102", quantity=60000, unit="t",
                                 material_class="fly_ash"),
        "c_offer_sludge": make_flow(c, "Boues Charliepap", ewc="030311", quantity=800, unit="t",
                                    material_class="fly_ash"),
    }
    synergies = {
        "ab": Synergy.objects.create(offer=flows["b_offer_ash"], need=flows["a_need_ash"], need_site=a,
                                     material_class="fly_ash", distance_km=6.3, quantity_t=40000, score=0.92,
                                     tonnes_diverted=40000, co2e_avoided_t=3200, eur_saved=400000,
                                     explanation={"distance": 0.9, "quantity_fit": 0.95}),
        "ca": Synergy.objects.create(offer=flows["c_offer_sludge"], need=flows["a_need_ash"], need_site=a,
                                     material_class="fly_ash", distance_km=290, quantity_t=800, score=0.41,
                                     tonnes_diverted=800),
    }
    users = {
        "member_a": _user("member_a"), "admin_a": _user("admin_a"), "member_b": _user("member_b"),
        "facilitator_t": _user("facilitator_t"), "facilitator_other": _user("facilitator_other"),
        "superuser": get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD),
    }
    Membership.objects.create(user=users["member_a"], company=a.company, role="member")
    Membership.objects.create(user=users["admin_a"], company=a.company, role="admin")
    Membership.objects.create(user=users["member_b"], company=b.company, role="member")
    Facilitator.objects.create(user=users["facilitator_t"], level="epci", code=EPCI_T)
    Facilitator.objects.create(user=users["facilitator_other"], level="epci", code=EPCI_OTHER)
    secrets = {}
    for letter, site in (("A", a), ("B", b), ("C", c)):
        labels = [f.label for f in site.flows.all()]
        contacts = [m.user.email for m in site.company.memberships.select_related("user")]  # who to write to
        secrets[letter] = ([site.company.name, site.name, site.site_id, site.site_id[:9]] + coordinate_secrets(site)
                           + labels + contacts)
    return World(sites={"A": a, "B": b, "C": c}, flows=flows, synergies=synergies, users=users, secrets=secrets)


@pytest.fixture
def as_persona(client, world):
    """A test client logged in as the given persona (anonymous: logged out)."""

    def login(persona):
        client.logout()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return login
