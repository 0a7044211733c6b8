"""The facilitator space: review suggestions, move synergies forward, record outcomes, run the matching."""

import datetime as dt
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from boucle.accounts.access import is_facilitator
from boucle.flows.fields import CellError
from boucle.matching import lifecycle, services
from boucle.matching.models import MatchingRun
from boucle.territories.refs import TerritoryError

from .present import STATUS_LABELS


def facilitator_required(view):
    def wrapped(request, *args, **kwargs):
        if not is_facilitator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _territories(user):
    return [f.ref for f in user.facilitations.all()]


@facilitator_required
def facilitator_home(request):
    """The facilitator's dashboard: what waits for them, who answered, new flows, the territory's figures."""
    from .dashboards import facilitator_dashboard

    return facilitator_dashboard(request)


@facilitator_required
def territory_figures(request):
    from .dashboards import territory_figures as page

    return page(request)


@facilitator_required
def synergy_list(request):
    from .dashboards import synergy_list as page

    return page(request)


def _steerable(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    if not services.can_steer(request.user, synergy):
        raise PermissionDenied
    return synergy


# Choices that end a synergy: never preselected, and confirmed on a page of their own before they apply.
DESTRUCTIVE = {lifecycle.DECLINED, lifecycle.STOPPED}


def status_choices(current: str, both_agreed: bool = True) -> list[tuple[str, str, bool]]:
    """(key, label, selected) for the status form: forward steps in lifecycle order, endings last.

    The natural next step is preselected; when the only way on is an ending (a running
    synergy can only stop), a blank "choose" entry is, so one careless click ends nothing.
    Trial and running are offered only once both companies said yes (``lifecycle.NEEDS_BOTH_AGREED``).
    """
    allowed = {s for s in lifecycle.TRANSITIONS.get(current, set())
               if both_agreed or s not in lifecycle.NEEDS_BOTH_AGREED}
    forward = [s for s in lifecycle.STATUSES if s in allowed and s not in DESTRUCTIVE]
    endings = [s for s in lifecycle.STATUSES if s in allowed and s in DESTRUCTIVE]
    choices = [(s, str(STATUS_LABELS[s]), i == 0) for i, s in enumerate(forward)]
    choices += [(s, str(STATUS_LABELS[s]), False) for s in endings]
    if endings and not forward:
        choices.insert(0, ("", _("— choisir —"), True))
    return choices


def waiting_for_agreement(synergy) -> bool:
    """Whether the next steps (trial, running) wait for a company's yes."""
    return not synergy.both_agreed and bool(lifecycle.TRANSITIONS.get(synergy.status, set())
                                            & lifecycle.NEEDS_BOTH_AGREED)


def _refusal(current: str, target: str) -> str:
    allowed = [str(STATUS_LABELS[s]) for s in lifecycle.STATUSES if s in lifecycle.TRANSITIONS.get(current, set())]
    if target not in STATUS_LABELS:
        return _("Choisissez le nouveau statut dans la liste.")
    return _("une synergie « %(current)s » ne peut pas passer à « %(target)s » (possible : %(allowed)s).") % {
        "current": STATUS_LABELS[current], "target": STATUS_LABELS[target],
        "allowed": ", ".join(allowed) or _("aucun changement")}


@facilitator_required
@require_POST
def synergy_transition(request, pk):
    synergy = _steerable(request, pk)
    target = request.POST.get("target", "")
    reason = request.POST.get("reason", "")
    if target in DESTRUCTIVE and target in lifecycle.TRANSITIONS.get(synergy.status, set()) \
            and not request.POST.get("confirm"):
        return render(request, "web/facilitator/confirm_status.html", {
            "synergy": synergy, "target": target, "target_label": STATUS_LABELS[target], "reason": reason,
            "current_label": STATUS_LABELS[synergy.status]})
    try:
        services.transition(synergy, target, request.user, reason)
    except lifecycle.AgreementMissing:
        messages.error(request, _("Changement refusé : un essai ou un échange en fonctionnement met les deux "
                                  "entreprises en relation ; il faut d'abord que chacune ait accepté la mise en "
                                  "relation sur Boucle."))
        return redirect("synergy-detail", pk=pk)
    except lifecycle.TransitionError:
        messages.error(request, _("Changement refusé : %(error)s") % {"error": _refusal(synergy.status, target)})
        return redirect("synergy-detail", pk=pk)
    messages.success(request, _("Statut mis à jour : %(status)s.") % {"status": STATUS_LABELS[target]})
    if target == lifecycle.CONTACTED:
        told = introduce(request, synergy)
        if told:
            messages.info(request, ngettext(
                "%(n)d personne prévenue (notification et e-mail) : elle peut dire si son entreprise est intéressée.",
                "%(n)d personnes prévenues (notification et e-mail) : elles peuvent dire si leur entreprise est "
                "intéressée.", told) % {"n": told})
        else:
            messages.info(request, _("Personne n'a été prévenu : aucun compte n'est encore rattaché à ces deux "
                                     "entreprises. Prenez contact avec elles directement, puis invitez une personne de "
                                     "chacune avec les liens « Inviter » de cette page."))
    return redirect("synergy-detail", pk=pk)


def introduce(request, synergy) -> int:
    """Tell the members of both companies that a facilitator put them in touch; returns how many were told.

    The message names the material and links to the synergy page, never the other
    company: identities still wait for both companies' yes.
    """
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from boucle.notifications.messages import Message
    from boucle.notifications.services import notify

    companies = {synergy.offer.site.company_id, synergy.need_site.company_id}
    people = get_user_model().objects.filter(memberships__company_id__in=companies, is_active=True).distinct()
    return notify(people, Message("synergy.introduced", material=synergy.material_class),
                  link=reverse("synergy-detail", args=[synergy.pk]),
                  base_url=request.build_absolute_uri("/"))


class _Unreadable(ValueError):
    pass


def _number(text, label, base_unit=None):
    """A measured figure as typed (« 4 200,5 », « 12.5 »), by the flow form's rule (``TypedNumberField``): « nan »,
    « inf » or « 1e400 » are not numbers, and a quantity beyond the plausible maximum of a flow (the import's bound,
    ``flows.bounds.quantity``) is refused rather than added to the territory's verified figures."""
    from django import forms as dj_forms

    from boucle.flows import bounds

    from .flow_forms import TypedNumberField

    try:
        value = TypedNumberField(required=False).clean(text or "")
    except dj_forms.ValidationError:
        raise _Unreadable(_("« %(field)s » n'est pas un nombre") % {"field": label}) from None
    if value is None:
        return None
    if not math.isfinite(value):
        raise _Unreadable(_("« %(field)s » n'est pas un nombre") % {"field": label})
    if value < 0:
        raise _Unreadable(_("« %(field)s » ne peut pas être négatif") % {"field": label})
    if base_unit is not None:
        try:
            bounds.quantity(label, value, value, base_unit)
        except CellError as exc:
            raise _Unreadable(str(exc).split(": ", 1)[-1]) from None
    return value


@facilitator_required
@require_POST
def synergy_outcome(request, pk):
    synergy = _steerable(request, pk)
    try:
        start = request.POST.get("start_date", "").strip()
        try:
            start_date = dt.date.fromisoformat(start) if start else None
        except ValueError:
            raise _Unreadable(_("date de démarrage illisible")) from None
        services.record_outcome(
            synergy, request.user, start_date=start_date,
            tonnes_per_year=_number(request.POST.get("tonnes_per_year"), _("Tonnes par an (mesurées)"), "t"),
            eur_per_year=_number(request.POST.get("eur_per_year"), _("Euros par an (mesurés)")),
            co2e_avoided_t_per_year=_number(request.POST.get("co2e_avoided_t_per_year"),
                                            _("t CO₂e évitées par an")),
            # heat and water are measured in MWh and m³ (the form asks the unit of the offer's kind)
            mwh_per_year=_number(request.POST.get("mwh_per_year"), _("MWh par an (mesurés)"), "MWh"),
            water_m3_per_year=_number(request.POST.get("water_m3_per_year"), _("m³ par an (mesurés)"), "m3"),
            note=request.POST.get("note", ""))
        messages.success(request, _("Résultat vérifié enregistré."))
    except lifecycle.NothingExchanged:
        messages.error(request, _("Résultat refusé : un résultat mesuré s'enregistre une fois l'échange en essai ou "
                                  "en fonctionnement."))
    except _Unreadable as exc:
        messages.error(request, _("Résultat refusé : %(error)s.") % {"error": exc})
    return redirect("synergy-detail", pk=pk)


def run_matching_function():
    """The integrator's matching service, when it is installed."""
    try:
        from boucle.matching.service_run import run_matching
    except ImportError:
        return None
    return run_matching


@facilitator_required
def facilitator_import(request):
    """Import a sites or flows file for a territory as a background job, then follow it on its page.

    The file is copied for the worker (``jobs.imports``); every row is checked by the one import
    path (``flows.importers``), limited to the territory's sites, and written whole or not at all."""
    from boucle.flows.importers import FLOW_COLUMNS, SITE_COLUMNS
    from boucle.jobs import imports
    from boucle.jobs import services as jobs

    territories = _territories(request.user)
    error = None
    if request.method == "POST":
        ref = request.POST.get("territory", "")
        upload = request.FILES.get("file")
        if ref not in territories and not request.user.is_superuser:
            raise PermissionDenied
        what = request.POST.get("what", "")
        if what not in imports.WHAT:
            error = _("Choisissez ce que contient le fichier : des sites ou des flux.")
        elif upload is None:
            error = _("Choisissez un fichier.")
        elif upload.size > imports.MAX_IMPORT_BYTES:
            error = _("Fichier trop volumineux (%(mb)d Mo au plus).") % {"mb": imports.MAX_IMPORT_BYTES // 2**20}
        else:
            staged = None
            try:
                staged = imports.stage(upload.chunks(), upload.name)
                job = jobs.submit("import", ref, {**staged, "what": what}, request.user, wait=False)
                return redirect("jobs:detail", pk=job.pk)
            except (jobs.JobRefused, TerritoryError) as exc:
                if staged:
                    imports.staged_path(staged["file"]).unlink(missing_ok=True)
                error = str(exc)
    from boucle.jobs.views import _context

    recent = [_context(job) for job in jobs.visible_jobs(request.user).filter(kind="import")[:10]]
    return render(request, "web/facilitator/import.html", {
        "territories": territories, "error": error, "jobs": recent, "max_mb": imports.MAX_IMPORT_BYTES // 2**20,
        "site_columns": SITE_COLUMNS, "flow_columns": FLOW_COLUMNS, "what": request.POST.get("what", "sites")})


@facilitator_required
def matching_runs(request):
    """Run the matching of a territory as a background job (``boucle.jobs``), then follow it on its page."""
    from boucle.jobs import services as jobs

    runner = run_matching_function()
    territories = _territories(request.user)
    if request.method == "POST":
        ref = request.POST.get("territory", "")
        if ref not in territories and not request.user.is_superuser:
            raise PermissionDenied
        if runner is None:
            messages.error(request, _("Le moteur de rapprochement n'est pas installé sur ce serveur."))
        else:
            try:
                job = jobs.submit("match", ref, {"radius_km": request.POST.get("radius_km") or 50}, request.user)
                return redirect("jobs:detail", pk=job.pk)
            except (jobs.JobRefused, TerritoryError) as exc:
                messages.error(request, str(exc))
        return redirect("matching-runs")
    runs = MatchingRun.objects.all() if request.user.is_superuser else MatchingRun.objects.filter(
        territory__in=territories)
    from boucle.jobs.views import _context

    recent = [_context(job) for job in jobs.recent_for(request.user, 10)]
    last = runs.first()
    # the last run's radius, so that running again does not quietly shrink the proposals
    radius = round(last.radius_km) if last is not None else 50
    return render(request, "web/facilitator/runs.html", {"runs": runs[:50], "territories": territories,
                                                         "available": runner is not None, "jobs": recent,
                                                         "radius": radius, "rereading": _rereading_note(request.user)})


def _facilitated_communes(user):
    """The INSEE codes of the user's territories; None for a platform administrator without one (everything)."""
    from boucle.accounts.access import facilitated_q
    from boucle.territories.models import Commune

    q = facilitated_q(user, prefix="")
    if q is None:
        return None if user.is_superuser else set()
    return set(Commune.objects.filter(q).values_list("insee", flat=True))


def _rereading_note(user):
    """The last re-reading of the automatic classes of the flows in the user's territories (``flows.readings``),
    in words, or None when it read none of them."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from boucle.flows.readings import last_rereading, scoped

    from .templatetags.words import num

    last = last_rereading()
    if last is None:
        return None
    seen = scoped(last, _facilitated_communes(user))
    if not seen["reread"]:
        return None
    values = {"n": num(seen["reread"]), "date": date_format(timezone.localtime(last.finished_at), "DATE_FORMAT")}
    if seen["whole_platform"]:  # recorded before the counts were kept per commune
        text = ngettext("%(n)s flux relu sur toute la plateforme avec les règles de lecture à jour (%(date)s)",
                        "%(n)s flux relus sur toute la plateforme avec les règles de lecture à jour (%(date)s)",
                        seen["reread"]) % values
    else:
        text = ngettext("%(n)s flux relu avec les règles de lecture à jour (%(date)s)",
                        "%(n)s flux relus avec les règles de lecture à jour (%(date)s)", seen["reread"]) % values
    return {"text": text, "changed": seen["changed"], "transitions": seen["transitions"]}


@facilitator_required
def rereading_detail(request):
    """What the last re-reading of the automatic classes changed among the facilitator's flows: old class → new
    class, flows."""
    from boucle.matching.wording import material_label

    note = _rereading_note(request.user)
    none = _("sans classe")
    transitions = [{"from": material_label(t["from"]) if t["from"] else none,
                    "to": material_label(t["to"]) if t["to"] else none, "flows": t["flows"]}
                   for t in (note["transitions"] if note else [])]
    return render(request, "web/facilitator/rereading.html", {"note": note, "transitions": transitions})
