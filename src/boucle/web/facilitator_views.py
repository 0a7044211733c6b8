"""The facilitator space: review suggestions, move synergies forward, record outcomes, run the matching."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from boucle.accounts.access import is_facilitator
from boucle.matching import lifecycle, services
from boucle.matching.models import MatchingRun
from boucle.matching.territory_potential import potential_of
from boucle.territories.refs import TerritoryError, resolve

from .impact import impact_summary
from .indicators import territory_indicators
from .present import STATUS_LABELS, synergy_card


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
    """Suggestions and synergies in the facilitator's territories, filterable by status."""
    qs = services.visible_synergies(request.user).filter(stale=False)
    status = request.GET.get("status", "")
    if status in lifecycle.STATUSES:
        qs = qs.filter(status=status)
    cards = [synergy_card(request.user, s) for s in qs.order_by("-score", "id")[:200]]
    indicators, refs = [], []
    for ref in _territories(request.user):
        try:
            refs.append(resolve(ref))
        except TerritoryError:
            continue
        indicators.append(territory_indicators(refs[-1], disclose_all=True))
    # One territory: its own potential, the figure of its card and of the observatory; several: the
    # platform's allocation, of which the exchanges among the synergies this facilitator sees.
    potential = potential_of(refs[0]) if len(refs) == 1 else None
    return render(request, "web/facilitator/home.html", {
        "cards": cards, "status": status, "statuses": [(s, STATUS_LABELS[s]) for s in lifecycle.STATUSES],
        "impact": impact_summary(services.visible_synergies(request.user), potential=potential),
        "indicators": indicators})


def _steerable(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    if not services.can_steer(request.user, synergy):
        raise PermissionDenied
    return synergy


@facilitator_required
@require_POST
def synergy_transition(request, pk):
    synergy = _steerable(request, pk)
    target = request.POST.get("target", "")
    try:
        services.transition(synergy, target, request.user, request.POST.get("reason", ""))
        messages.success(request, _("Statut mis à jour."))
        if target == lifecycle.CONTACTED:
            sent = introduce(request, synergy)
            messages.info(request, ngettext("%(n)d personne prévenue.", "%(n)d personnes prévenues.", sent)
                          % {"n": sent})
    except lifecycle.TransitionError as exc:
        messages.error(request, _("Changement refusé : %(error)s") % {"error": exc})
    return redirect("synergy-detail", pk=pk)


def introduce(request, synergy) -> int:
    """Tell the members of both companies that a facilitator put them in touch.

    The message names the material and links to the synergy page, never the other
    company: identities still wait for both companies' yes.
    """
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    from .present import material_label

    companies = {synergy.offer.site.company_id, synergy.need_site.company_id}
    emails = sorted(set(get_user_model().objects.filter(memberships__company_id__in=companies, is_active=True)
                        .exclude(email="").values_list("email", flat=True)))
    link = request.build_absolute_uri(reverse("synergy-detail", args=[synergy.pk]))
    subject = _("Boucle : une synergie vous est proposée (%(material)s)") % {
        "material": material_label(synergy.material_class)}
    body = _("L'animatrice ou l'animateur de votre territoire vous met en relation pour cette synergie. "
             "Dites si vous êtes intéressé : %(link)s") % {"link": link}
    return send_mass_mail([(subject, body, None, [email]) for email in emails])


def _number(text):
    text = (text or "").strip().replace(",", ".")
    return float(text) if text else None


@facilitator_required
@require_POST
def synergy_outcome(request, pk):
    synergy = _steerable(request, pk)
    try:
        start = request.POST.get("start_date", "").strip()
        services.record_outcome(
            synergy, request.user, start_date=dt.date.fromisoformat(start) if start else None,
            tonnes_per_year=_number(request.POST.get("tonnes_per_year")),
            eur_per_year=_number(request.POST.get("eur_per_year")),
            co2e_avoided_t_per_year=_number(request.POST.get("co2e_avoided_t_per_year")),
            note=request.POST.get("note", ""))
        messages.success(request, _("Résultat vérifié enregistré."))
    except ValueError as exc:
        messages.error(request, _("Résultat refusé : %(error)s") % {"error": exc})
    return redirect("synergy-detail", pk=pk)


def run_matching_function():
    """The integrator's matching service, when it is installed."""
    try:
        from boucle.matching.service_run import run_matching
    except ImportError:
        return None
    return run_matching


@facilitator_required
def matching_runs(request):
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
                radius = float(request.POST.get("radius_km") or 50)
                runner(ref, radius, request.user)
                messages.success(request, _("Rapprochement terminé."))
            except (ValueError, TerritoryError) as exc:
                messages.error(request, str(exc))
        return redirect("matching-runs")
    runs = MatchingRun.objects.all() if request.user.is_superuser else MatchingRun.objects.filter(
        territory__in=territories)
    return render(request, "web/facilitator/runs.html", {"runs": runs[:50], "territories": territories,
                                                         "available": runner is not None})
