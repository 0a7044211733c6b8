"""Pages of calls for projects: public list and detail, the company's answer, the facilitators' review.

Answer contents are shown only through ``access.can_read_answer``; a refused
reader gets a 404 (an answer's existence is itself confidential).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from boucle.accounts.access import is_facilitator, member_company_ids
from boucle.aids.views import for_answer_page

from . import access, export, rules, services
from .forms import AnswerForm, AssessmentForm, CallForm
from .models import Answer, Call

ERRORS = {
    "call_not_open": gettext_lazy("L'appel n'est pas ouvert : les réponses ne sont plus acceptées."),
    "already_submitted": gettext_lazy("Cette réponse est déposée : elle ne peut plus être modifiée."),
    "empty_answer": gettext_lazy("Répondez au moins à une question avant de déposer."),
    "bad_transition": gettext_lazy("Ce changement de statut n'est pas possible."),
    "not_closed": gettext_lazy("Les résultats se publient après la clôture de l'appel."),
    "undecided_answers": gettext_lazy("Chaque réponse déposée doit d'abord recevoir une décision."),
    "results_published": gettext_lazy("Les résultats sont publiés : les décisions ne changent plus."),
    "not_submitted": gettext_lazy("Une réponse en brouillon ne s'évalue pas."),
    "bad_decision": gettext_lazy("Décision inconnue."),
    "scheme_required": gettext_lazy("Nommez le dispositif vers lequel la réponse est orientée."),
    "score_range": gettext_lazy("Une note va de 0 à 5."),
}
PHASES = {rules.DRAFT: gettext_lazy("brouillon"), rules.UPCOMING: gettext_lazy("à venir"),
          rules.OPEN: gettext_lazy("ouvert"), rules.CLOSED: gettext_lazy("clos"),
          rules.DECIDED: gettext_lazy("résultats publiés")}


def _error(code):
    return str(ERRORS.get(code, code))


def _decorate(call):
    call.phase = services.call_phase(call)
    call.phase_label = PHASES[call.phase]
    return call


def call_list(request):
    """Published calls for everyone; a member also sees which ones his company may answer; facilitators their drafts."""
    user = request.user
    calls = [_decorate(c) for c in Call.objects.exclude(status=rules.DRAFT)]
    mine = set()
    if user.is_authenticated:
        mine = set(access.calls_for_companies(member_company_ids(user)).values_list("pk", flat=True))
    drafts = []
    if is_facilitator(user):
        drafts = [_decorate(c) for c in Call.objects.filter(status=rules.DRAFT) if access.facilitates_call(user, c)]
    return render(request, "projects/list.html", {"calls": calls, "mine": mine, "drafts": drafts,
                                                  "can_create": is_facilitator(user)})


def call_detail(request, pk):
    call = get_object_or_404(Call, pk=pk)
    if not access.can_see_call(request.user, call):
        raise Http404
    _decorate(call)
    counts = rules.public_counts(call.status, call.answers.values_list("status", flat=True))
    companies = list(access.answering_companies(request.user, call))
    own = {a.company_id: a for a in Answer.objects.filter(call=call, company__in=companies)}
    own_answers = [(c, own.get(c.pk)) for c in companies]
    facilitates = access.facilitates_call(request.user, call)
    return render(request, "projects/detail.html", {
        "call": call, "counts": counts, "own_answers": own_answers, "facilitates": facilitates,
        "history": _named(call.status_log.filter(answer=None).select_related("author")) if facilitates else [],
        "next_status": sorted(rules.CALL_TRANSITIONS[call.status]) if facilitates else []})


@login_required
def call_create(request):
    if not is_facilitator(request.user):
        raise PermissionDenied
    form = CallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        call = services.create_call(request.user, form.save(commit=False))
        messages.success(request, _("Appel enregistré en brouillon."))
        return redirect("projects:detail", pk=call.pk)
    return render(request, "projects/call_form.html", {"form": form})


def _facilitated(request, pk):
    call = get_object_or_404(Call, pk=pk)
    if not access.facilitates_call(request.user, call):
        raise Http404 if call.status == rules.DRAFT else PermissionDenied
    return call


@login_required
def call_edit(request, pk):
    """Drafts only: once published, companies answer the questions as they were published."""
    call = _facilitated(request, pk)
    if call.status != rules.DRAFT:
        raise PermissionDenied
    form = CallForm(request.POST or None, instance=call, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Appel modifié."))
        return redirect("projects:detail", pk=call.pk)
    return render(request, "projects/call_form.html", {"form": form, "call": call})


@login_required
@require_POST
def call_transition(request, pk):
    call = _facilitated(request, pk)
    try:
        services.move_call(call, request.POST.get("target", ""), request.user)
        messages.success(request, _("Statut de l'appel mis à jour."))
    except rules.RuleError as error:
        messages.error(request, _error(error.code))
    return redirect("projects:detail", pk=call.pk)


@login_required
def answer_edit(request, pk):
    """The company's answer: a draft it may change until it submits or the call closes."""
    call = get_object_or_404(Call.objects.exclude(status=rules.DRAFT), pk=pk)
    companies = access.answering_companies(request.user, call)
    company_id = request.POST.get("company") or request.GET.get("company")
    company = companies.filter(pk=company_id).first() if str(company_id or "").isdigit() else companies.first()
    if company is None:
        raise PermissionDenied
    answer = Answer.objects.filter(call=call, company=company).first() or Answer(call=call, company=company)
    _decorate(call)
    editable = rules.can_edit_answer(answer.status, call.phase)
    form = AnswerForm(request.POST or None, call=call, company=company, answer=answer)
    error = None
    if request.method == "POST":
        if not editable:
            error = _error("call_not_open" if answer.status == rules.ANSWER_DRAFT else "already_submitted")
        elif form.is_valid():
            try:
                services.save_answer(answer, request.user, sections=form.sections(),
                                     partner_companies=form.cleaned_data.get("partner_companies", []),
                                     partners_text=form.cleaned_data["partners_text"],
                                     synergies=form.cleaned_data.get("synergies", []),
                                     flows=form.cleaned_data.get("flows", []),
                                     submit="submit" in request.POST)
                messages.success(request, _("Réponse déposée.") if "submit" in request.POST
                                 else _("Brouillon enregistré."))
                return redirect("projects:answer-detail", pk=answer.pk)
            except rules.RuleError as exc:
                error = _error(exc.code)
    status = 400 if error or (request.method == "POST" and form.errors) else 200
    return render(request, "projects/answer_form.html", {
        "call": call, "company": company, "answer": answer, "form": form, "editable": editable, "error": error,
        "companies": companies}, status=status)


