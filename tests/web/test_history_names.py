"""Histories name people by the name they gave, never by their login, and only to who may know them.

A login is often an e-mail address. The synergy history told the facilitator « réponse donnée par
jeanne.martin@alphaciment.fr » when the person gave no name, and named the person of a company the
facilitator could not see (steering from the other side's territory). The history of a call for
projects and of an answer showed each change's author by login, to the company and to the facilitators.
Now ``accounts.people`` names a person: full name, else « un membre de l'entreprise <entreprise> » or « un membre de
l'équipe d'animation »; the synergy history names someone only at a company its reader sees.
"""

import datetime as dt

import pytest
from django.utils import timezone

from boucle.projects import rules, services
from boucle.projects.models import Answer, Call
from web_personas import EPCI_T

LOGIN_A = "jeanne.martin@alphaciment.fr"


@pytest.fixture
def named(world):
    """member_a logs in with an e-mail address as username, and gave a full name; member_b gave none."""
    a = world.users["member_a"]
    a.username, a.email, a.first_name, a.last_name = LOGIN_A, LOGIN_A, "Jeanne", "Martin"
    a.save()
    b = world.users["member_b"]
    b.username = b.email = "paul.durand@bravotherm.fr"
    b.save()
    return world


def _history(client, synergy):
    response = client.get(f"/synergies/{synergy.pk}/")
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    return page.split('<ol class="history">')[1].split("</ol>")[0] if '<ol class="history">' in page else ""


def test_synergy_history_per_persona(named, as_persona):
    """Synergy « ca »: C's offer (the other territory) to A's need (territory T). Jeanne Martin (A) says yes."""
    world, ca = named, named.synergies["ca"]
    as_persona("member_a").post(f"/synergies/{ca.pk}/interet/", {"answer": "yes"})
    # the facilitator of A's territory sees A: the person by name, never the login
    history = _history(as_persona("facilitator_t"), ca)
    assert "Alphaciment SA a accepté la mise en relation (réponse donnée par Jeanne Martin)" in history
    # the facilitator of C's territory steers it too, but A is anonymous to him: no company, no person
    history = _history(as_persona("facilitator_other"), ca)
    assert "L'entreprise qui en a besoin a accepté la mise en relation" in history
    assert "Jeanne" not in history and "Martin" not in history and "Alphaciment" not in history
    # A's member reads its company's answer; nobody's login anywhere on the pages
    assert "Alphaciment SA a accepté la mise en relation" in _history(as_persona("member_a"), ca)
    for persona in ("member_a", "facilitator_t", "facilitator_other"):
        assert LOGIN_A not in as_persona(persona).get(f"/synergies/{ca.pk}/").content.decode(), persona
    # another company is not party to it; an anonymous visitor is sent to log in
    assert as_persona("member_b").get(f"/synergies/{ca.pk}/").status_code == 404
    response = as_persona("anonymous").get(f"/synergies/{ca.pk}/")
    assert response.status_code == 302 and b"Jeanne" not in response.content


def test_without_a_name_the_company_says_who(named, as_persona):
    ab = named.synergies["ab"]
    as_persona("member_b").post(f"/synergies/{ab.pk}/interet/", {"answer": "yes"})
    history = _history(as_persona("facilitator_t"), ab)
    assert "Bravotherm SAS a accepté la mise en relation</li>" in history and "paul.durand" not in history
    # the other side (A, not yet revealed) reads nothing of it
    assert "Bravotherm" not in _history(as_persona("member_a"), ab)


@pytest.fixture
def call(named):
    facilitator = named.users["facilitator_t"]
    facilitator.first_name, facilitator.last_name = "Inès", "Leroy"
    facilitator.save()
    call = Call.objects.create(title="Mobilités durables", summary="Composants.", themes="réemploi",
                               territory_level="epci", territory_code=EPCI_T, territory_name="MEL",
                               opens_on=timezone.localdate() - dt.timedelta(days=5),
                               closes_on=timezone.localdate() + dt.timedelta(days=20), status=rules.DRAFT,
                               created_by=facilitator)
    services.move_call(call, rules.PUBLISHED, named.users["superuser"])  # root: no name, no company
    answer = Answer(call=call, company=named.sites["B"].company)
    services.save_answer(answer, named.users["member_b"], sections=[{"question": call.questions[0], "text": "Oui"}],
                         partner_companies=[], partners_text="", synergies=[], flows=[], submit=True)
    return {"call": call, "answer": answer}


def test_project_histories_name_people_not_logins(named, call, as_persona):
    from django.urls import reverse

    answer = call["answer"]
    url = reverse("projects:answer-detail", args=[answer.pk])
    for persona in ("member_b", "facilitator_t"):  # the answering company and the call's facilitator
        page = as_persona(persona).get(url).content.decode().replace("&#x27;", "'")
        assert "(un membre de l'entreprise Bravotherm SAS)" in page, persona
        assert "paul.durand" not in page and "member_b@" not in page, persona
    page = as_persona("facilitator_t").get(reverse("projects:detail", args=[call["call"].pk])).content.decode()
    assert "(un membre de l'équipe d'animation)" in page.replace("&#x27;", "'") and "(root)" not in page
    # a facilitator's assessment reads with the facilitator's name
    as_persona("facilitator_t").post(reverse("projects:assess", args=[answer.pk]),
                                     {"score_strategic": "4", "score_environmental": "5", "comment": "Solide",
                                      "decision": "retained"})
    page = as_persona("facilitator_t").get(url).content.decode()
    assert "Inès Leroy" in page and "facilitator_t" not in page
    # who may not read the answer gets no page at all: another company, another territory, the public
    for persona in ("member_a", "facilitator_other"):
        assert as_persona(persona).get(url).status_code == 404, persona
    assert as_persona("anonymous").get(url).status_code == 302


def test_a_new_member_gives_their_name_when_joining(world, client):
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Invitation

    _invitation, token = Invitation.issue(world.sites["A"].company, "lea.petit@alphaciment.fr", "member",
                                          world.users["admin_a"])
    page = client.get(f"/invitation/{token}/").content.decode()
    assert "Prénom" in page and "historiques" in page
    client.post(f"/invitation/{token}/", {"first_name": " Léa ", "last_name": "Petit", "username": "lea.petit@alphaciment.fr",
                                         "new_password1": "correct horse battery 42", "new_password2": "correct horse battery 42"})
    user = get_user_model().objects.get(username="lea.petit@alphaciment.fr")
    assert user.get_full_name() == "Léa Petit"
