"""Calls for projects (AMI): persona × route matrix, then the stories a facilitator and companies live.

Territory T (EPCI 200093201) holds companies A and B; C is elsewhere. A facilitator of T
publishes a call on T; A has submitted an answer, B has not answered yet. An answer is
confidential: its text and its company may reach only the company's members and the
call's facilitators — never another company, another territory's facilitator or the public.
"""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from boucle.projects import rules
from boucle.projects.models import Answer, Assessment, Call, StatusChange

from route_matrix import check_reads, check_writes
from web_personas import EPCI_OTHER, EPCI_T, PERSONAS

EVERYONE = set(PERSONAS)
LOGGED = EVERYONE - {"anonymous"}
FACILITATORS = {"facilitator_t", "facilitator_other", "superuser"}
STEER_T = {"facilitator_t", "superuser"}
MEMBERS_T = {"member_a", "admin_a", "member_b"}
READ_A = {"member_a", "admin_a", "facilitator_t", "superuser"}
SECRET_A = "Projet confidentiel de recyclage des cendres en cru cimentier"


def today():
    return timezone.localdate()


@pytest.fixture
def ami(world):
    """A published open call on T with A's submitted answer, and a draft call."""
    facilitator = world.users["facilitator_t"]
    call = Call.objects.create(title="Mobilités durables", summary="Composants et ressources pour les mobilités.",
                               themes="réemploi, recyclage", territory_level="epci", territory_code=EPCI_T,
                               territory_name="Métropole Européenne de Lille", opens_on=today() - dt.timedelta(days=5),
                               closes_on=today() + dt.timedelta(days=20), status=rules.PUBLISHED, created_by=facilitator)
    draft = Call.objects.create(title="Appel en préparation", summary="Brouillon", territory_level="epci",
                                territory_code=EPCI_T, opens_on=today(), closes_on=today() + dt.timedelta(days=30),
                                created_by=facilitator)
    sections = [{"question": q, "text": SECRET_A if i == 0 else ""} for i, q in enumerate(call.questions)]
    answer = Answer.objects.create(call=call, company=world.sites["A"].company, status=rules.SUBMITTED,
                                   sections=sections, submitted_at=timezone.now())
    world.secrets["A"] = world.secrets["A"] + [SECRET_A]
    return {"call": call, "draft": draft, "answer": answer}


def snapshot():
    return (sorted(Call.objects.values_list("id", "status", "title")),
            sorted(Answer.objects.values_list("id", "status", "funding_scheme")),
            sorted(Assessment.objects.values_list("id", "score")), StatusChange.objects.count())


def _call(ami):
    return [ami["call"].pk]


def _draft(ami):
    return [ami["draft"].pk]


def _answer(ami):
    return [ami["answer"].pk]


def _new_call(w, ami):
    return {"title": "Micro-usine", "summary": "Mutualiser", "themes": "prototypage", "territory": f"epci:{EPCI_T}",
            "opens_on": today().isoformat(), "closes_on": (today() + dt.timedelta(days=10)).isoformat(),
            "questions_text": "Présentation synthétique\nPartenariats"}


def _answer_post(w, ami):
    return {"q0": "Réemploi de batteries", "company": w.sites["B"].company_id, "save": "1"}


def _assess_post(w, ami):
    return {"score_strategic": "4", "score_environmental": "5", "comment": "Solide", "decision": "retained"}


# name → (args, GET allowed, POST allowed, POST data); None: not tested that way.
ROUTES = {
    "projects:list": (None, EVERYONE, None, None),
    "projects:create": (None, FACILITATORS, STEER_T, _new_call),
    "projects:detail": (_call, EVERYONE, None, None),
    "projects:detail#draft": (_draft, STEER_T, None, None),
    "projects:edit": (_draft, STEER_T, STEER_T, lambda w, a: dict(_new_call(w, a), title="Appel révisé")),
    "projects:transition": (_draft, None, STEER_T, lambda w, a: {"target": "published"}),
    "projects:answer": (_call, MEMBERS_T, {"member_b"}, _answer_post),
    "projects:answers": (_call, STEER_T, None, None),
    "projects:export": (lambda a: [a["call"].pk, "csv"], STEER_T, None, None),
    "projects:export#xlsx": (lambda a: [a["call"].pk, "xlsx"], STEER_T, None, None),
    "projects:answer-detail": (_answer, READ_A, None, None),
    "projects:assess": (_answer, None, STEER_T, _assess_post),
}


