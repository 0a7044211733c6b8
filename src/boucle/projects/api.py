"""Calls for projects and their answers in the API (mounted by ``boucle.api.api``).

The pages' rules, asked of the same functions: ``access`` decides who sees a call (a draft:
its facilitators) and who reads an answer; ``forms.CallForm`` and ``forms.AnswerForm`` validate;
``services`` writes and logs every status change. A refused rule (answering a closed call,
publishing results with undecided answers…) answers 409 with the pages' own sentence.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from boucle.accounts.access import is_facilitator, member_company_ids
from boucle.api.common import CONFLICT, DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, form_invalid, real_id, user

from . import access, rules, services
from .forms import AnswerForm, AssessmentForm, CallForm
from .models import Answer, Call

router = Router(tags=["calls"])


class CallIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=10000)
    themes: str = Field("", max_length=300)
    territory: str = Field(description="e.g. epci:200093201 (a territory you facilitate)", max_length=30)
    opens_on: dt.date
    closes_on: dt.date
    questions: list[str] = Field(min_length=1, max_length=30)


class CallOut(Schema):
    id: int
    title: str
    summary: str
    themes: str
    territory: str
    territory_name: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    phase: str
    questions: list[str]
    may_answer_as: list[int] = Field([], description="ids of your companies that may answer this call")


class CallTransitionIn(Schema):
    target: str = Field(description="published (a draft), decided (results, after the closing date)", max_length=20)


class SectionIn(Schema):
    question: str
    text: str = Field("", max_length=AnswerForm.MAX_SECTION)


class AnswerIn(Schema):
    company: int | None = Field(None, description="your company answering (default: the first that may)")
    sections: list[SectionIn] = Field([], max_length=30, description="answers by question (the call's wording)")
    partners_text: str = Field("", max_length=2000)
    partner_companies: list[int] = Field([], max_length=100, description="ids of companies with a public profile")
    synergies: list[int] = Field([], max_length=200)
    flows: list[int] = Field([], max_length=500)
    submit: bool = Field(False, description="true: hand the answer in (it can no longer change)")


class CallPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1, max_length=10000)
    themes: str | None = Field(None, max_length=300)
    territory: str | None = Field(None, max_length=30)
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    questions: list[str] | None = Field(None, min_length=1, max_length=30)


class AssessmentIn(Schema):
    scores: dict[Literal[tuple(rules.CRITERIA)], int | None] = Field(
        {}, description="criterion -> score from 0 to 5 (strategic, environmental, jobs, attractiveness)")
    comment: str = Field("", max_length=5000)
    decision: Literal["", "retained", "not_retained", "redirected"] = ""
    funding_scheme: str = Field("", max_length=200, description="required when the decision is redirected")
    aid: int | None = Field(None, description="the aid catalogue entry the answer is redirected to (GET /api/aids)")


class AnswerOut(Schema):
    id: int
    call: int
    company: int
    company_name: str
    status: str
    sections: list[dict]
    partners_text: str
    submitted_at: dt.datetime | None = None


def _call_out(call, who) -> dict:
    companies = list(access.answering_companies(who, call).values_list("pk", flat=True)) if who else []
    return {"id": call.pk, "title": call.title, "summary": call.summary, "themes": call.themes,
            "territory": call.territory_ref, "territory_name": call.territory_name, "opens_on": call.opens_on,
            "closes_on": call.closes_on, "status": call.status, "phase": services.call_phase(call),
            "questions": list(call.questions), "may_answer_as": companies}


def _answer_out(answer) -> dict:
    return {"id": answer.pk, "call": answer.call_id, "company": answer.company_id,
            "company_name": answer.company.name, "status": answer.status, "sections": list(answer.sections or []),
            "partners_text": answer.partners_text, "submitted_at": answer.submitted_at}


def _rule_refused(error: rules.RuleError):
    from .views import ERRORS

    return 409, {"detail": str(ERRORS.get(error.args[0], error.args[0]))}


@router.get("/calls", response={200: list[CallOut], **DENIED})
def list_calls(request):
    """Published calls (and results), and the drafts of the territories you facilitate."""
    who = user(request)
    calls = list(Call.objects.exclude(status=rules.DRAFT).order_by("-opens_on", "id"))
    if is_facilitator(who):
        calls += [c for c in Call.objects.filter(status=rules.DRAFT).order_by("id") if access.facilitates_call(who, c)]
    return [_call_out(c, who) for c in calls]


def _visible_call(request, call_id) -> Call:
    call = get_object_or_404(Call, pk=real_id(call_id))
    if not access.can_see_call(user(request), call):
        raise Http404
    return call


@router.get("/calls/{call_id}", response={200: CallOut, **DENIED, **HIDDEN})
def get_call(request, call_id: int):
    return _call_out(_visible_call(request, call_id), user(request))


@router.post("/calls", response={201: CallOut, **DENIED, **FORBIDDEN, **INVALID})
def create_call(request, payload: CallIn):
    """A new call (a draft) on a territory you facilitate; publish it with ``/calls/{id}/transition``."""
    who = user(request)
    if not is_facilitator(who):
        raise PermissionDenied(_("Réservé aux animateurs."))
    data = payload.dict()
    data["questions_text"] = "\n".join(q.replace("\n", " ") for q in data.pop("questions"))
    form = CallForm(data, user=who)
    if not form.is_valid():
        raise form_invalid(form, {"questions_text": "questions"})
    call = services.create_call(who, form.save(commit=False))
    return 201, _call_out(call, who)


@router.patch("/calls/{call_id}", response={200: CallOut, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID})
def update_call(request, call_id: int, payload: CallPatch):
    """Change a call you facilitate (as its edit page); fields left out keep their value."""
    who, call = user(request), _visible_call(request, call_id)
    if not access.facilitates_call(who, call):
        raise PermissionDenied(_("Réservé aux animateurs de ce territoire."))
    changes = payload.dict(exclude_unset=True)
    for required in changes:
        if changes[required] is None:
            raise Invalid({required: [f"{required}: null is not allowed"]})
    data = {"title": call.title, "summary": call.summary, "themes": call.themes, "territory": call.territory_ref,
            "opens_on": call.opens_on, "closes_on": call.closes_on, "questions": list(call.questions), **changes}
    data["questions_text"] = "\n".join(q.replace("\n", " ") for q in data.pop("questions"))
    form = CallForm(data, instance=call, user=who)
    if not form.is_valid():
        raise form_invalid(form, {"questions_text": "questions"})
    form.save()
    return _call_out(Call.objects.get(pk=call.pk), who)


@router.post("/calls/{call_id}/transition", response={200: CallOut, **CONFLICT, **DENIED, **FORBIDDEN, **HIDDEN,
                                                        **INVALID})
def move_call(request, call_id: int, payload: CallTransitionIn):
    """Publish a draft, or publish the results once every submitted answer has its decision (facilitators)."""
    who, call = user(request), _visible_call(request, call_id)
    if not access.facilitates_call(who, call):
        raise PermissionDenied(_("Réservé aux animateurs de ce territoire."))
    try:
        services.move_call(call, payload.target, who)
    except rules.RuleError as error:
        return _rule_refused(error)
    return _call_out(Call.objects.get(pk=call.pk), who)


@router.get("/calls/{call_id}/answers", response={200: list[AnswerOut], **DENIED, **HIDDEN})
def list_answers(request, call_id: int):
    """The answers you may read: your companies' own, and for the call's facilitators those handed in."""
    who, call = user(request), _visible_call(request, call_id)
    answers = call.answers.select_related("company", "call").order_by("id")
    if not access.facilitates_call(who, call):
        answers = answers.filter(company_id__in=member_company_ids(who))
    return [_answer_out(a) for a in answers if access.can_read_answer(who, a)]


@router.get("/answers/{answer_id}", response={200: AnswerOut, **DENIED, **HIDDEN})
def get_answer(request, answer_id: int):
    answer = get_object_or_404(Answer.objects.select_related("company", "call"), pk=real_id(answer_id))
    if not access.can_read_answer(user(request), answer):
        raise Http404
    return _answer_out(answer)


@router.put("/calls/{call_id}/answer", response={200: AnswerOut, **CONFLICT, **DENIED, **FORBIDDEN, **HIDDEN,
                                                  **INVALID})
def save_answer(request, call_id: int, payload: AnswerIn):
    """Write your company's answer (a draft until ``submit``), while the call is open; as the answer page."""
    who = user(request)
    call = get_object_or_404(Call.objects.exclude(status=rules.DRAFT), pk=real_id(call_id))
    companies = access.answering_companies(who, call)
    company = (companies.filter(pk=real_id(payload.company)).first() if payload.company is not None
               else companies.first())
    if company is None:
        raise PermissionDenied(_("Aucune de vos entreprises ne peut répondre à cet appel."))
    texts = {s.question: s.text for s in payload.sections}
    unknown = [q for q in texts if q not in call.questions]
    if unknown:
        raise Invalid({"sections": [_("Question inconnue de cet appel : %(question)s") % {"question": unknown[0]}]})
    data = QueryDict(mutable=True)  # the form reads lists of ids as a page's checkboxes send them
    data.update({f"q{i}": texts.get(q, "") for i, q in enumerate(call.questions)})
    data["partners_text"] = payload.partners_text
    answer = Answer.objects.filter(call=call, company=company).first() or Answer(call=call, company=company)
    form = AnswerForm(data, call=call, company=company, answer=answer)
    for name in ("partner_companies", "synergies", "flows"):
        chosen = [str(pk) for pk in getattr(payload, name)]
        if name in form.fields:
            data.setlist(name, chosen)
        elif chosen:
            raise Invalid({name: [_("Rien à choisir ici pour cette entreprise.")]})
    if not form.is_valid():
        names = {f"q{i}": "sections" for i in range(len(call.questions))}
        raise form_invalid(form, names, whole="sections")
    try:
        answer = services.save_answer(answer, who, sections=form.sections(),
                                      partner_companies=form.cleaned_data.get("partner_companies", []),
                                      partners_text=form.cleaned_data["partners_text"],
                                      synergies=form.cleaned_data.get("synergies", []),
                                      flows=form.cleaned_data.get("flows", []), submit=payload.submit)
    except rules.RuleError as error:
        return _rule_refused(error)
    return _answer_out(Answer.objects.select_related("company").get(pk=answer.pk))


