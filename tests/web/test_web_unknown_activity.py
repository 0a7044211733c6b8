"""A synergy proposed to a site of unknown activity (a receiver of last resort, issue 11) says so on its page,
in French and English, and never that its need was deduced from its activity."""

from django.utils import translation

from boucle.web.words import explanation_sentences

UNKNOWN = {"offer_class": "waste_heat_low", "offer_class_confidence": 1.0, "need_class": "waste_heat_low",
           "need_confidence": 0.15, "compatibility": 1.0, "inferred_factor": 0.8, "distance_decay": 0.91,
           "merit": 0.7, "rule_id": "unknown:waste_heat_low", "source": "", "receiver_activity": None,
           "declared_need": False, "unknown_activity": True, "hazardous": False}
ORIGINS = {"offer": "label", "need": "activity"}


def test_the_page_says_the_receivers_activity_is_unknown_not_deduced():
    with translation.override("fr"):
        said = " ".join(explanation_sentences(UNKNOWN, origins=ORIGINS))
    assert "dont l'activité est inconnue" in said and "l'activité du site receveur est inconnue" in said
    assert "déduit de l'activité" not in said and "déduite de l'activité" not in said
    with translation.override("en"):
        said = " ".join(explanation_sentences(UNKNOWN, origins=ORIGINS))
    assert "whose activity is unknown" in said and "activity is unknown" in said