def test_every_projects_route_is_in_the_matrix():
    from test_access_matrix import url_patterns

    served = {name for _route, name, ns in url_patterns() if ns == "projects"}
    assert served == {name.split("#")[0] for name in ROUTES}


def _url(key, ami):
    args = ROUTES[key][0]
    return reverse(key.split("#")[0], args=args(ami) if args else [])


ANONYMOUS = (302, 404, 405)  # login asked, or a public page that does not exist for the public


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_reads(key, world, ami, as_persona):
    check_reads(world, as_persona, _url(key, ami), ROUTES[key][1], ANONYMOUS)


@pytest.mark.parametrize("key", sorted(k for k in ROUTES if ROUTES[k][2] is not None))
def test_writes(key, world, ami, as_persona):
    _args, _get, allowed, data = ROUTES[key]
    check_writes(world, as_persona, _url(key, ami), allowed, lambda: data(world, ami), snapshot, ANONYMOUS)


def test_a_draft_answer_is_read_by_its_company_alone(world, ami, as_persona):
    """The facilitators' table says drafts are not viewable: opening one by its URL is refused too."""
    call = Call.objects.create(title="Micro-usine", summary="Mutualiser", territory_level="epci", territory_code=EPCI_T,
                               opens_on=today() - dt.timedelta(days=1), closes_on=today() + dt.timedelta(days=9),
                               status=rules.PUBLISHED, created_by=world.users["facilitator_t"])
    secret = "Esquisse non déposée de mutualisation des presses"
    draft = Answer.objects.create(call=call, company=world.sites["A"].company, status=rules.ANSWER_DRAFT,
                                  sections=[{"question": call.questions[0], "text": secret}])
    url = reverse("projects:answer-detail", args=[draft.pk])
    check_reads(world, as_persona, url, {"member_a", "admin_a"}, ANONYMOUS)
    for persona in ("facilitator_t", "superuser", "member_b", "anonymous"):
        assert secret not in as_persona(persona).get(url).content.decode()
    assess = as_persona("facilitator_t").post(reverse("projects:assess", args=[draft.pk]), _assess_post(world, ami))
    assert assess.status_code == 404 and not draft.assessments.exists()


# --- stories -------------------------------------------------------------------------------------------------------

def test_a_call_from_publication_to_published_results(world, as_persona):
    """The facilitator publishes a call; B answers, drafts then submits; the facilitator assesses and decides;
    after closing the results are published and the public sees two figures, never an answer."""
    client = as_persona("facilitator_t")
    response = client.post(reverse("projects:create"), _new_call(world, None))
    call = Call.objects.get(title="Micro-usine")
    assert response.status_code == 302 and call.status == rules.DRAFT
    assert call.questions == ["Présentation synthétique", "Partenariats"]
    assert as_persona("anonymous").get(reverse("projects:detail", args=[call.pk])).status_code == 404
    as_persona("facilitator_t").post(reverse("projects:transition", args=[call.pk]), {"target": "published"})

    client = as_persona("member_b")
    assert "Micro-usine" in client.get(reverse("projects:list")).content.decode()
    url = reverse("projects:answer", args=[call.pk])
    client.post(url, {"q0": "Presse partagée", "q1": "Université de Lille", "partners_text": "Lycée Baggio",
                      "flows": [world.flows["b_offer_ash"].pk], "save": "1"})
    answer = Answer.objects.get(call=call)
    assert answer.status == rules.ANSWER_DRAFT and answer.company == world.sites["B"].company
    assert list(answer.flows.all()) == [world.flows["b_offer_ash"]]
    client.post(url, {"q0": "Presse partagée, version finale", "q1": "", "submit": "1"})
    answer.refresh_from_db()
    assert answer.status == rules.SUBMITTED and answer.sections[0]["text"] == "Presse partagée, version finale"
    refused = client.post(url, {"q0": "Changement après dépôt", "submit": "1"})
    answer.refresh_from_db()
    assert refused.status_code == 400 and answer.sections[0]["text"] == "Presse partagée, version finale"

    client = as_persona("facilitator_t")
    assess = reverse("projects:assess", args=[answer.pk])
    no_scheme = client.post(assess, {"score_jobs": "3", "decision": "redirected", "funding_scheme": ""})
    assert no_scheme.status_code == 400 and "Nommez le dispositif" in no_scheme.content.decode()
    client.post(assess, {"score_jobs": "3", "score_environmental": "4", "decision": "redirected",
                         "funding_scheme": "FRATRI"})
    answer.refresh_from_db()
    assert answer.status == rules.REDIRECTED and answer.funding_scheme == "FRATRI"
    assert dict(answer.assessments.values_list("criterion", "score")) == {"jobs": 3, "environmental": 4}
    out_of_range = client.post(assess, {"score_jobs": "9"})
    assert out_of_range.status_code == 400 and answer.assessments.get(criterion="jobs").score == 3

    client.post(reverse("projects:transition", args=[call.pk]), {"target": "decided"})
    call.refresh_from_db()
    assert call.status == rules.PUBLISHED  # not closed yet
    Call.objects.filter(pk=call.pk).update(opens_on=today() - dt.timedelta(days=30),
                                           closes_on=today() - dt.timedelta(days=1))
    client.post(reverse("projects:transition", args=[call.pk]), {"target": "decided"})
    call.refresh_from_db()
    assert call.status == rules.DECIDED

    history = list(StatusChange.objects.filter(answer=answer).values_list("from_status", "to_status", "author__username"))
    assert history == [("", "draft", "member_b"), ("draft", "submitted", "member_b"),
                       ("submitted", "redirected", "facilitator_t")]
    assert list(StatusChange.objects.filter(call=call, answer=None).values_list("to_status", flat=True)) == [
        "draft", "published", "decided"]

    public = as_persona("anonymous").get(reverse("projects:detail", args=[call.pk])).content.decode()
    assert "1 réponse déposée" in public and "0 lauréat" in public
    assert "Presse partagée" not in public and "Bravotherm" not in public and "FRATRI" not in public