@router.post("/answers/{answer_id}/assessment", response={200: AnswerOut, **CONFLICT, **DENIED, **FORBIDDEN, **HIDDEN,
                                                           **INVALID})
def assess_answer(request, answer_id: int, payload: AssessmentIn):
    """Score a handed-in answer per criterion and, if given, decide (the call's facilitators), as its page."""
    who = user(request)
    answer = get_object_or_404(Answer.objects.select_related("company", "call"), pk=real_id(answer_id))
    if not access.can_read_answer(who, answer):
        raise Http404
    if not access.facilitates_call(who, answer.call):
        raise PermissionDenied(_("Réservé aux animateurs de ce territoire."))
    data = {"decision": payload.decision, "funding_scheme": payload.funding_scheme, "comment": payload.comment,
            "aid": "" if payload.aid is None else str(real_id(payload.aid))}
    data |= {f"score_{c}": "" if score is None else str(score) for c, score in payload.scores.items()}
    form = AssessmentForm(data, answer=answer)
    if not form.is_valid():
        raise form_invalid(form, {f"score_{c}": "scores" for c in rules.CRITERIA}, whole="decision")
    try:
        services.assess(answer, who, scores=form.scores(), comment=form.cleaned_data["comment"],
                        decision=form.cleaned_data["decision"], funding_scheme=form.cleaned_data["funding_scheme"],
                        aid=form.cleaned_data.get("aid"))
    except rules.RuleError as error:
        return _rule_refused(error)
    return _answer_out(Answer.objects.select_related("company").get(pk=answer.pk))
