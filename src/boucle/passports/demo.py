"""Demonstration passports on the demo territory, under GS1's demonstration prefix 952.

``boucle passport demo`` (after ``boucle demo`` loaded the sites) issues a model, a batch and
two serialised items of a cordless drill at a manufacturing site, tells their life story
(commissioning, repair at the nearest repairer, dismantling at the nearest recycler), and
prints the URIs to scan. Running it twice changes nothing.
"""

from django.db import transaction

from boucle.epcis import disassembly_event, object_event
from boucle.gs1 import gtin_check_digit

from .events import capture
from .identifiers import site_uri
from .models import Event, Passport
from .nearby import REPAIR_DIVISIONS
from .services import save_passport

DEMO_GTIN = "0952001234500" + gtin_check_digit("0952001234500")
DRILL = dict(
    name="Perceuse-visseuse sans fil (démonstration)",
    description="Passeport de démonstration : préfixe GS1 952, réservé aux exemples.",
    composition=[{"material": "acier", "mass_kg": 0.55}, {"material": "cuivre", "mass_kg": 0.12},
                 {"material": "polyamide chargé verre", "mass_kg": 0.48},
                 {"material": "batterie lithium-ion", "mass_kg": 0.35}],
    hazardous_substances=[{"name": "Hexafluorophosphate de lithium (électrolyte)", "cas": "21324-40-3"}],
    recycled_content_percent=18, carbon_footprint_kg=21.0, carbon_method="ISO 14067 (démonstration)",
    repair_instructions="Charbons, interrupteur et mandrin se remplacent : vis cruciformes, aucune colle.",
    disassembly_instructions="Retirer la batterie, ouvrir le carter (8 vis), déclipser le moteur, séparer la carte.",
    reuse_instructions="Tester couple et batterie ; fournir la notice au nouvel utilisateur.",
    recycling_instructions="Batterie : collecte piles et accumulateurs. Outil : filière DEEE.",
)


def _manufacturer():
    from boucle.flows.models import Site

    return (Site.objects.filter(naf__code__regex=r"^2[5-8]", closed=False, lat__isnull=False).order_by("site_id").first()
            or Site.objects.filter(lat__isnull=False).order_by("site_id").first())


def _nearest(site, role):
    from boucle.flows.models import Site

    divisions = REPAIR_DIVISIONS if role == "repair" else ("38",)
    candidates = [s for s in Site.objects.filter(closed=False, lat__isnull=False, naf__isnull=False)
                  if s.naf_id[:2] in divisions]
    return min(candidates, key=lambda s: (s.lat - site.lat) ** 2 + (s.lon - site.lon) ** 2, default=None)


@transaction.atomic
def seed(stem: str = "http://localhost:8000") -> list[Passport]:
    """Issue the demo passports and their events (idempotent); returns the passports."""
    factory = _manufacturer()
    if factory is None:
        raise LookupError("no site with coordinates: load the demo territory first (boucle demo)")
    levels = [("model", "", ""), ("batch", "D2026", ""), ("item", "D2026", "0001"), ("item", "D2026", "0002")]
    passports = []
    for level, lot, serial in levels:
        found = Passport.objects.filter(gtin=DEMO_GTIN, lot=lot, serial=serial).first()
        passports.append(found or save_passport(Passport(level=level, gtin=DEMO_GTIN, lot=lot, serial=serial,
                                                         site=factory, **DRILL)))
    item = f"https://id.gs1.org/01/{DEMO_GTIN}/21/0001"
    events = [object_event([item], action="ADD", biz_step="commissioning", event_time="2026-01-15T09:00:00Z",
                           biz_location=site_uri(factory))]
    repairer, recycler = _nearest(factory, "repair"), _nearest(factory, "recycling")
    if repairer:
        events.append(object_event([item], biz_step="repairing", event_time="2026-06-03T15:00:00Z",
                                   biz_location=site_uri(repairer)))
    if recycler:
        events.append(disassembly_event(item, [f"https://id.gs1.org/01/{DEMO_GTIN}/21/0001-M"],
                                        event_time="2026-11-20T10:00:00Z", biz_location=site_uri(recycler)))
    for event in events:
        if not Event.objects.filter(event_id=event["eventID"]).exists():
            capture(event, None, visibility="public")
    return passports
