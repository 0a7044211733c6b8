"""The matching page tells a facilitator when the flows' automatic classes were read again with updated
reading rules, and links to what changed (``flows.readings``)."""

import pytest
from django.urls import reverse

from boucle.flows.models import Rereading

pytestmark = pytest.mark.django_db


def test_the_runs_page_tells_the_last_rereading_and_what_changed(region_facilitator):
    page = region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "règles de lecture à jour" not in page  # nothing read again yet
    Rereading.objects.create(fingerprint="x", reread=1234, changed=3, kept=2, transitions=[
        {"from": "wood_untreated", "to": "steel_scrap", "flows": 2}, {"from": "wood_untreated", "to": None, "flows": 1}])
    page = region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "flux relus avec les règles de lecture à jour (" in page and f'href="{reverse("rereading")}"' in page
    detail = region_facilitator.get(reverse("rereading")).content.decode()
    assert "Bois non traité (classe A)" in detail and "sans classe" in detail and "wood_untreated" not in detail


def test_an_empty_database_mark_is_no_rereading(region_facilitator):
    Rereading.objects.create(fingerprint="x")  # a new database records the rules it was made with
    assert "règles de lecture à jour" not in region_facilitator.get(reverse("matching-runs")).content.decode()
    assert "Aucune relecture pour l'instant" in region_facilitator.get(reverse("rereading")).content.decode()
