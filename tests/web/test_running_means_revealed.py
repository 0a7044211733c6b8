"""An exchange on trial or running puts the two companies in touch: the one write path refuses those
steps until both said yes (which reveals each to the other), so no party ever reads « en fonctionnement »
next to « Entreprise anonyme », a distance band or a blurred point on the map."""

import pytest
from django.urls import reverse

from boucle.matching import lifecycle, services
from boucle.matching.models import StatusChange
from web_personas import forbidden_secrets


def _to_discussion(world, syn):
    for target in ("contacted", "in_discussion"):
        services.transition(syn, target, world.users["facilitator_t"])


@pytest.mark.parametrize("answers", [{}, {"member_a": True}, {"member_b": True},
                                     {"member_a": True, "member_b": False}])
def test_trial_and_running_wait_for_both_companies_yes(world, answers):
    syn = world.synergies["ab"]
    _to_discussion(world, syn)
    for persona, yes in answers.items():
        services.express_interest(syn, world.users[persona], yes)
    for target in ("trial", "running"):
        with pytest.raises(lifecycle.AgreementMissing):
            services.transition(syn, target, world.users["facilitator_t"])
    syn.refresh_from_db()
    assert syn.status == "in_discussion" and syn.revealed_at is None
    assert not StatusChange.objects.filter(synergy=syn, to_status__in=["trial", "running"]).exists()


def test_the_facilitator_is_told_why_and_offered_only_what_is_possible(world, as_persona):
    syn = world.synergies["ab"]
    _to_discussion(world, syn)
    services.express_interest(syn, world.users["member_a"], True)  # A (need side) yes, B (offer side) silent
    client = as_persona("facilitator_t")
    page = client.get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    form = page.split('name="target"', 1)[1].split("</select>", 1)[0]
    assert 'value="trial"' not in form and 'value="running"' not in form and 'value="declined"' in form
    assert "auront accepté la mise en relation" in page
    assert "Offre : sans réponse" in page.replace("\xa0", " ") and "Besoin : intéressée" in page.replace("\xa0", " ")
    # a forged post is refused in words, the status unchanged
    answer = client.post(reverse("synergy-transition", args=[syn.pk]), {"target": "running"}, follow=True)
    text = answer.content.decode()
    assert "chacune ait accepté la mise en relation" in text and "allowed" not in text
    syn.refresh_from_db()
    assert syn.status == "in_discussion"
    # once B says yes too, the steps are offered and taken
    services.express_interest(syn, world.users["member_b"], True)
    page = client.get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    assert 'value="trial"' in page and "auront accepté la mise en relation" not in page


