"""Illustrative shared equipment on the demo territory's manufacturing sites.

The demo's sites are real (iREP), their machines are not: each piece of equipment below is a
typical one for the site's activity (NAF division), marked as illustrative in its description, so
that the anonymised listing, the booking requests and the facilitator's micro-factory view have
something to show. Running it twice changes nothing.
"""

from decimal import Decimal

from django.db import transaction

from .models import Equipment

ILLUSTRATIVE = "Équipement illustratif (démonstration) : typique de l'activité du site, non déclaré par l'entreprise."
# NAF division prefix -> (name, category, conditions, price, unit, capacity)
TYPICAL = [
    ("25", "Centre d'usinage 5 axes", "machining", "Avec opérateur ou après formation", "85", "hour",
     "pièces jusqu'à 800 × 600 × 500 mm"),
    ("22", "Presse à injecter 250 t", "press", "Moules fournis par le demandeur", "60", "hour", "250 t de fermeture"),
    ("28", "Imprimante 3D métal (fusion laser)", "3d_printing", "Prototypes et petites séries", "120", "hour",
     "volume 250 × 250 × 300 mm"),
    ("20", "Laboratoire d'analyses (ICP, chromatographie)", "lab", "Analyses de matières et de déchets", "450", "day", ""),
    ("23", "Four de cuisson intermittent", "oven", "Cuissons d'essai, céramiques et réfractaires", "300", "day",
     "1 300 °C, 2 m³"),
    ("52", "Entrepôt couvert", "storage", "Stockage de matières premières secondaires, non dangereuses", "4", "day",
     "400 m², quai de chargement"),
]


@transaction.atomic
def load_demo_equipment(sites) -> int:
    """One typical machine on the first site of each listed NAF division; returns how many were created."""
    created = 0
    for prefix, name, category, conditions, price, unit, capacity in TYPICAL:
        site = (sites.filter(naf__code__startswith=prefix, closed=False, lat__isnull=False)
                .select_related("company").order_by("site_id").first())
        if site is None:
            continue
        _, made = Equipment.objects.get_or_create(
            site=site, name=name,
            defaults=dict(company=site.company, direction=Equipment.Direction.OFFER, category=category,
                          description=ILLUSTRATIVE, conditions=conditions, price=Decimal(price), price_unit=unit,
                          capacity=capacity),
        )
        created += made
    return created