def test_answering_after_the_closing_date_is_refused(world, ami, as_persona):
    call = ami["call"]
    client = as_persona("member_b")
    client.post(reverse("projects:answer", args=[call.pk]), {"q0": "Brouillon", "save": "1"})
    Call.objects.filter(pk=call.pk).update(closes_on=today() - dt.timedelta(days=1))
    late = client.post(reverse("projects:answer", args=[call.pk]), {"q0": "Trop tard", "submit": "1"})
    answer = Answer.objects.get(call=call, company=world.sites["B"].company)
    assert late.status_code == 400 and "plus acceptées" in late.content.decode()
    assert answer.status == rules.ANSWER_DRAFT and answer.sections[0]["text"] == "Brouillon"


def test_a_company_answers_a_call_once(world, ami):
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(call=ami["call"], company=world.sites["A"].company)


def test_a_company_outside_the_territory_cannot_answer(world, ami, client):
    from boucle.accounts.models import Membership
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("member_c", password="x")
    Membership.objects.create(user=user, company=world.sites["C"].company)
    client.force_login(user)
    assert client.get(reverse("projects:answer", args=[ami["call"].pk])).status_code == 403
    assert "Mobilités durables" in client.get(reverse("projects:list")).content.decode()  # public anyway


def test_closing_before_opening_is_a_field_error(world, as_persona):
    data = dict(_new_call(world, None), opens_on=today().isoformat(),
                closes_on=(today() - dt.timedelta(days=1)).isoformat())
    response = as_persona("facilitator_t").post(reverse("projects:create"), data)
    assert "La clôture doit suivre" in response.content.decode() and not Call.objects.filter(title="Micro-usine").exists()


def test_a_facilitator_cannot_publish_a_call_on_another_territory(world, as_persona):
    data = dict(_new_call(world, None), territory=f"epci:{EPCI_OTHER}")
    response = as_persona("facilitator_t").post(reverse("projects:create"), data)
    assert "Vous n'animez pas ce territoire" in response.content.decode().replace("&#x27;", "'")
    assert not Call.objects.filter(title="Micro-usine").exists()


