"""The map and the synergy list remember their results between requests, only until the data changes.

These tests commit (``transactional_db``): results are only kept outside a transaction,
and the data version moves when a write commits.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boucle.flows.models import Company, Site
from boucle.matching.models import Synergy
from boucle.testing import make_site


@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """A transactional test flushes every table when it ends: the reference data is put back for the tests that
    follow in this process (this teardown comes after the flush)."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def committed_world(request, restore_reference, transactional_db):
    from boucle.reference.loader import load_reference

    load_reference()  # a transactional test starts from flushed tables
    return request.getfixturevalue("world")


def _names(client):
    return {s["name"] for s in client.get("/carte/sites.json", {"zoom": 13}).json()["sites"]}


def test_map_is_computed_once_then_follows_every_committed_write(committed_world, as_persona):
    client = as_persona("facilitator_t")
    assert _names(client) == {"Usine Alphaciment", "Centrale Bravotherm"}
    with CaptureQueriesContext(connection) as queries:
        assert _names(client) == {"Usine Alphaciment", "Centrale Bravotherm"}
    assert not [q for q in queries.captured_queries if "flows_site" in q["sql"]]  # answered from memory

    make_site("Nouvelle fonderie", commune="59350", lat=50.632, lon=3.058)
    assert "Nouvelle fonderie" in _names(client)
    Site.objects.filter(name="Nouvelle fonderie").update(lat=None)  # a bulk write sends no signal
    assert _names(client) == {"Usine Alphaciment", "Centrale Bravotherm"}

    # Same data version, other grants: never the first facilitator's view.
    assert _names(as_persona("facilitator_other")) == {"Papeterie Charliepap"}
    aggregates = as_persona("facilitator_t").get("/carte/sites.json", {"zoom": 7}).json()
    assert aggregates["mode"] == "aggregates" and sum(c["count"] for c in aggregates["clusters"]) == 2


def _synergies(client):
    return [(s["id"], s["offer"]["site"].get("company")) for s in client.get("/api/synergies").json()]


def test_synergy_list_follows_scores_names_and_grants(committed_world, as_persona):
    ab, ca = committed_world.synergies["ab"].pk, committed_world.synergies["ca"].pk
    client = as_persona("facilitator_t")
    assert [pk for pk, _company in _synergies(client)] == [ab, ca]  # best first
    with CaptureQueriesContext(connection) as queries:
        _synergies(client)
    assert not [q for q in queries.captured_queries if "matching_synergy" in q["sql"]]  # answered from memory

    Synergy.objects.filter(pk=ca).update(score=0.99)
    Company.objects.filter(name="Bravotherm SAS").update(name="Bravotherm Énergie")
    assert _synergies(client) == [(ca, None), (ab, "Bravotherm Énergie")]  # C stays anonymous to T's facilitator

    # The other territory's facilitator sees the synergy touching it, with its own rights on each side.
    other = _synergies(as_persona("facilitator_other"))
    assert other == [(ca, "Charliepap SARL")]


def test_two_superusers_share_no_entry_when_their_companies_differ(committed_world, as_persona, client):
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Membership

    ab = committed_world.synergies["ab"].pk
    sides = lambda c: {s["id"]: s["side"] for s in c.get("/api/synergies").json()}  # noqa: E731
    assert sides(as_persona("superuser"))[ab] == ""
    plant_manager = get_user_model().objects.create_superuser("root_a", "root_a@example.org", "x" * 20)
    Membership.objects.create(user=plant_manager, company=committed_world.sites["A"].company, role="admin")
    client.force_login(plant_manager)
    assert sides(client)[ab] == "need"  # answers for the cement plant, unlike the other superuser


def test_facilitator_figures_follow_a_recorded_outcome(committed_world, as_persona):
    """A measured result changes the territory's verified tonnes at once, in every worker: recording it
    moves the data version, so figures remembered before it are not shown again."""
    from boucle.matching import services

    client = as_persona("facilitator_t")
    verified = lambda: client.get("/animation/chiffres/").context["indicators"][0]["verified_tonnes_per_year"]  # noqa: E731
    assert not verified()
    synergy = committed_world.synergies["ab"]
    type(synergy).objects.filter(pk=synergy.pk).update(status="running")  # measured once it runs
    services.record_outcome(synergy, committed_world.users["facilitator_t"], tonnes_per_year=35000)
    assert verified() == 35000
