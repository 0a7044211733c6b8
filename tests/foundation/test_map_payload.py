"""The facilitator map never ships the whole territory at once."""

import pytest
from django.urls import reverse

from boucle.accounts.models import Facilitator
from boucle.testing import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(client, django_user_model):
    user = django_user_model.objects.create_user("anim", password="pw-123456789")
    Facilitator.objects.create(user=user, level="region", code="32")
    client.force_login(user)
    return user


def test_zoomed_out_map_returns_epci_aggregates(client, facilitator):
    for i in range(5):
        make_site(f"Site {i}", commune="59350", lat=50.63 + i / 1000, lon=3.06)
    make_site("Strasbourg", commune="67482", lat=48.58, lon=7.75)  # outside the facilitator's region
    data = client.get(reverse("map-sites"), {"zoom": 7}).json()
    assert data["mode"] == "aggregates"
    assert [(c["epci"], c["count"]) for c in data["clusters"]] == [("200093201", 5)]


def test_zoomed_in_map_returns_sites_in_the_bounding_box_only(client, facilitator):
    inside = make_site("Dans la vue", commune="59350", lat=50.63, lon=3.06)
    make_site("Hors vue", commune="59350", lat=50.70, lon=3.30)
    data = client.get(reverse("map-sites"), {"zoom": 13, "bbox": "3.0,50.6,3.1,50.66"}).json()
    assert data["mode"] == "sites" and [s["id"] for s in data["sites"]] == [inside.pk]


def test_bad_parameters_are_400(client, facilitator):
    assert client.get(reverse("map-sites"), {"bbox": "a,b"}).status_code == 400
    assert client.get(reverse("map-sites"), {"zoom": "x"}).status_code == 400