def test_export_holds_only_this_calls_submitted_answers(world, ami, as_persona):
    other = Call.objects.create(title="Autre appel", summary="x", territory_level="epci", territory_code=EPCI_T,
                                opens_on=today(), closes_on=today(), status=rules.PUBLISHED)
    Answer.objects.create(call=other, company=world.sites["B"].company, status=rules.SUBMITTED,
                          sections=[{"question": "Présentation synthétique", "text": "Réponse à un autre appel"}])
    Answer.objects.create(call=ami["call"], company=world.sites["B"].company, status=rules.ANSWER_DRAFT,
                          sections=[{"question": "Présentation synthétique", "text": "Brouillon de Bravotherm"}])
    Assessment.objects.create(answer=ami["answer"], criterion="jobs", score=4)
    response = as_persona("facilitator_t").get(reverse("projects:export", args=[ami["call"].pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["answer_id", "company", "status"] and "Présentation synthétique" in header
    assert [(row[0], row[1]) for row in body] == [(ami["answer"].pk, "Alphaciment SA")]
    assert body[0][header.index("Présentation synthétique")] == SECRET_A
    assert body[0][header.index("score_jobs")] == 4
    text = as_persona("facilitator_t").get(reverse("projects:export", args=[ami["call"].pk, "csv"])).content.decode()
    assert SECRET_A in text and "autre appel" not in text and "Brouillon de Bravotherm" not in text


def test_public_counts_appear_only_after_the_decision(world, ami, as_persona):
    url = reverse("projects:detail", args=[ami["call"].pk])
    before = as_persona("anonymous").get(url).content.decode()
    assert "réponse déposée" not in before and "lauréat" not in before
    Answer.objects.filter(pk=ami["answer"].pk).update(status=rules.RETAINED)
    Call.objects.filter(pk=ami["call"].pk).update(status=rules.DECIDED)
    after = as_persona("anonymous").get(url).content.decode()
    assert "1 réponse déposée" in after and "1 lauréat" in after and SECRET_A not in after


def test_results_freeze_decisions(world, ami, as_persona):
    Answer.objects.filter(pk=ami["answer"].pk).update(status=rules.RETAINED)
    Call.objects.filter(pk=ami["call"].pk).update(status=rules.DECIDED)
    response = as_persona("facilitator_t").post(reverse("projects:assess", args=[ami["answer"].pk]),
                                                {"decision": "not_retained"})
    assert response.status_code == 400
    assert Answer.objects.get(pk=ami["answer"].pk).status == rules.RETAINED


def test_pages_render_in_english(world, ami, as_persona):
    page = as_persona("member_b").get(reverse("projects:detail", args=[ami["call"].pk]),
                                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "write the answer" in page and "rédiger la réponse" not in page


def test_a_company_learns_its_decision_only_when_results_are_published(world, ami, as_persona):
    as_persona("facilitator_t").post(reverse("projects:assess", args=[ami["answer"].pk]),
                                     {"decision": "redirected", "funding_scheme": "PO FEDER"})
    url = reverse("projects:answer-detail", args=[ami["answer"].pk])
    during = as_persona("member_a").get(url).content.decode()
    assert "<strong>déposée</strong>" in during and "PO FEDER" not in during and "orientée" not in during
    assert "PO FEDER" in as_persona("facilitator_t").get(url).content.decode()
    Call.objects.filter(pk=ami["call"].pk).update(status=rules.DECIDED)
    after = as_persona("member_a").get(url).content.decode()
    assert "orientée vers un dispositif de financement" in after and "PO FEDER" in after


@pytest.mark.parametrize("level, code, steers", [("region", "32", True), ("departement", "59", True),
                                                 ("departement", "57", False), ("commune", "59350", False)])
def test_a_facilitator_of_a_wider_territory_steers_the_call(world, ami, client, level, code, steers):
    from boucle.accounts.models import Facilitator
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("wide", password="x")
    Facilitator.objects.create(user=user, level=level, code=code)
    client.force_login(user)
    response = client.get(reverse("projects:answers", args=[ami["call"].pk]))
    assert (response.status_code == 200) is steers
    assert (SECRET_A in client.get(reverse("projects:answer-detail", args=[ami["answer"].pk])).content.decode()) is steers


def test_two_colleagues_starting_the_answer_share_one_draft(world, ami, as_persona, client):
    """The second opened the form before the first saved: his save continues the same answer."""
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Membership
    from boucle.projects import services

    colleague = get_user_model().objects.create_user("member_b2", password="x")
    Membership.objects.create(user=colleague, company=world.sites["B"].company)
    call, company = ami["call"], world.sites["B"].company
    stale = Answer(call=call, company=company)  # built before the first save
    as_persona("member_b").post(reverse("projects:answer", args=[call.pk]), {"q0": "Premier jet", "save": "1"})
    services.save_answer(stale, colleague, sections=[{"question": call.questions[0], "text": "Second jet"}],
                         partner_companies=[], partners_text="", synergies=[], flows=[], submit=False)
    answer = Answer.objects.get(call=call, company=company)
    assert answer.pk == stale.pk and answer.sections[0]["text"] == "Second jet"
    assert answer.created_by == world.users["member_b"]