def _named(entries, field: str = "author", company=None) -> list:
    """Each entry with ``who``: its author as ``accounts.people`` names a person to others (full name, else
    « un membre de l'entreprise <entreprise> » for a member of the answering company, « un membre de l'équipe d'animation »
    for a facilitator), never the login, which is often an e-mail address."""
    from boucle.accounts.people import person_name

    members = set()
    if company is not None:
        members = set(company.memberships.values_list("user_id", flat=True))
    out = list(entries)
    for entry in out:
        person = getattr(entry, field)
        entry.who = person_name(person, company=company.name if person is not None and person.pk in members else None)
    return out


def _readable_answer(request, pk):
    answer = get_object_or_404(Answer.objects.select_related("call", "company"), pk=pk)
    if not access.can_read_answer(request.user, answer):
        raise Http404
    return answer


@login_required
def answer_detail(request, pk):
    answer = _readable_answer(request, pk)
    call = _decorate(answer.call)
    facilitates = access.facilitates_call(request.user, call)
    form = AssessmentForm(answer=answer) if facilitates and answer.status != rules.ANSWER_DRAFT else None
    return render(request, "projects/answer_detail.html", _answer_context(request, answer, call, facilitates, form))


def _answer_context(request, answer, call, facilitates, form):
    """A company learns its decision when the results are published, not while facilitators deliberate."""
    history = answer.status_log.select_related("author")
    shown_status = answer.get_status_display()
    if not facilitates and call.status != rules.DECIDED:
        history = history.exclude(to_status__in=rules.DECISIONS)
        if answer.status in rules.DECISIONS:
            shown_status = Answer.Status.SUBMITTED.label
    return {"answer": answer, "call": call, "facilitates": facilitates, "form": form, "shown_status": shown_status,
            "editable": rules.can_edit_answer(answer.status, call.phase)
            and answer.company_id in member_company_ids(request.user),
            "assessments": _named(answer.assessments.select_related("assessed_by"), "assessed_by") if facilitates else [],
            "aids": for_answer_page(answer),
            "history": _named(history, company=answer.company)}


@login_required
@require_POST
def answer_assess(request, pk):
    answer = _readable_answer(request, pk)
    call = _decorate(answer.call)
    if not access.facilitates_call(request.user, call):
        raise PermissionDenied
    form = AssessmentForm(request.POST, answer=answer)
    if form.is_valid():
        try:
            services.assess(answer, request.user, scores=form.scores(), comment=form.cleaned_data["comment"],
                            decision=form.cleaned_data["decision"], funding_scheme=form.cleaned_data["funding_scheme"],
                            aid=form.cleaned_data.get("aid"))
            messages.success(request, _("Évaluation enregistrée."))
            return redirect("projects:answer-detail", pk=answer.pk)
        except rules.RuleError as exc:
            form.add_error(None, _error(exc.code))
    answer.refresh_from_db()
    return render(request, "projects/answer_detail.html", _answer_context(request, answer, call, True, form),
                  status=400)


@login_required
def answer_list(request, pk):
    """The facilitators' table of a call's answers (drafts counted, not shown)."""
    call = _decorate(_facilitated(request, pk))
    answers = (call.answers.exclude(status=rules.ANSWER_DRAFT).select_related("company")
               .prefetch_related("assessments").order_by("company__name"))
    for answer in answers:
        answer.mean = rules.mean_score(a.score for a in answer.assessments.all())
    drafts = call.answers.filter(status=rules.ANSWER_DRAFT).count()
    by_status = dict(call.answers.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return render(request, "projects/answers.html", {"call": call, "answers": answers, "drafts": drafts,
                                                     "by_status": by_status})


@login_required
def answer_export(request, pk, fmt):
    call = _facilitated(request, pk)
    table = export.rows(call)
    name = f"ami-{call.pk}-reponses"
    if fmt == "csv":
        response = HttpResponse(export.to_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    elif fmt == "xlsx":
        response = HttpResponse(export.to_xlsx(table), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        raise Http404
    response["Cache-Control"] = "private, no-store"
    return response
