"""The demo's skills: illustrative needs (a job typical of the site's activity, not declared by the
company) for the sites of a division nearest a town, and illustrative training offers. No public
source of companies' skill needs or of training sessions ships with Boucle, so none of them is
presented as real. Nothing depends on today's date (the training offers have no end date)."""

import csv
from pathlib import Path

from boucle.matching.spatial import haversine_km

DATA = Path(__file__).parent / "data"
TRAINING_FILE = DATA / "demo_training.csv"
RULES_FILE = DATA / "demo_skill_rules.csv"
NOTE = "Exemple illustratif : besoin typique de l'activité, non déclaré par l'entreprise."


def load_demo_skills(sites):
    """Training offers, then the rules' needs for ``sites`` (the demo's); returns (trainings report, needs)."""
    from boucle.territories.models import Commune

    from .services import clean_declaration, import_trainings, save_declarations

    report = import_trainings(TRAINING_FILE)
    if not report.ok:
        return report, 0
    sites = list(sites.filter(lat__isnull=False, naf__isnull=False).order_by("site_id"))
    items = []
    with RULES_FILE.open(encoding="utf-8") as fh:
        for rule in csv.DictReader(fh):
            town = Commune.objects.get(insee=rule["near_commune_insee"])
            candidates = [s for s in sites if s.naf_id.startswith(rule["naf_division"])]
            if not candidates:
                continue
            km = haversine_km(town.lat, town.lon, [s.lat for s in candidates], [s.lon for s in candidates]).tolist()
            nearest = [s for _d, _id, s in sorted(zip(km, (s.site_id for s in candidates), candidates))][:int(rule["sites"])]
            for site in nearest:
                items.append((site, clean_declaration({**rule, "direction": "need", "note": NOTE, "illustrative": "true"})))
    created, updated, unchanged = save_declarations(items, source="demo")
    return report, created + updated + unchanged
