"""The aid catalogue: anyone reads and searches it; facilitators curate it (create, edit, archive).

A match for a synergy or an answer is shown on that page (``for_synergy_page``,
``for_answer_page``), with the same access rule as the page itself."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.accounts.access import is_facilitator
from boucle.territories.refs import TerritoryError, resolve

from . import engine, services
from .forms import AidForm
from .models import AID_TYPE_LABELS, THEME_LABELS, Aid

MAX_SHOWN_MATCHES = 8


def _territory(text: str):
    """A territory from what a person types: a reference (region:32, epci:…), a code, or a commune name."""
    text = text.strip()[:100]
    if not text:
        return None, ""
    try:
        ref = resolve(text)
        return f"{ref.level}:{ref.code}", ref.name
    except TerritoryError:
        from boucle.places.services import find_commune

        commune = find_commune(text)
        if commune is not None:
            return f"commune:{commune.insee}", commune.name
        named = _named_territory(text)
        if named is not None:
            return named
    return None, ""


def _named_territory(text: str):
    """A région, département or intercommunalité typed by its name (« Hauts-de-France », « Nord »)."""
    from boucle.territories.models import Departement, Epci, Region

    for level, model, key in (("region", Region, "code"), ("departement", Departement, "code"), ("epci", Epci, "siren")):
        found = model.objects.filter(name__iexact=text).first()
        if found is not None:
            return f"{level}:{getattr(found, key)}", found.name
    return None


def catalogue(request):
    """GET the catalogue, filtered by words, theme, form of aid and territory."""
    facilitates = is_facilitator(request.user)
    today = timezone.localdate()
    q = (request.GET.get("q") or "").strip()[:100]
    theme = request.GET.get("theme") if request.GET.get("theme") in engine.THEMES else ""
    aid_type = request.GET.get("type") if request.GET.get("type") in engine.AID_TYPES else ""
    typed = (request.GET.get("territoire") or "").strip()[:100]
    ref, territory_name = _territory(typed)
    show_closed = bool(request.GET.get("closes")) and facilitates
    show_archived = bool(request.GET.get("archived")) and facilitates
    show_hidden = bool(request.GET.get("hidden")) and facilitates
    territories = services.curatable_territories(request.user)
    aids = services.search(text=q, theme=theme, aid_type=aid_type, territory=ref or "", include_closed=show_closed,
                           include_archived=show_archived, today=today)
    aids, views = services.with_curation(aids, services.viewer_places(request.user), include_hidden=show_hidden)
    names = services.perimeter_names({r for a in aids for r in a.perimeter})
    rows = services.curated_rows([services.labelled(services.aid_dict(a, today, names)) for a in aids], views)
    return render(request, "aids/catalogue.html", {
        "rows": rows, "q": q, "theme": theme, "aid_type": aid_type, "typed": typed,
        "territory_name": territory_name, "territory_unknown": bool(typed) and ref is None,
        "themes": list(THEME_LABELS.items()), "types": list(AID_TYPE_LABELS.items()),
        "facilitates": facilitates, "show_closed": show_closed, "show_archived": show_archived,
        "show_hidden": show_hidden, "territories": territories,
        "territory_names": ", ".join(name for _ref, name in territories)})


def aid_detail(request, pk, *, error=None, status=200):
    aid = get_object_or_404(Aid, pk=pk)
    facilitates = is_facilitator(request.user)
    if aid.archived and not facilitates:
        raise Http404
    row = services.labelled(services.aid_dict(aid, timezone.localdate()))
    services.curated_rows([row], services.curations_for(services.viewer_places(request.user), [aid.pk]))
    return render(request, "aids/detail.html", {
        "aid": row, "facilitates": facilitates, "can_edit": services.can_edit_aid(request.user, aid),
        "own": services.own_curations(request.user, aid), "curation_error": error}, status=status)


def _refused(request):
    """Anonymous visitors are asked to log in; other non-facilitators are refused."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def aid_edit(request, pk=None):
    """GET/POST a facilitator's form for a new aid or an existing one they may write
    (``services.can_edit_aid``: their territory's schemes; every other aid they curate instead)."""
    if not is_facilitator(request.user):
        return _refused(request)
    aid = get_object_or_404(Aid, pk=pk) if pk else None
    if aid is not None and not services.can_edit_aid(request.user, aid):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = AidForm(request.POST)
        status = 400
        if form.is_valid() and not services.can_edit_aid(request.user, perimeter=form.parsed["perimeter"]):
            status = 403  # well formed, but not theirs to write: the form says why
            form.add_error("perimeter", _("Périmètre : hors des territoires que vous animez. Une aide nationale, "
                                          "européenne ou d'un autre territoire est tenue par l'administrateur de la "
                                          "plateforme ; vous pouvez la masquer, la mettre en avant ou l'annoter "
                                          "pour votre territoire depuis sa fiche."))
        if form.is_valid():
            aid = services.save_aid(form.values(), request.user, aid)
            messages.success(request, _("Aide enregistrée."))
            return redirect("aids:detail", pk=aid.pk)
    else:
        form = AidForm(initial=AidForm.initial_for(aid) if aid else {"to_verify": True,
                                                                      "written_on": timezone.localdate()})
    return render(request, "aids/form.html", {"form": form, "aid": aid}, status=status)