def test_the_api_refuses_running_without_both_yes(world, client):
    from boucle.accounts.models import ApiToken

    syn = world.synergies["ab"]
    _to_discussion(world, syn)
    _token, clear = ApiToken.issue(world.users["facilitator_t"], "test", scope="write")
    response = client.post(f"/api/synergies/{syn.pk}/transition", {"target": "running"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert response.status_code == 409 and "said yes" in response.json()["detail"]
    syn.refresh_from_db()
    assert syn.status == "in_discussion"


@pytest.mark.parametrize("status", ["trial", "running", "stopped"])
def test_once_running_each_party_sees_the_other_everywhere(world, as_persona, status):
    syn = world.synergies["ab"]  # B offers fly ash to A, 6.3 km
    _to_discussion(world, syn)
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    path = {"trial": ["trial"], "running": ["running"], "stopped": ["running", "stopped"]}[status]
    for target in path:
        services.transition(syn, target, world.users["facilitator_t"])
    a, b = world.sites["A"], world.sites["B"]
    for persona, partner, partner_site in (("member_a", "Bravotherm SAS", b), ("member_b", "Alphaciment SA", a)):
        client = as_persona(persona)
        page = client.get(reverse("synergy-detail", args=[syn.pk])).content.decode()
        assert partner in page and "Entreprise anonyme" not in page, persona
        assert "6,3 km" in page and "5–20 km" not in page, persona
        card = client.get(f"/api/synergies/{syn.pk}").json()
        assert card["distance_km"] == 6.3 and card["revealed"] is True, persona
        lines = {f["properties"]["id"]: f for f in client.get(reverse("map-lines")).json()["features"]}
        ends = lines[syn.pk]["geometry"]["coordinates"]
        assert [round(partner_site.lon, 6), round(partner_site.lat, 6)] in ends, persona
        # and still nothing of C, which is no party to this exchange
        body = page + client.get(reverse("map-lines")).content.decode()
        revealed = {"member_a": ["B"], "member_b": ["A"]}[persona]
        leaked = [s for s in forbidden_secrets(world, persona, revealed=revealed) if s in body]
        assert not leaked, (persona, leaked)
    # a facilitator of another territory learns nothing of A or B from it
    other = as_persona("facilitator_other")
    assert other.get(reverse("synergy-detail", args=[syn.pk])).status_code == 404


def test_the_api_records_a_measured_result_only_for_an_exchange(world, client):
    from boucle.accounts.models import ApiToken

    syn = world.synergies["ab"]
    _token, clear = ApiToken.issue(world.users["facilitator_t"], "test", scope="write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    early = client.post(f"/api/synergies/{syn.pk}/outcomes", {"tonnes_per_year": 3000},
                        content_type="application/json", **auth)
    assert early.status_code == 409 and not syn.outcomes.exists()
    _to_discussion(world, syn)
    services.express_interest(syn, world.users["member_a"], True)
    services.express_interest(syn, world.users["member_b"], True)
    services.transition(syn, "trial", world.users["facilitator_t"])
    done = client.post(f"/api/synergies/{syn.pk}/outcomes", {"tonnes_per_year": 3000},
                       content_type="application/json", **auth)
    assert done.status_code == 201 and syn.outcomes.get().tonnes_per_year == 3000


def _forced(syn, *path):
    """A synergy moved on before the rule: its steps written straight to the tables, as the old path did."""
    from boucle.matching.models import Synergy

    syn.refresh_from_db()
    previous = syn.status
    for target in path:
        StatusChange.objects.create(synergy=syn, from_status=previous, to_status=target, reason="avant la règle")
        previous = target
    Synergy.objects.filter(pk=syn.pk).update(status=previous)


def test_the_check_moves_back_what_ran_before_the_rule_and_flags_what_was_measured(world, as_persona, capsys):
    """Synergies put on trial or running before both yes were required: ``boucle synergies-check`` lists
    them (exit 1), ``--fix`` moves each back to its last status that needs no double yes with a log entry,
    and leaves one with a measured result to the facilitator, whose page flags it."""
    import json

    from boucle.cli import main
    from boucle.matching.models import Synergy, VerifiedOutcome

    ab, ca = world.synergies["ab"], world.synergies["ca"]
    _to_discussion(world, ab)
    _forced(ab, "trial", "running")  # the offer side said nothing
    _to_discussion(world, ca)
    _forced(ca, "trial")
    VerifiedOutcome.objects.create(synergy=ca, tonnes_per_year=500)
    assert set(services.unagreed_exchanges().values_list("pk", flat=True)) == {ab.pk, ca.pk}

    assert main(["synergies-check"]) == 1
    out = capsys.readouterr().out
    assert f"n° {ab.pk}" in out and "« en fonctionnement » sans le oui des deux entreprises" in out
    assert Synergy.objects.get(pk=ab.pk).status == "running"  # a check alone changes nothing

    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[ca.pk])).content.decode()
    assert 'class="alert alert-warning unagreed"' in page and "Offre : sans réponse" in page.replace("\xa0", " ")
    assert "unagreed" not in as_persona("member_a").get(reverse("synergy-detail", args=[ca.pk])).content.decode()

    assert main(["synergies-check", "--fix", "--json"]) == 1  # one left: measured
    report = json.loads(capsys.readouterr().out)
    assert report["moved_back"] == [{"id": ab.pk, "from": "running", "to": "in_discussion"}]
    assert report["left"] == [{"id": ca.pk, "status": "trial", "measured": True}]
    ab.refresh_from_db()
    assert ab.status == "in_discussion"
    back = StatusChange.objects.filter(synergy=ab).last()
    assert (back.from_status, back.to_status, back.author) == ("running", "in_discussion", None) and back.reason
    # once both said yes, the steps are open again through the one write path; nothing left to fix for ab
    services.express_interest(ab, world.users["member_a"], True)
    services.express_interest(ab, world.users["member_b"], True)
    services.transition(ab, "trial", world.users["facilitator_t"])
    assert services.step_back_unagreed(ab) is None
    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[ab.pk])).content.decode()
    assert "unagreed" not in page
