"""Demonstration passports on the demo territory, under GS1's demonstration prefix 952.

``boucle demo`` (and ``boucle passport demo``) issues a model, a batch and two serialised
items of a cordless drill at a manufacturing site with their life story (commissioning, repair
at the nearest repairer, dismantling at the nearest recycler); a traction battery pack
aggregated from its modules and cells, a permanent-magnet motor and a 15-year-old machine
tool, with their composition and events at fixed dates. Running it twice changes nothing.
"""

from django.db import transaction

from boucle.epcis import aggregation_event, disassembly_event, object_event
from boucle.gs1 import gtin_check_digit

from .events import capture
from .identifiers import site_uri
from .models import Event, Passport
from .nearby import REPAIR_DIVISIONS
from .services import save_passport

DEMO_GTIN = "0952001234500" + gtin_check_digit("0952001234500")
DRILL = dict(
    name="Perceuse-visseuse sans fil (démonstration)",
    description="Passeport de démonstration : un exemple, pas un produit réel (son code produit est réservé aux exemples).",
    composition=[{"material": "acier", "mass_kg": 0.55}, {"material": "cuivre", "mass_kg": 0.12},
                 {"material": "polyamide chargé verre", "mass_kg": 0.48},
                 {"material": "batterie lithium-ion", "mass_kg": 0.35}],
    hazardous_substances=[{"name": "Hexafluorophosphate de lithium (électrolyte)", "cas": "21324-40-3"}],
    recycled_content_percent=18, carbon_footprint_kg=21.0, carbon_method="ISO 14067 (démonstration)",
    repair_instructions="Charbons, interrupteur et mandrin se remplacent : vis cruciformes, aucune colle.",
    disassembly_instructions="Retirer la batterie, ouvrir le carter (8 vis), déclipser le moteur, séparer la carte.",
    reuse_instructions="Tester couple et batterie ; fournir la notice au nouvel utilisateur.",
    recycling_instructions="Batterie : collecte piles et accumulateurs. Outil : filière DEEE.",
    spare_parts=[{"part": "charbons du moteur", "available_years": 7, "delivery_days": 5},
                 {"part": "mandrin autoserrant", "available_years": 7, "delivery_days": 5},
                 {"part": "batterie 18 V", "available_years": 10, "delivery_days": 3}],
    disassembly_steps=[{"step": "Retirer la batterie", "tools": []},
                       {"step": "Ouvrir le carter (8 vis)", "tools": ["tournevis cruciforme PH1"]},
                       {"step": "Déclipser le moteur et séparer la carte électronique", "tools": ["spatule plastique"]}],
)
#: A product category that has a French repairability index, to show one (scores illustrative).
VACUUM_GTIN = "0952001234600" + gtin_check_digit("0952001234600")
VACUUM = dict(
    name="Aspirateur balai sans fil (démonstration)",
    description="Passeport de démonstration : les notes de l'indice de réparabilité sont illustratives, "
                "publiées par aucun fabricant.",
    composition=[{"material": "polypropylène", "mass_kg": 1.1}, {"material": "moteur électrique", "mass_kg": 0.4},
                 {"material": "batterie lithium-ion", "mass_kg": 0.5}],
    repair_instructions="Batterie, filtre et brosse se remplacent sans outil ; moteur : réparateur agréé.",
    repairability={"category": "vacuum_cleaner", "criteria": {"documentation": 16, "disassembly": 14,
                                                              "spare_parts_availability": 18, "spare_parts_price": 12,
                                                              "specific": 15},
                   "source": "démonstration (critères illustratifs)"},
    spare_parts=[{"part": "batterie", "available_years": 10, "delivery_days": 5},
                 {"part": "filtre", "available_years": 10, "delivery_days": 5}],
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


# --- the demonstration's equipment: a traction battery pack, a motor, an industrial machine -------

def _gtin(reference: str) -> str:
    return "0952001" + reference + gtin_check_digit("0952001" + reference)


PACK_GTIN, MODULE_GTIN, CELL_GTIN = _gtin("234510"), _gtin("234520"), _gtin("234530")
MOTOR_GTIN, MACHINE_GTIN = _gtin("345600"), _gtin("456700")
MODULES, CELLS_PER_MODULE = 2, 4

PACK = dict(
    name="Pack batterie de traction NMC 52 kWh (démonstration)",
    description="Passeport de démonstration : pack de véhicule électrique, 2 modules de 4 cellules (un exemple, pas un produit réel).",
    composition=[{"material": "cellules lithium-ion NMC 811", "mass_kg": 240.0}, {"material": "aluminium", "mass_kg": 68.0},
                 {"material": "cuivre", "mass_kg": 22.0}, {"material": "acier", "mass_kg": 35.0},
                 {"material": "électronique de gestion (BMS)", "mass_kg": 4.5}],
    hazardous_substances=[{"name": "Hexafluorophosphate de lithium (électrolyte)", "cas": "21324-40-3"},
                          {"name": "Oxyde de nickel, manganèse et cobalt (cathode)", "cas": "346417-97-8"}],
    carbon_footprint_kg=4300.0, carbon_method="Règlement (UE) 2023/1542, art. 7 (démonstration)",
    repair_instructions="Module défaillant remplaçable : consigner le pack, déposer le capot (24 vis), débrancher le BMS.",
    disassembly_instructions="Décharger, ouvrir le carter, déconnecter les barres omnibus, extraire les modules puis les cellules.",
    reuse_instructions="Seconde vie en stockage stationnaire si l'état de santé dépasse 70 %.",
    recycling_instructions="Recycleur agréé de batteries de traction : broyage en masse noire puis hydrométallurgie.",
)
MODULE = dict(name="Module de batterie NMC, 4 cellules (démonstration)",
              composition=[{"material": "cellules lithium-ion NMC 811", "mass_kg": 120.0}, {"material": "aluminium", "mass_kg": 9.0}],
              description="Module du pack de démonstration.")
CELL = dict(name="Cellule lithium-ion NMC 811 prismatique (démonstration)",
            composition=[{"material": "cathode NMC 811", "mass_kg": 11.0}, {"material": "graphite", "mass_kg": 7.0},
                         {"material": "cuivre", "mass_kg": 3.0}, {"material": "aluminium", "mass_kg": 4.0},
                         {"material": "électrolyte", "mass_kg": 5.0}],
            description="Cellule du pack de démonstration.")
MOTOR = dict(
    name="Moteur synchrone à aimants permanents NdFeB 150 kW (démonstration)",
    description="Passeport de démonstration : moteur de traction, rotor à aimants néodyme-fer-bore.",
    composition=[{"material": "acier électrique", "mass_kg": 38.0}, {"material": "cuivre", "mass_kg": 12.0},
                 {"material": "aimants NdFeB", "mass_kg": 1.8}, {"material": "aluminium", "mass_kg": 14.0}],
    repair_instructions="Roulements et codeur remplaçables ; ne pas démagnétiser le rotor (pas de chauffe au-delà de 80 °C).",
    disassembly_instructions="Extraire le rotor à la presse, déposer les aimants par démagnétisation thermique contrôlée.",
    recycling_instructions="Aimants : filière de recyclage des terres rares ; bobinage : filière cuivre.",
)
MACHINE = dict(
    name="Centre d'usinage 3 axes (démonstration)",
    description="Passeport de démonstration : machine-outil mise en service en 2011, candidate au rétrofit.",
    composition=[{"material": "fonte", "mass_kg": 4200.0}, {"material": "acier", "mass_kg": 1500.0},
                 {"material": "cuivre", "mass_kg": 120.0}, {"material": "huile hydraulique", "mass_kg": 60.0}],
    repair_instructions="Broche, vis à billes et commande numérique se remplacent ; contrat de maintenance du fabricant.",
    reuse_instructions="Rétrofit de la commande numérique et des moteurs d'axes avant revente d'occasion.",
    production_equipment=True,
    spare_parts=[{"part": "cartouche de broche", "available_years": 10, "delivery_days": 30},
                 {"part": "vis à billes d'axe", "available_years": 10, "delivery_days": 45}],
    disassembly_steps=[{"step": "Consigner la machine (électricité, air, hydraulique)", "tools": ["cadenas de consignation"]},
                       {"step": "Vidanger l'huile hydraulique vers la filière huiles usagées", "tools": ["pompe de vidange"]},
                       {"step": "Déposer la broche et les moteurs d'axes", "tools": ["palan", "clés dynamométriques"]}],
)


def _site(naf_regex: str, fallback):
    from boucle.flows.models import Site

    return (Site.objects.filter(naf__code__regex=naf_regex, closed=False, lat__isnull=False).order_by("site_id").first()
            or fallback)


def _issue(gtin, serial, site, fields, level="item") -> Passport:
    found = Passport.objects.filter(gtin=gtin, lot="", serial=serial).first()
    return found or save_passport(Passport(level=level, gtin=gtin, serial=serial, site=site, **fields))


def _uri(gtin, serial):
    return f"https://id.gs1.org/01/{gtin}/21/{serial}"


@transaction.atomic
def seed_equipment() -> list[Passport]:
    """The battery pack (with its modules and cells), the motor and the machine, with their
    composition and life events at fixed dates (idempotent); returns the passports."""
    factory = _manufacturer()
    if factory is None:
        raise LookupError("no site with coordinates: load the demo territory first (boucle demo)")
    electrical = _site(r"^27", factory)
    machinery = _site(r"^28", factory)
    pack = _issue(PACK_GTIN, "P0001", electrical, PACK)
    modules = [_issue(MODULE_GTIN, f"P0001-M{m}", electrical, MODULE) for m in range(1, MODULES + 1)]
    cells = {m: [_issue(CELL_GTIN, f"P0001-M{m}-C{c}", electrical, CELL) for c in range(1, CELLS_PER_MODULE + 1)]
             for m in range(1, MODULES + 1)}
    motor = _issue(MOTOR_GTIN, "E0001", electrical, MOTOR)
    machine = _issue(MACHINE_GTIN, "U0001", machinery, MACHINE)
    at_electrical, at_machinery = site_uri(electrical), site_uri(machinery)
    events = []
    for m in range(1, MODULES + 1):
        module = _uri(MODULE_GTIN, f"P0001-M{m}")
        events.append(aggregation_event(module, [_uri(CELL_GTIN, f"P0001-M{m}-C{c}") for c in range(1, CELLS_PER_MODULE + 1)],
                                        event_time=f"2024-03-0{m}T08:00:00Z", biz_location=at_electrical))
    pack_uri = _uri(PACK_GTIN, "P0001")
    events += [
        aggregation_event(pack_uri, [_uri(MODULE_GTIN, f"P0001-M{m}") for m in range(1, MODULES + 1)],
                          event_time="2024-03-05T08:00:00Z", biz_location=at_electrical),
        object_event([pack_uri], action="ADD", biz_step="commissioning", event_time="2024-03-06T09:00:00Z",
                     biz_location=at_electrical),
        object_event([pack_uri], biz_step="inspecting", event_time="2026-03-06T10:00:00Z", biz_location=at_electrical),
        object_event([_uri(MOTOR_GTIN, "E0001")], action="ADD", biz_step="commissioning",
                     event_time="2024-04-02T09:00:00Z", biz_location=at_electrical),
        object_event([_uri(MOTOR_GTIN, "E0001")], biz_step="repairing", event_time="2026-02-11T14:00:00Z",
                     biz_location=at_electrical),
        object_event([_uri(MACHINE_GTIN, "U0001")], action="ADD", biz_step="commissioning",
                     event_time="2011-09-15T09:00:00Z", biz_location=at_machinery),
        object_event([_uri(MACHINE_GTIN, "U0001")], biz_step="inspecting", event_time="2025-09-15T09:00:00Z",
                     biz_location=at_machinery),
    ]
    for event in events:
        if not Event.objects.filter(event_id=event["eventID"]).exists():
            capture(event, None, visibility="public")
    return [pack, *modules, *[c for m in cells.values() for c in m], motor, machine]


def seed_all(stem: str = "http://localhost:8000") -> list[Passport]:
    """Every demonstration passport: the drill's story, the equipment, the spindle fleet, the vacuum
    cleaner with its repairability index and the machine park (idempotent). A demo database seeded
    before passports had a public chain gets it here (``build_public_chain``, idempotent too)."""
    from .events import build_public_chain
    from .models import ChainHead

    passports = [*seed(stem), *seed_equipment(), *seed_fleet(), *seed_vacuum(), *seed_machine_park()]
    for head in ChainHead.objects.filter(passport__in=passports, length__gt=0, public_signed={}):
        build_public_chain(head)
    return passports


def seed_vacuum() -> list[Passport]:
    factory = _manufacturer()
    found = Passport.objects.filter(gtin=VACUUM_GTIN, lot="", serial="").first()
    return [found or save_passport(Passport(level="model", gtin=VACUUM_GTIN, site=factory, **VACUUM))]


# --- the machine park: illustrative production machines with their commissioning year ------------

PARK_KINDS = ("tour à commande numérique", "centre d'usinage", "presse plieuse", "presse à injecter",
              "robot de soudage", "cisaille guillotine")
# one GTIN per kind of machine: a GTIN names one trade item, so a press brake cannot carry the machining
# centre's (GS1 General Specifications 4.2, GTIN allocation rules)
PARK_GTINS = tuple(_gtin(f"4567{k + 1:02d}") for k in range(len(PARK_KINDS)))
PARK_YEARS = (1994, 1998, 2001, 2003, 2005, 2006, 2008, 2009, 2010, 2012, 2013, 2015, 2016, 2018, 2019, 2020,
              2021, 2022, 2023, 2024)


@transaction.atomic
def seed_machine_park() -> list[Passport]:
    """20 illustrative machines at the demo's manufacturing sites (NAF 22, 25, 28, 29), one per
    year of ``PARK_YEARS``, each with its commissioning event (idempotent)."""
    from boucle.flows.models import Site

    sites = list(Site.objects.filter(naf__code__regex=r"^(22|25|28|29)", closed=False, lat__isnull=False,
                                     commune__isnull=False).order_by("site_id")[:len(PARK_YEARS)])
    if not sites:
        return []
    passports, events = [], []
    for i, year in enumerate(PARK_YEARS):
        site, kind, gtin = sites[i % len(sites)], PARK_KINDS[i % len(PARK_KINDS)], PARK_GTINS[i % len(PARK_KINDS)]
        serial = f"U{i + 2:04d}"
        fields = dict(name=f"{kind.capitalize()} (exemple illustratif, mis en service en {year})",
                      description="Machine illustrative du parc de démonstration : ni la machine ni son âge ne sont réels.",
                      production_equipment=True)
        passports.append(_issue(gtin, serial, site, fields))
        events.append(object_event([_uri(gtin, serial)], action="ADD", biz_step="commissioning",
                                   event_time=f"{year}-03-01T08:00:00Z", biz_location=site_uri(site)))
    known = set(Event.objects.filter(event_id__in=[e["eventID"] for e in events]).values_list("event_id", flat=True))
    for event in events:
        if event["eventID"] not in known:
            capture(event, None, visibility="public")
    return passports


# --- a fleet for the remaining-life model: spindle cartridges with usage and failures ------------

SPINDLE_GTIN = _gtin("567800")
FLEET_SIZE, FLEET_SEED = 60, 2026
#: The simulated law (not shown as data: the model must find it) and the fleet's duty.
FLEET_SHAPE, FLEET_SCALE_H, HOURS_PER_DAY = 2.5, 30_000.0, 11.0
FLEET_OBSERVED_ON = "2026-06-30"  # the last reading of running items: fixed, not today's date
SPINDLE = dict(
    name="Cartouche de broche à roulements (démonstration, flotte simulée)",
    description="Passeport de démonstration : flotte simulée de 60 cartouches de broche, heures de marche "
                "et défaillances générées (loi de Weibull) pour l'estimation de durée de vie restante.",
    composition=[{"material": "acier à roulements 100Cr6", "mass_kg": 14.0}, {"material": "fonte", "mass_kg": 22.0}],
    repair_instructions="Changer les roulements en atelier propre ; rééquilibrer la broche.",
)


def _hours_event(uri, hours, when, location, **kwargs):
    sensor = [{"sensorMetadata": {"time": when}, "sensorReport": [{"type": "gs1:Time", "value": round(hours, 1),
                                                                     "uom": "HUR"}]}]
    return object_event([uri], event_time=when, biz_location=location, extensions={"sensorElementList": sensor},
                        **kwargs)


@transaction.atomic
def seed_fleet() -> list[Passport]:
    """60 spindle cartridges installed between 2019 and 2023, each with its commissioning and
    either a failure (disposition damaged, with the hours reached) or its last running-hours
    reading on a fixed date; generated from a fixed seed, so idempotent."""
    import datetime as dt

    import numpy as np

    factory = _manufacturer()
    if factory is None:
        raise LookupError("no site with coordinates: load the demo territory first (boucle demo)")
    site = _site(r"^28", factory)
    location = site_uri(site)
    rng = np.random.default_rng(FLEET_SEED)
    lives = FLEET_SCALE_H * rng.weibull(FLEET_SHAPE, FLEET_SIZE)
    end = dt.datetime.fromisoformat(FLEET_OBSERVED_ON + "T17:00:00+00:00")
    passports, events = [], []
    for i, life in enumerate(lives):
        serial = f"B{i + 1:03d}"
        passports.append(_issue(SPINDLE_GTIN, serial, site, SPINDLE))
        uri = _uri(SPINDLE_GTIN, serial)
        start = dt.datetime(2019, 1, 7, 8, tzinfo=dt.timezone.utc) + dt.timedelta(days=25 * i)
        events.append(_hours_event(uri, 0, start.strftime("%Y-%m-%dT%H:%M:%SZ"), location, action="ADD",
                                   biz_step="commissioning"))
        available = (end - start).days * HOURS_PER_DAY
        if life < available:
            failed = start + dt.timedelta(days=float(life) / HOURS_PER_DAY)
            events.append(_hours_event(uri, life, failed.strftime("%Y-%m-%dT%H:%M:%SZ"), location,
                                       biz_step="inspecting", disposition="damaged"))
        else:
            events.append(_hours_event(uri, available, end.strftime("%Y-%m-%dT%H:%M:%SZ"), location,
                                       biz_step="inspecting"))
    known = set(Event.objects.filter(event_id__in=[e["eventID"] for e in events]).values_list("event_id", flat=True))
    for event in events:
        if event["eventID"] not in known:
            capture(event, None, visibility="public")
    return passports
