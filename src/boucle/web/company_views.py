"""The company space: a member's sites and flows, imports, suggested synergies and their answers."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.accounts.access import admin_company_ids, can_edit_site, member_company_ids, sites_in_full_view
from boucle.flows.importers import import_flows
from boucle.flows.models import Company, Flow, Site
from boucle.flows.tabular import FileFormatError
from boucle.matching import lifecycle, services
from boucle.reference.models import WasteCode

from .flow_forms import FlowForm
from .synergy_figures import calculation
from .impact import impact_summary
from .present import KIND_LABELS, STATUS_LABELS, _lang, material_classes, synergy_card

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _editable_sites(user):
    return sites_in_full_view(user).select_related("company", "commune").order_by("company__name", "name")


@login_required
def company_home(request):
    companies = Company.objects.filter(pk__in=member_company_ids(request.user)).order_by("name")
    admin_ids = admin_company_ids(request.user)
    sites = (Site.objects.filter(company__in=companies).select_related("company", "commune")
             .annotate(n_offers=Count("flows", filter=Q(flows__direction="offer")),
                       n_needs=Count("flows", filter=Q(flows__direction="need"))))
    return render(request, "web/company/home.html", {"companies": companies, "sites": sites, "admin_ids": admin_ids})


@login_required
def site_flows(request, pk):
    site = get_object_or_404(Site.objects.select_related("company", "commune"), pk=pk)
    if not can_edit_site(request.user, site):
        raise PermissionDenied
    flows = list(site.flows.select_related("ewc").order_by("direction", "label"))
    from urllib.parse import urlencode

    from boucle.sourcing.services import material_keys

    with_proposal = set(site.flows.filter(direction="need", synergies_as_need__isnull=False)
                        .values_list("pk", flat=True))
    keys = set(material_keys())
    for flow in flows:
        flow.kind_label = KIND_LABELS.get(flow.kind, flow.kind)
        # a need nobody proposes for: the directory's establishments around the site (local sourcing)
        flow.suppliers_query = (urlencode({"mode": "material", "q": flow.material_class, "near": f"site:{site.site_id}",
                                           "radius_km": 50})
                                if flow.direction == "need" and flow.pk not in with_proposal
                                and flow.material_class in keys and site.lat is not None else "")
    return render(request, "web/company/site_flows.html", {"site": site, "flows": flows})


def _flow_form_page(request, form, flow=None):
    return render(request, "web/company/flow_form.html", {"form": form, "flow": flow,
                                                          "matching_notes": _matching_notes(flow) if flow else []})


def _matching_notes(flow) -> list[str]:
    """Why the matching makes no proposal for this flow (unknown material, a total, a site whose
    activity is unknown), in words."""
    from boucle.matching.pipeline import why_no_proposal
    from boucle.matching.service_run import pipeline_inputs

    site_in, flows_in = pipeline_inputs(type(flow.site).objects.filter(pk=flow.site_id))
    mine = next((f for f in flows_in if f.flow_id == str(flow.pk)), None)
    if mine is None or not site_in:
        return []
    words = {
        "total": _("Ce flux est un total déclaré sur plusieurs matières : il est gardé comme information et n'est "
                   "proposé à aucun site. Déclarez chaque matière à part pour qu'elle puisse l'être."),
        "unknown_material": _("Matière non reconnue : ni le libellé, ni le code déchet, ni la classe choisie ne "
                              "correspondent à une matière connue, donc aucune proposition n'est faite. Choisissez une "
                              "classe de matière ou indiquez le code déchet."),
        "unknown_activity": _("Activité du site inconnue (ni code NAF, ni description reconnue) : aucun besoin ne "
                              "peut être déduit pour ce site, il ne reçoit que les propositions de ses besoins déclarés."),
    }
    return [str(words[code]) for code in why_no_proposal(mine, site_in[0]) if code in words]


@login_required
def flow_create(request):
    sites = _editable_sites(request.user)
    if not sites.exists():
        raise PermissionDenied
    initial = {"site": request.GET.get("site")} if request.GET.get("site", "").isdigit() else {}
    form = FlowForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        flow = form.save(author=request.user)
        messages.success(request, _("Flux enregistré."))
        return redirect("site-flows", pk=flow.site_id)
    return _flow_form_page(request, form)


@login_required
def flow_edit(request, pk):
    flow = get_object_or_404(Flow.objects.select_related("site", "ewc"), pk=pk)
    if not can_edit_site(request.user, flow.site):
        raise PermissionDenied
    sites = _editable_sites(request.user)
    form = FlowForm(request.POST or None, sites=sites, instance=flow, initial=FlowForm.initial_for(flow))
    if request.method == "POST" and form.is_valid():
        form.save(author=request.user)
        messages.success(request, _("Flux modifié."))
        return redirect("site-flows", pk=flow.site_id)
    return _flow_form_page(request, form, flow)


@login_required
@require_POST
def flow_delete(request, pk):
    flow = get_object_or_404(Flow.objects.select_related("site"), pk=pk)
    if not can_edit_site(request.user, flow.site):
        raise PermissionDenied
    site_pk = flow.site_id
    flow.delete()
    messages.success(request, _("Flux supprimé."))
    return redirect("site-flows", pk=site_pk)


@login_required
def flow_import(request):
    """Upload a file in the public import format; rows may only name sites the user may edit."""
    if not _editable_sites(request.user).exists():
        raise PermissionDenied
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choisissez un fichier.")
        elif upload.size > MAX_UPLOAD_BYTES:
            error = _("Fichier trop volumineux (5 Mo au plus).")
        else:
            suffix = Path(upload.name).suffix.lower()
            if suffix not in (".csv", ".xlsx", ".tsv", ".txt"):
                error = _("Format attendu : CSV ou XLSX.")
            else:
                report, error = _import_upload(request, upload, suffix)
    return render(request, "web/company/import.html", {"report": report, "error": error,
                                                        "lines": report.lines(_lang()) if report else []})


def _import_upload(request, upload, suffix):
    allowed = set(_editable_sites(request.user).values_list("site_id", flat=True))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            from boucle.flows.tabular import read_table

            table = read_table(path)
            foreign = sorted({line for line, row in table.rows
                              if row.get("site_id", "").replace(" ", "").strip() not in allowed})
            if foreign:
                return None, _("Lignes %(lines)s : site inconnu ou hors de vos sites.") % {
                    "lines": ", ".join(str(n) for n in foreign[:20])}
            return import_flows(path, partial=bool(request.POST.get("partial")), source="web-upload"), None
        except FileFormatError as exc:
            return None, str(exc)


@login_required
def company_synergies(request):
    """Synergies touching the user's companies, best first, each with its explanation and estimate."""
    companies = member_company_ids(request.user)
    qs = (services.visible_synergies(request.user)
          .filter(Q(offer__site__company_id__in=companies) | Q(need_site__company_id__in=companies))
          .exclude(stale=True).order_by("-score", "id"))
    cards = [synergy_card(request.user, s) for s in qs[:200]]
    return render(request, "web/company/synergies.html", {"cards": cards})


