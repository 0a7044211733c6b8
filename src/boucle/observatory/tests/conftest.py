"""A hand-built territory for the observatory tests.

Region 32 (Hauts-de-France): département 59 with the MEL (Lille, Villeneuve-d'Ascq)
and Dunkerque's EPCI, département 62 with Arras and Calais. One company in Metz
(region 44) must never count in region 32. Quantities are chosen so that sums are
easy to check by hand and no two territories share a total by chance.
"""

from dataclasses import dataclass

import pytest

PLACES = {  # commune: (lat, lon)
    "59350": (50.632, 3.047), "59009": (50.632, 3.153), "59183": (51.030, 2.337),
    "62041": (50.290, 2.766), "62193": (50.952, 1.874), "57463": (49.108, 6.196),
}
MEL, DUNKERQUE, ARRAS = "200093201", "245900428", "200033579"


@dataclass
class ObsWorld:
    sites: dict
    flows: dict
    synergies: dict
    users: dict


def _site(name, commune, naf):
    from boucle.testing import make_site

    lat, lon = PLACES[commune]
    return make_site(name, lat=lat, lon=lon, commune=commune, naf=naf)


@pytest.fixture
def obs_world(db):
    # Django imports inside: the pure tests of this folder run without Django.
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Facilitator
    from boucle.matching.models import Synergy, VerifiedOutcome
    from boucle.testing import make_flow

    s = {
        "lille_a": _site("Fonderie Lille A", "59350", "24.51Z"),
        "lille_b": _site("Cimenterie Lille B", "59350", "23.51Z"),
        "vda": _site("Centrale VdA", "59009", "35.11Z"),
        "dk": _site("Aciérie Dunkerque", "59183", "24.10Z"),
        "arras": _site("Papeterie Arras", "62041", "17.12Z"),
        "calais": _site("Verrerie Calais", "62193", "23.13Z"),
        "metz": _site("Usine Metz", "57463", "20.14Z"),
    }
    f = {
        "lille_a_sand": make_flow(s["lille_a"], "Sables de fonderie", quantity=1200, unit="t", material_class="foundry_sand"),
        "lille_b_need_sand": make_flow(s["lille_b"], "Sable pour cru", direction="need", quantity=900, unit="t",
                                       material_class="foundry_sand"),
        "vda_ash": make_flow(s["vda"], "Cendres volantes", quantity=5000, unit="t", material_class="fly_ash"),
        "vda_heat": make_flow(s["vda"], "Chaleur fatale", kind="energy", quantity=None, unit="",
                              quantity_base=3000, base_unit="MWh", material_class="waste_heat"),
        "lille_b_need_ash": make_flow(s["lille_b"], "Cendres pour cru", direction="need", quantity=4000, unit="t",
                                      material_class="fly_ash"),
        "dk_slag": make_flow(s["dk"], "Laitier", quantity=70000, unit="t", material_class="slag"),
        "dk_water": make_flow(s["dk"], "Eau de process", kind="water", quantity_base=20000, base_unit="m3",
                              material_class="process_water"),
        "arras_need_water": make_flow(s["arras"], "Eau", direction="need", kind="water", quantity_base=15000,
                                      base_unit="m3", material_class="process_water"),
        "arras_paper": make_flow(s["arras"], "Rebuts papier", quantity=300, unit="t", material_class="paper_cardboard"),
        "calais_need_cullet": make_flow(s["calais"], "Calcin", direction="need", quantity=800, unit="t",
                                        material_class="glass_cullet"),
        "metz_ash": make_flow(s["metz"], "Cendres Metz", quantity=999, unit="t", material_class="fly_ash"),
    }

    def syn(offer, need, status, **kw):
        return Synergy.objects.create(offer=f[offer], need=f[need], need_site=f[need].site,
                                      material_class=f[offer].material_class, distance_km=kw.pop("km", 10.0),
                                      score=0.8, status=status, **kw)

    y = {
        "sand": syn("lille_a_sand", "lille_b_need_sand", "running", quantity_t=900, tonnes_diverted=900,
                    co2e_avoided_t=45, eur_saved=18000),
        "ash": syn("vda_ash", "lille_b_need_ash", "suggested", quantity_t=4000, tonnes_diverted=4000,
                   co2e_avoided_t=3200, eur_saved=120000),
        "water": syn("dk_water", "arras_need_water", "in_discussion", km=95.0, quantity_t=15000,
                     tonnes_diverted=None, co2e_avoided_t=2, eur_saved=30000),
        "declined": syn("arras_paper", "lille_b_need_sand", "declined", quantity_t=300, tonnes_diverted=300),
    }
    VerifiedOutcome.objects.create(synergy=y["sand"], tonnes_per_year=700, co2e_avoided_t_per_year=30,
                                   eur_per_year=9000)
    User = get_user_model()
    # No password: tests log in with force_login, and hashing one costs a second.
    users = {name: User.objects.create(username=name, email=f"{name}@example.org")
             for name in ("fac_mel", "fac_arras", "fac_region", "company")}
    Facilitator.objects.create(user=users["fac_mel"], level="epci", code=MEL)
    Facilitator.objects.create(user=users["fac_arras"], level="epci", code=ARRAS)
    Facilitator.objects.create(user=users["fac_region"], level="region", code="32")
    return ObsWorld(sites=s, flows=f, synergies=y, users=users)
