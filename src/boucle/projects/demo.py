"""The demo territory's call for projects: the Hauts-de-France AMI « Mobilités durables ».

Its title, purpose, answer-file sections and assessment criteria are those of the region's
published call (``shared/seeds/000``, delibération du conseil régional); the dates are set
around the day the demo is loaded so that the call is open. Running it twice changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import rules
from .models import Call, StatusChange

TITLE = "Mobilités durables : composants et ressources pour les mobilités durables"
SUMMARY = (
    "Appel à manifestation d'intérêt de la Région Hauts-de-France : développer l'économie circulaire au "
    "service d'une économie décarbonée dans l'automobile, le ferroviaire, l'aéronautique et les autres "
    "mobilités. Nouvelles boucles de valeur (écoconception, réemploi, recyclage, symbioses industrielles), "
    "réparation et reconditionnement, outils numériques de traçabilité et de maintenance, « micro factories » "
    "mutualisant des moyens de prototypage, machines pour la fabrication de batteries. L'AMI n'attribue pas "
    "de financement : les propositions sont orientées vers les dispositifs régionaux ou européens. "
    "Les pièces transmises restent confidentielles. (Reprise de démonstration de l'AMI publié.)"
)
THEMES = "économie circulaire, mobilités, réemploi, recyclage, symbiose industrielle, micro-usine"


@transaction.atomic
def load_demo_call(region_code: str, author) -> tuple[Call, bool]:
    """The published demo call of the region, created on first run."""
    today = timezone.localdate()
    call, created = Call.objects.get_or_create(
        title=TITLE, territory_level="region", territory_code=region_code,
        defaults=dict(summary=SUMMARY, themes=THEMES, territory_name="Hauts-de-France",
                      opens_on=today - dt.timedelta(days=30), closes_on=today + dt.timedelta(days=3 * 365),
                      questions=list(rules.DEFAULT_QUESTIONS), status=rules.PUBLISHED, created_by=author),
    )
    if created:
        StatusChange.objects.create(call=call, from_status="", to_status=rules.PUBLISHED, author=author,
                                    note="démonstration")
    return call, created