@login_required
def synergy_detail(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    card = synergy_card(request.user, synergy)
    log = synergy.status_log.select_related("author") if card["can_steer"] or card["can_answer"] else []
    outcomes = synergy.outcomes.order_by("-recorded_at") if card["can_steer"] or card["can_answer"] else []
    targets = sorted(lifecycle.TRANSITIONS.get(synergy.status, ())) if card["can_steer"] else []
    hidden = card["offer"]["site"]["anonymous"] or card["need"]["site"]["anonymous"]
    return render(request, "web/company/synergy_detail.html", {
        "card": card, "log": log, "outcomes": outcomes, "calc": calculation(synergy, hidden),
        "targets": [(t, STATUS_LABELS[t]) for t in targets]})


@login_required
@require_POST
def synergy_interest(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    answer = request.POST.get("answer")
    if answer not in ("yes", "no"):
        return HttpResponse(_("Réponse attendue : yes ou no."), status=400)
    try:
        synergy = services.express_interest(synergy, request.user, answer == "yes")
    except lifecycle.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("synergy-detail", pk=pk)
    if synergy.revealed_at:
        messages.success(request, _("Les deux entreprises sont intéressées : leurs coordonnées sont dévoilées."))
    else:
        messages.success(request, _("Réponse enregistrée."))
    return redirect("synergy-detail", pk=pk)


@login_required
def company_impact(request):
    companies = member_company_ids(request.user)
    qs = services.visible_synergies(request.user).filter(
        Q(offer__site__company_id__in=companies) | Q(need_site__company_id__in=companies))
    hidden = {s.pk for s in qs if not synergy_card(request.user, s)["revealed"]}
    return render(request, "web/company/impact.html", {"impact": impact_summary(qs, hidden)})


# --- search-as-you-type pickers (htmx fills a <datalist>; without htmx the field accepts a typed code) ---

@login_required
def picker_ewc(request):
    q = request.GET.get("q", request.GET.get("ewc", "")).strip()
    label = "label_en" if _lang() == "en" else "label_fr"
    rows = []
    if len(q) >= 2:
        digits = q.replace(" ", "")
        qs = WasteCode.objects.filter(Q(code6__startswith=digits) | Q(**{f"{label}__icontains": q}))
        rows = [(w.code, f"{w.code} {getattr(w, label)}") for w in qs.order_by("code6")[:20]]
    return HttpResponse("".join(f'<option value="{escape(v)}">{escape(t)}</option>' for v, t in rows))


@login_required
def picker_materials(request):
    q = request.GET.get("q", request.GET.get("material_class", "")).strip().lower()
    label = "label_en" if _lang() == "en" else "label_fr"
    rows = []
    if len(q) >= 2:
        rows = [(k, v[label]) for k, v in material_classes().items() if q in k or q in v[label].lower()][:20]
    return HttpResponse("".join(f'<option value="{escape(k)}">{escape(t)}</option>' for k, t in rows))


