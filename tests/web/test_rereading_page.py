"""The matching page tells a facilitator when the flows' automatic classes were read again with updated
reading rules, and links to what changed (``flows.readings``)."""

import pytest
from django.urls import reverse

from boucle.flows.models import Rereading

pytestmark = pytest.mark.django_db


def test_the_runs_page_tells_the_last_rereading_and_what_changed(region_facilitator):
    page = region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "règles de lecture à jour" not in page  # nothing read again yet
    Rereading.objects.create(fingerprint="x", reread=1234, changed=3, kept=2, by_commune={"59350": {
        "reread": 1234, "changed": 3, "transitions": [["wood_untreated", "steel_scrap", 2], ["wood_untreated", None, 1]]}})
    page = region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "flux relus avec les règles de lecture à jour (" in page and f'href="{reverse("rereading")}"' in page
    detail = region_facilitator.get(reverse("rereading")).content.decode()
    assert "Bois non traité (classe A)" in detail and "sans classe" in detail and "wood_untreated" not in detail


def test_an_empty_database_mark_is_no_rereading(region_facilitator):
    Rereading.objects.create(fingerprint="x")  # a new database records the rules it was made with
    assert "règles de lecture à jour" not in region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "Aucune relecture pour l'instant" in region_facilitator.get(reverse("rereading")).content.decode()


def _reread_world(world):
    """Every flow of the world read again after its automatic class went stale: two flows in the facilitator's
    intercommunality (Lille, Villeneuve-d'Ascq), one in Metz, the other facilitator's."""
    from boucle.flows.models import Flow
    from boucle.flows.readings import record
    from boucle.flows.reclassify import reclassify_flows

    Flow.objects.update(material_class="wood_untreated", material_confidence=0.5)
    record(reclassify_flows())


def test_each_facilitator_reads_the_rereading_of_their_own_territory(world, as_persona):
    _reread_world(world)
    mine = as_persona("facilitator_t")
    runs = mine.get(reverse("matching-runs")).content.decode()
    assert "2 flux relus avec les règles de lecture à jour (" in runs and "3 flux" not in runs
    detail = mine.get(reverse("rereading")).content.decode()
    assert "<td>2</td>" in detail and "<td>3</td>" not in detail and "Bois non traité (classe A)" in detail
    other = as_persona("facilitator_other").get(reverse("matching-runs")).content.decode()
    assert "1 flux relu avec les règles de lecture à jour (" in other  # Metz's
    root = as_persona("superuser").get(reverse("matching-runs")).content.decode()
    assert "3 flux relus avec les règles de lecture à jour (" in root


def test_the_rereading_page_is_for_facilitators_only(world, as_persona):
    _reread_world(world)
    assert as_persona("member_a").get(reverse("rereading")).status_code == 403
    assert as_persona("anonymous").get(reverse("rereading")).status_code == 302


def test_a_rereading_recorded_before_the_counts_per_commune_says_it_counts_the_whole_platform(region_facilitator):
    Rereading.objects.create(fingerprint="x", reread=1234, changed=3, kept=2, transitions=[])
    page = region_facilitator.get(reverse("matching-runs")).content.decode().replace("\xa0", " ").replace("\u202f", " ")
    assert "1 234 flux relus sur toute la plateforme avec les règles de lecture à jour (" in page
