"""Proximity principle: a hazardous waste goes to one of the nearest appropriate installations, even a far one.

Directive 2008/98/EC art. 16: hazardous waste is treated « in one of the nearest appropriate installations ».
Authorised installations are few: a workshop's waste machining emulsions (12 01 09*) have their nearest
hazardous-waste treater (NACE 38.22) 110 km away, a second one 160 km away. Distance alone used to eliminate both;
the nearest is now proposed, and it ranks before the farther one.
"""

import pytest

from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site

KM_PER_DEGREE_LAT = 111.2


@pytest.fixture
def territory(db):
    shop = make_site("Mécanique de précision", lat=47.0, lon=2.0, commune="59350", naf="25.62A")
    emulsions = make_flow(shop, "Emulsions d'usinage usées", ewc="120109", quantity=80, unit="t", hazardous=True)
    near = make_site("Traitement des déchets dangereux", lat=47.0 + 110 / KM_PER_DEGREE_LAT, lon=2.0,
                     commune="59350", naf="38.22Z")
    far = make_site("Centre de traitement des déchets dangereux", lat=47.0 - 160 / KM_PER_DEGREE_LAT, lon=2.0,
                    commune="59350", naf="38.22Z")
    run_matching(None, 200)
    return {"emulsions": emulsions, "near": near, "far": far}


def test_the_nearest_authorised_treater_is_proposed_even_110_km_away(territory):
    proposed = list(Synergy.objects.filter(offer=territory["emulsions"], stale=False).order_by("-score"))
    sites = [s.need_site_id for s in proposed]
    assert territory["near"].pk in sites
    assert sites[0] == territory["near"].pk  # the nearest first
    assert 105 < proposed[0].distance_km < 115
