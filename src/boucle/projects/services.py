"""The one write path for calls and answers: check the rule, write, log the status change, in one transaction."""

from django.db import transaction
from django.utils import timezone

from . import rules
from .models import Answer, Assessment, Call, StatusChange


def call_phase(call: Call, today=None) -> str:
    return rules.phase(call.status, call.opens_on, call.closes_on, today or timezone.localdate())


@transaction.atomic
def create_call(user, call: Call) -> Call:
    """Save a new call (a draft) built by ``CallForm`` and log its creation."""
    call.created_by, call.status = user, rules.DRAFT
    call.save()
    StatusChange.objects.create(call=call, from_status="", to_status=call.status, author=user)
    return call


@transaction.atomic
def move_call(call: Call, target: str, user) -> None:
    call = Call.objects.select_for_update().get(pk=call.pk)
    undecided = call.answers.filter(status=rules.SUBMITTED).count()
    rules.check_call_transition(call.status, target, call_phase(call), undecided)
    StatusChange.objects.create(call=call, from_status=call.status, to_status=target, author=user)
    call.status = target
    call.save(update_fields=["status"])


@transaction.atomic
def save_answer(answer: Answer, user, *, sections, partner_companies, partners_text, synergies, flows,
                submit: bool) -> Answer:
    """Create or update a draft; ``submit`` then freezes it. Refused once submitted or the call closed."""
    call = Call.objects.select_for_update().get(pk=answer.call_id)
    if answer.pk is None:  # a colleague may have started the company's answer meanwhile: continue it
        existing = Answer.objects.filter(call=call, company_id=answer.company_id).first()
        if existing is not None:
            answer.__dict__.update({k: v for k, v in existing.__dict__.items() if k != "_state"})
            answer._state.adding = False
    current = Answer.objects.filter(pk=answer.pk).values_list("status", flat=True).first() if answer.pk else None
    status = current or rules.ANSWER_DRAFT
    if not rules.can_edit_answer(status, call_phase(call)):
        raise rules.RuleError("call_not_open" if status == rules.ANSWER_DRAFT else "already_submitted")
    if submit:
        rules.check_submit(status, call_phase(call), [s["text"] for s in sections])
    answer.sections = sections
    answer.partners_text = partners_text
    if answer.pk is None:
        answer.created_by = user
        answer.save()
        StatusChange.objects.create(call=call, answer=answer, from_status="", to_status=rules.ANSWER_DRAFT,
                                    author=user)
    if submit:
        answer.status = rules.SUBMITTED
        answer.submitted_at = timezone.now()
        StatusChange.objects.create(call=call, answer=answer, from_status=rules.ANSWER_DRAFT,
                                    to_status=rules.SUBMITTED, author=user)
    answer.save()
    answer.partner_companies.set(partner_companies)
    answer.synergies.set(synergies)
    answer.flows.set(flows)
    return answer


@transaction.atomic
def assess(answer: Answer, user, *, scores: dict, comment: str, decision: str, funding_scheme: str,
           aid=None) -> None:
    """Record the scores of each criterion and, if given, the decision (logged when it changes)."""
    answer = Answer.objects.select_for_update().select_related("call").get(pk=answer.pk)
    if answer.call.status == rules.DECIDED:
        raise rules.RuleError("results_published")
    if answer.status == rules.ANSWER_DRAFT:
        raise rules.RuleError("not_submitted")
    for criterion, score in scores.items():
        if score is None:
            continue
        rules.check_score(score)
        Assessment.objects.update_or_create(answer=answer, criterion=criterion,
                                            defaults={"score": score, "assessed_by": user})
    answer.decision_comment = comment
    if decision:
        rules.check_decision(answer.status, decision, answer.call.status, funding_scheme)
        if decision != answer.status:
            StatusChange.objects.create(call=answer.call, answer=answer, from_status=answer.status,
                                        to_status=decision, author=user, note=funding_scheme)
        answer.status = decision
        answer.funding_scheme = funding_scheme.strip() if decision == rules.REDIRECTED else ""
        answer.aid = aid if decision == rules.REDIRECTED else None
    answer.save()
