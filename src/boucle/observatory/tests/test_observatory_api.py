"""The API functions of the observatory give the public version unless the caller facilitates the territory."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from boucle.api import observatory as api

pytestmark = pytest.mark.django_db
MEL = "200093201"


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_observatory_api_indicators_public_for_visitors_full_for_facilitators(obs_world):
    public = api.indicators(_request(AnonymousUser()), f"epci:{MEL}")
    assert public["public"] is True
    sand = [r for r in public["flows"] if r["material_class"] == "foundry_sand"]
    assert all(r["quantity"] is None for r in sand)  # one company each side
    full = api.indicators(_request(obs_world.users["fac_mel"]), f"epci:{MEL}")
    assert full["public"] is False
    assert [r for r in full["flows"] if r["material_class"] == "foundry_sand" and r["direction"] == "offer"][0][
        "quantity"] == 1200
    assert api.indicators(_request(obs_world.users["fac_arras"]), f"epci:{MEL}")["public"] is True


def test_observatory_api_toile_for_facilitators_only(obs_world):
    with pytest.raises(Http404):
        api.toile(_request(AnonymousUser()), f"epci:{MEL}")
    assert api.toile(_request(obs_world.users["fac_mel"]), f"epci:{MEL}")["links"]
