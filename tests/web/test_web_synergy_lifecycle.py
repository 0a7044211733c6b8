"""Synergy life cycle through the one write path: status log, double opt-in reveal, verified outcomes."""

import pytest
from django.core.exceptions import PermissionDenied

from boucle.matching import lifecycle, services
from boucle.matching.models import Reveal, StatusChange


def _both_say_yes(world, syn):
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)


def test_the_life_of_a_synergy_is_logged_step_by_step(world):
    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    _both_say_yes(world, syn)
    for target in ("contacted", "in_discussion", "trial", "running", "stopped"):
        services.transition(syn, target, fac, reason=f"vers {target}")
    syn.refresh_from_db()
    assert syn.status == "stopped"
    log = list(StatusChange.objects.filter(synergy=syn).values_list("from_status", "to_status", "author", "reason"))
    assert log[0] == ("suggested", "contacted", fac.pk, "vers contacted")
    assert [row[1] for row in log] == ["contacted", "in_discussion", "trial", "running", "stopped"]


@pytest.mark.parametrize("path", [[], ["contacted"], ["contacted", "in_discussion"],
                                  ["contacted", "in_discussion", "trial"]])
def test_declined_at_any_step_before_running(world, path):
    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    _both_say_yes(world, syn)
    for target in path:
        services.transition(syn, target, fac)
    services.transition(syn, "declined", fac, reason="pas de débouché")
    syn.refresh_from_db()
    assert syn.status == "declined"
    with pytest.raises(lifecycle.TransitionError):
        services.transition(syn, "contacted", fac)


def test_a_skipped_step_is_refused_and_not_logged(world):
    syn = world.synergies["ab"]
    with pytest.raises(lifecycle.TransitionError):
        services.transition(syn, "running", world.users["facilitator_t"])
    assert not StatusChange.objects.filter(synergy=syn).exists()


@pytest.mark.parametrize("persona", ["member_a", "member_b", "facilitator_other"])
def test_only_the_territory_facilitators_move_a_synergy(world, persona):
    with pytest.raises(PermissionDenied):
        services.transition(world.synergies["ab"], "contacted", world.users[persona])


def test_identities_revealed_only_after_both_say_yes_and_logged_once(world, as_persona):
    syn = world.synergies["ab"]
    services.express_interest(syn, world.users["member_a"], True)
    page = as_persona("member_a").get(f"/synergies/{syn.pk}/").content.decode()
    assert "Bravotherm SAS" not in page and "Entreprise anonyme" in page
    assert not Reveal.objects.exists()
    services.express_interest(syn, world.users["member_b"], True)
    syn.refresh_from_db()
    assert syn.revealed_at is not None
    assert Reveal.objects.filter(synergy=syn, triggered_by=world.users["member_b"]).count() == 1
    assert "Bravotherm SAS" in as_persona("member_a").get(f"/synergies/{syn.pk}/").content.decode()
    assert "Alphaciment SA" in as_persona("member_b").get(f"/synergies/{syn.pk}/").content.decode()
    services.express_interest(syn, world.users["admin_a"], True)  # answering again reveals nothing new
    assert Reveal.objects.count() == 1
    # Revealing to the parties reveals nothing to outsiders.
    outsider = as_persona("facilitator_other").get("/api/synergies").json()
    assert all(card["id"] != syn.pk for card in outsider)


def test_a_no_keeps_identities_hidden(world, as_persona):
    syn = world.synergies["ab"]
    services.express_interest(syn, world.users["member_a"], False)
    services.express_interest(syn, world.users["member_b"], True)
    syn.refresh_from_db()
    assert syn.revealed_at is None
    assert "Alphaciment" not in as_persona("member_b").get(f"/synergies/{syn.pk}/").content.decode()


def test_verified_outcome_is_kept_apart_from_the_estimate(world, as_persona):
    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    _both_say_yes(world, syn)
    for target in ("contacted", "in_discussion", "trial", "running"):
        services.transition(syn, target, fac)
    client = as_persona("facilitator_t")
    response = client.post(f"/animation/synergies/{syn.pk}/resultat/",
                           {"start_date": "2026-03-01", "tonnes_per_year": "31500", "eur_per_year": "250000"})
    assert response.status_code == 302
    syn.refresh_from_db()
    assert syn.tonnes_diverted == 40000  # the engine's estimate is untouched
    outcome = syn.outcomes.get()
    assert outcome.tonnes_per_year == 31500 and outcome.recorded_by == fac and str(outcome.start_date) == "2026-03-01"
    with pytest.raises(ValueError):
        services.record_outcome(syn, fac, tonnes_per_year=-1)


def test_facilitator_page_moves_a_synergy_and_refuses_an_illegal_jump(world, as_persona):
    syn = world.synergies["ab"]
    client = as_persona("facilitator_t")
    client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "contacted", "reason": "présentés"})
    syn.refresh_from_db()
    assert syn.status == "contacted"
    response = client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "stopped"}, follow=True)
    syn.refresh_from_db()
    assert syn.status == "contacted" and "refusé" in response.content.decode()


def test_a_facilitator_reason_never_reaches_the_parties(world, as_persona):
    """Facilitators write free text that may name the other company; parties see statuses only."""
    syn = world.synergies["ab"]
    services.transition(syn, "contacted", world.users["facilitator_t"], reason="appelé Bravotherm SAS")
    assert "Bravotherm" not in as_persona("member_a").get(f"/synergies/{syn.pk}/").content.decode()
    assert "appelé Bravotherm SAS" in as_persona("facilitator_t").get(f"/synergies/{syn.pk}/").content.decode()


def test_a_measured_result_waits_for_an_exchange(world, as_persona):
    """On a suggestion, a « verified » 31 500 t would count in the territory's measured figures for an
    exchange that never happened: refused (in French on the page, 409 through the API) until trial."""
    from boucle.matching.models import VerifiedOutcome

    syn, fac = world.synergies["ab"], world.users["facilitator_t"]
    client = as_persona("facilitator_t")
    page = client.get(f"/synergies/{syn.pk}/").content.decode().replace("&#x27;", "'")
    assert 'name="tonnes_per_year"' not in page and "une fois l'échange en essai ou en fonctionnement" in page
    answer = client.post(f"/animation/synergies/{syn.pk}/resultat/", {"tonnes_per_year": "31500"}, follow=True)
    assert "un résultat mesuré s'enregistre une fois l'échange en essai" in answer.content.decode().replace("&#x27;", "'")
    with pytest.raises(lifecycle.NothingExchanged):
        services.record_outcome(syn, fac, tonnes_per_year=31500)
    assert not VerifiedOutcome.objects.exists()
    _both_say_yes(world, syn)
    for target in ("contacted", "in_discussion", "trial"):
        services.transition(syn, target, fac)
    page = client.get(f"/synergies/{syn.pk}/").content.decode()
    assert 'name="tonnes_per_year"' in page
    # a typing slip is told in French, naming the field
    answer = client.post(f"/animation/synergies/{syn.pk}/resultat/", {"tonnes_per_year": "-3"}, follow=True)
    text = answer.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "« Tonnes par an (mesurées) » ne peut pas être négatif" in text and "must not" not in text
    answer = client.post(f"/animation/synergies/{syn.pk}/resultat/", {"tonnes_per_year": "trente"}, follow=True)
    assert "n'est pas un nombre" in answer.content.decode().replace("&#x27;", "'")
    client.post(f"/animation/synergies/{syn.pk}/resultat/", {"tonnes_per_year": "31 500,5"})
    assert VerifiedOutcome.objects.get().tonnes_per_year == 31500.5
