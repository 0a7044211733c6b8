"""Test helpers shared by every domain's tests: valid SIRETs, sites, flows, personas.

Kept in the package (not under tests/) so the tests next to each domain can use it.
"""

import itertools

from stdnum import luhn

_counter = itertools.count(1)


def make_siren() -> str:
    base = f"{next(_counter) + 73282930:08d}"[-8:]
    return base + luhn.calc_check_digit(base)


def make_siret(siren: str | None = None, nic: int = 1) -> str:
    siren = siren or make_siren()
    base = f"{siren}{nic:04d}"
    return base + luhn.calc_check_digit(base)


def make_site(name="Site", *, siret=None, lat=50.63, lon=3.06, commune="59350", naf=None, published=False,
              external_id=None, company=None):
    from boucle.flows.models import Company, Site

    if external_id:
        company = company or Company.objects.create(external_key=f"site:{external_id}", name=name, published=published)
        return Site.objects.create(company=company, site_id=external_id, id_kind="external", name=name, lat=lat,
                                   lon=lon, commune_id=commune, naf_id=naf)
    siret = siret or make_siret()
    company = company or Company.objects.get_or_create(siren=siret[:9], defaults={"name": name, "published": published})[0]
    return Site.objects.create(company=company, site_id=siret, id_kind="siret", name=name, lat=lat, lon=lon,
                               commune_id=commune, naf_id=naf)


def make_flow(site, label="Cendres volantes", *, direction="offer", kind="material", ewc=None, quantity=None,
              unit="", material_class="", **extra):
    from boucle.flows.importers import flow_identity
    from boucle.flows.models import Flow

    return Flow.objects.create(site=site, direction=direction, kind=kind, label=label, ewc_id=ewc,
                               quantity=quantity, unit=unit, material_class=material_class,
                               quantity_base=quantity if unit == "t" else extra.pop("quantity_base", None),
                               base_unit="t" if unit == "t" else extra.pop("base_unit", ""),
                               identity=flow_identity(direction, kind, label, ewc, ""), **extra)


def _slow_hasher():
    from django.contrib.auth.hashers import MD5PasswordHasher

    class SlowPasswordHasher(MD5PasswordHasher):
        """A password check as slow as a real one (0.3 s, sleeping), counting its calls: lets a test
        make a burst of logins overlap, and count how many passwords were really tried."""

        algorithm = "slow_md5"
        checked: list = []

        def verify(self, password, encoded):
            SlowPasswordHasher.checked.append(password)
            import time

            time.sleep(0.3)
            return super().verify(password, encoded)

    return SlowPasswordHasher


def __getattr__(name):  # the hasher class is built on first use: this module imports no Django at load time
    if name == "SlowPasswordHasher":
        globals()[name] = _slow_hasher()
        return globals()[name]
    raise AttributeError(name)