@require_POST
def aid_archive(request, pk):
    if not is_facilitator(request.user):
        return _refused(request)
    aid = get_object_or_404(Aid, pk=pk)
    if not services.can_edit_aid(request.user, aid):
        raise PermissionDenied
    archive = request.POST.get("archive", "1") != "0"
    services.set_archived(aid, request.user, archive)
    messages.success(request, _("Aide archivée : elle n'est plus proposée.") if archive
                     else _("Aide rétablie dans le catalogue."))
    return redirect("aids:detail", pk=aid.pk)


#: The choices of the curation form: how an aid is offered in the facilitator's territory.
DISPLAY = {"normal": (False, False), "pinned": (False, True), "hidden": (True, False)}


@require_POST
def aid_curate(request, pk):
    """A facilitator hides, pins or annotates an aid for one territory they facilitate (``services.curate``)."""
    if not is_facilitator(request.user):
        return _refused(request)
    aid = get_object_or_404(Aid, pk=pk)
    display = request.POST.get("display", "normal")
    if display not in DISPLAY:
        return aid_detail(request, pk, error=_("Présentation : choisissez « proposée », « mise en avant » ou "
                                               "« masquée »."), status=400)
    hidden, pinned = DISPLAY[display]
    try:
        services.curate(aid, request.user, request.POST.get("territory", ""), hidden=hidden, pinned=pinned,
                        note=request.POST.get("note", ""))
    except services.CurationError as exc:
        return aid_detail(request, pk, error=str(exc), status=400)
    messages.success(request, _("Choix enregistré pour votre territoire : les autres territoires ne sont pas concernés."))
    return redirect("aids:detail", pk=aid.pk)


def _shown(rows):
    return [services.labelled(r) for r in rows[:MAX_SHOWN_MATCHES]]


def for_synergy_page(synergy, user) -> list[dict]:
    """The aids shown on a synergy's page (the page has already checked the user may see it)."""
    return _shown(services.for_synergy(synergy, user=user, limit=MAX_SHOWN_MATCHES))


#: How many aids a flow's page shows (the best ones; the whole list is in the API).
MAX_SHOWN_FOR_FLOW = 5


def for_flow_page(flow) -> list[dict]:
    """The aids shown on a flow's page (the page has already checked the user may edit its site)."""
    return [services.labelled(r) for r in services.for_flow(flow, limit=MAX_SHOWN_FOR_FLOW)]


def for_answer_page(answer) -> list[dict]:
    """The aids shown on an answer's page (the page has already checked the user may read it)."""
    return _shown(services.for_answer(answer, limit=MAX_SHOWN_MATCHES))
