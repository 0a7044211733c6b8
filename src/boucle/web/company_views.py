"""The company space: a member's sites and flows, imports, suggested synergies and their answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.accounts.access import can_edit_site, member_company_ids, sites_in_full_view
from boucle.accounts.people import full_name
from boucle.aids.views import for_flow_page, for_synergy_page
from boucle.flows.models import Flow, Site
from boucle.matching import lifecycle, services
from boucle.reference.models import WasteCode
from boucle.sourcing.engine import bounding_box

from .flow_forms import FlowForm
from .synergy_figures import calculation
from .impact import impact_summary
from .present import KIND_LABELS, _lang, material_classes, synergy_card
from .words import number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _editable_sites(user):
    return sites_in_full_view(user).select_related("company", "commune").order_by("company__name", "name")


@login_required
def company_home(request):
    """The company's dashboard: its flows, new proposals, answers awaited, its impact."""
    from .dashboards import company_dashboard

    return company_dashboard(request)


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
    from .flow_forms import material_options

    return render(request, "web/company/flow_form.html", {"form": form, "flow": flow,
                                                          "material_options": material_options(),
                                                          "matching_notes": _matching_notes(flow) if flow else [],
                                                          "hazard_note": _hazard_note(flow) if flow else "",
                                                          "aids": for_flow_page(flow) if flow else None})


def _hazard_note(flow) -> str:
    """Why a flow counts as a hazardous waste, in words, whenever the exports say it is one
    (``materials.hazard.why_hazardous``, one rule for both): the code that says it (its own, or the one its label
    quotes), its material, every entry of which is hazardous, or the company's declaration; empty otherwise."""
    from boucle.materials import hazard

    why = hazard.of_flow(flow)
    if why is None:
        return ""
    if why.code6:
        return _("Déchet dangereux : le code %(code)s de la liste européenne des déchets le classe dangereux. "
                 "Il n'est proposé qu'aux sites dont l'activité peut le recevoir.") % {
            "code": f"{why.code6[:2]} {why.code6[2:4]} {why.code6[4:]}*"}
    if why.reason == hazard.CLASS:
        from .present import material_label

        return _("Déchet dangereux : toutes les entrées de la liste européenne des déchets pour la matière "
                 "« %(material)s » sont classées dangereuses, quel que soit le code. Il n'est proposé qu'aux sites "
                 "dont l'activité peut le recevoir.") % {"material": material_label(why.material_class)}
    return _("Déchet dangereux, déclaré comme tel. Il n'est proposé qu'aux sites dont l'activité peut le recevoir.")


def _matching_notes(flow) -> list[str]:
    """Why the matching makes no proposal for this flow, in words: a total, an unknown material, a site
    whose activity is unknown; for an offer without a current proposal, what stands in the way among the
    sites within the matching's radius (``pipeline.why_no_receiver``)."""
    from django.conf import settings

    from boucle.matching.pipeline import classify_flow, reach_km, why_no_proposal, why_no_receiver
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
        "unknown_activity": _("Activité du site inconnue (ni code NAF, ni description reconnue, ni offre propre à un "
                              "métier) : aucun besoin ne peut être déduit pour ce site, il ne reçoit que les "
                              "propositions de ses besoins déclarés."),
    }
    codes = why_no_proposal(mine, site_in[0], flows_in)
    if "unknown_material" in codes and not flow.ewc_id and not flow.material_class:
        from boucle.materials.classify import names_no_material

        if names_no_material(flow.label):  # « Déchets divers »: the words are known, they name no material
            words["unknown_material"] = _(
                "Le libellé « %(label)s » ne dit pas de quelle matière il s'agit, donc aucune proposition n'est "
                "faite. Nommez la matière (par exemple « chutes de bois », « ferraille », « cartons »), choisissez-la "
                "dans la liste « Matière » ou indiquez le code déchet.") % {"label": flow.label}
    notes = [str(words[code]) for code in codes if code in words]
    if mine.direction == "need" and not {"total", "unknown_material"} & set(codes) \
            and not flow.synergies_as_need.filter(stale=False).exists():
        return notes + _offers_around_note(flow)
    if mine.direction != "offer" or {"total", "unknown_material"} & set(codes) \
            or flow.synergies_as_offer.filter(stale=False).exists():
        return notes
    # heat, steam and water are looked for much closer than the radius: the sites around are those within reach
    radius = reach_km([k for k, _c in classify_flow(mine)], settings.BOUCLE_MATCH_RADIUS_KM)
    around, needs = [], []
    if flow.site.lat is not None and flow.site.lon is not None:
        lat0, lat1, lon0, lon1 = bounding_box(flow.site.lat, flow.site.lon, radius)
        around, needs = pipeline_inputs(type(flow.site).objects.filter(
            closed=False, lat__range=(lat0, lat1), lon__range=(lon0, lon1)))
    km = {"km": number(radius, 1)}
    around_words = {
        "no_location": _("Le site n'est pas localisé (adresse ou coordonnées manquantes) : la mise en relation ne peut "
                         "pas chercher de receveur autour de lui."),
        "no_site_around": _("Aucun autre site à moins de %(km)s km : personne autour à qui proposer cette offre.") % km,
        "not_run_yet": _("Des receveurs possibles existent à moins de %(km)s km : les propositions apparaîtront au "
                         "prochain lancement de la mise en relation par l'animateur du territoire.") % km,
        "unknown_activity_around": _("L'activité d'aucun site à moins de %(km)s km n'est connue (ni code NAF, ni "
                                     "description reconnue, ni offre propre à un métier) et aucun n'a déclaré de "
                                     "besoin : aucun receveur ne peut être déduit.") % km,
        "hazardous_no_receiver": _("Déchet dangereux : aucun site à moins de %(km)s km n'a une activité qui peut "
                                   "traiter ce type de déchet, donc il n'est proposé à personne.") % km,
        "no_gain": _("Des sites à moins de %(km)s km utilisent cette matière, mais l'échange n'éviterait rien par "
                     "rapport à ce que devient ce flux aujourd'hui (champ « Devenir actuel »), donc aucune proposition "
                     "n'est faite. Précisez ce devenir s'il est autre.") % km,
        "heat_too_far": _("Des sites à moins de %(km)s km pourraient utiliser cette chaleur, mais aucun n'est assez "
                          "proche pour cette quantité : la conduite et la chaleur perdue en route coûteraient plus que "
                          "ne vaut la chaleur livrée, donc aucune proposition n'est faite.") % km,
        "unlikely": _("Un site à moins de %(km)s km pourrait recevoir cette matière, mais la correspondance est trop "
                      "incertaine pour être proposée. Choisir la matière ou indiquer le code déchet peut aider.") % km,
        "no_receiver": (_("Aucun site assez proche n'a besoin de cette chaleur, ni d'après son activité ni par un "
                          "besoin déclaré : la chaleur ne se transporte que sur quelques kilomètres.")
                        if flow.kind == "energy" else
                        _("Aucun site à moins de %(km)s km n'utilise cette matière, ni d'après son activité ni par un "
                          "besoin déclaré.") % km),
    }
    # the needs declared around, and the offers that betray the trade of sites known by a name only
    reasons = why_no_receiver(mine, site_in[0], around, needs, radius)
    return notes + [str(around_words[code]) for code in reasons if code in around_words]


def _offers_around_note(need) -> list[str]:
    """For a declared need without a current proposal: how many offers of its material are declared within the
    distance the matching looks for it (the radius, or its kind's shorter reach: a few km for heat, steam or cold,
    tens for water) on other open sites, and why none is proposed for it when some are: each offer goes to its few
    most plausible receivers (``boucle match``: 3 at most) and only where the exchange gains something."""
    from django.conf import settings
    from django.utils.translation import ngettext

    from boucle.matching.pipeline import reach_km
    from boucle.matching.spatial import haversine_km

    site = need.site
    if not need.material_class or site.lat is None or site.lon is None:
        return []
    radius = reach_km([need.material_class], settings.BOUCLE_MATCH_RADIUS_KM)
    why_near = _reach_words(need.material_class, radius) if radius < settings.BOUCLE_MATCH_RADIUS_KM else []
    lat0, lat1, lon0, lon1 = bounding_box(site.lat, site.lon, radius)
    offers = Flow.objects.offers().filter(material_class=need.material_class, site__closed=False,
                                 site__lat__range=(lat0, lat1), site__lon__range=(lon0, lon1)).exclude(site=site)
    n = sum(1 for lat, lon in offers.values_list("site__lat", "site__lon")
            if haversine_km(site.lat, site.lon, lat, lon) <= radius)
    km = number(radius, 1)
    if not n:
        return [_("Aucune offre de cette matière n'est déclarée à moins de %(km)s km : aucune proposition ne peut "
                  "être faite pour ce besoin.") % {"km": km}, *why_near]
    return [ngettext(
        "%(n)s offre de cette matière est déclarée à moins de %(km)s km, mais la mise en relation ne la propose pas "
        "pour ce besoin : une offre n'est proposée qu'à ses receveurs les plus plausibles (3 au plus), et seulement "
        "si l'échange apporte un gain. L'animateur du territoire peut l'étudier avec vous.",
        "%(n)s offres de cette matière sont déclarées à moins de %(km)s km, mais la mise en relation n'en propose "
        "aucune pour ce besoin : une offre n'est proposée qu'à ses receveurs les plus plausibles (3 au plus), et "
        "seulement si l'échange apporte un gain. L'animateur du territoire peut les étudier avec vous.",
        n) % {"n": number(n), "km": km}, *why_near]


def _reach_words(class_key: str, km: float) -> list[str]:
    """Why the matching looks for heat or water nearer than its radius, in words (the engine's class limits)."""
    from boucle.materials.taxonomy import get_class

    if get_class(class_key).kind == "water":
        return [_("L'eau n'est cherchée qu'à moins de %(km)s km : au-delà, la conduite coûte plus que l'eau "
                  "qu'elle livre.") % {"km": number(km, 1)}]
    return [_("La chaleur, la vapeur et le froid ne sont cherchés qu'à moins de %(km)s km : au-delà, la conduite et "
              "ce qui se perd en route coûtent plus que l'énergie livrée.") % {"km": number(km, 1)}]


def _unrecognised(flow) -> bool:
    """A material, heat or water flow of no known material: the matching proposes it to nobody."""
    return flow.kind in ("material", "energy", "water") and not flow.material_class and not flow.ewc_id


def _unrecognised_words() -> str:
    return _("Matière non reconnue : ce flux ne sera proposé à personne tant que sa matière n'est pas précisée. "
             "Ouvrez-le (« Modifier ») pour savoir pourquoi et que faire.")


@login_required
def flow_create(request):
    sites = _editable_sites(request.user)
    if not sites.exists():
        raise PermissionDenied
    initial = {"site": request.GET.get("site")} if request.GET.get("site", "").isdigit() else {}
    if not initial:
        only = list(sites.values_list("pk", flat=True)[:2])
        initial = {"site": only[0]} if len(only) == 1 else {}  # a company with one site has nothing to choose
    form = FlowForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        from .guidance import after_declaration

        flow = form.save(author=request.user)
        messages.success(request, _("Flux enregistré."))
        if _unrecognised(flow):  # « the proposals will appear… » would be a false promise
            messages.warning(request, _unrecognised_words())
        else:
            messages.info(request, after_declaration(flow.site))
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
        flow = form.save(author=request.user)
        messages.success(request, _("Flux modifié."))
        if _unrecognised(flow):
            messages.warning(request, _unrecognised_words())
        return redirect("site-flows", pk=flow.site_id)
    return _flow_form_page(request, form, flow)


@login_required
def flow_delete(request, pk):
    """Deleting a flow deletes its synergies with their history (``Synergy.offer``/``need`` cascade): one
    click must not do that, so GET shows what would be lost and only the confirmation's POST deletes."""
    from boucle.flows.services import delete_flow
    from boucle.matching.models import Synergy

    flow = get_object_or_404(Flow.objects.select_related("site"), pk=pk)
    if not can_edit_site(request.user, flow.site):
        raise PermissionDenied
    site_pk = flow.site_id
    if request.method == "POST":
        delete_flow(request.user, flow)
        messages.success(request, _("Flux supprimé."))
        return redirect("site-flows", pk=site_pk)
    synergies = Synergy.objects.filter(Q(offer=flow) | Q(need=flow))
    engaged = synergies.exclude(status__in=[lifecycle.SUGGESTED, lifecycle.DECLINED]).count()
    return render(request, "web/company/flow_delete.html",
                  {"flow": flow, "synergies": synergies.count(), "engaged": engaged})


@login_required
def flow_import(request):
    """Upload a flows file in the public import format, imported as a background job (``jobs.imports``),
    then followed on the job's page: the path of the facilitators' import, every row checked, the file
    written whole or not at all, rows limited to the sites the user may edit."""
    from boucle.jobs import imports
    from boucle.jobs import services as jobs

    if not _editable_sites(request.user).exists():
        raise PermissionDenied
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choisissez un fichier.")
        elif upload.size > MAX_UPLOAD_BYTES:
            error = _("Fichier trop volumineux (5 Mo au plus).")
        else:
            staged = None
            try:
                staged = imports.stage(upload.chunks(), upload.name)
                job = jobs.submit("import", "", {**staged, "what": "flows", "own_sites": True}, request.user,
                                  wait=False)
                return redirect("jobs:detail", pk=job.pk)
            except jobs.JobRefused as exc:
                if staged:
                    imports.staged_path(staged["file"]).unlink(missing_ok=True)
                error = str(exc)
    from boucle.accounts.access import is_facilitator
    from boucle.flows.import_template import COLUMNS
    from boucle.jobs.views import _context

    recent = [_context(job) for job in jobs.visible_jobs(request.user).filter(
        kind="import", requested_by=request.user, territory="")[:5]]
    return render(request, "web/company/import.html", {"error": error, "columns": COLUMNS, "jobs": recent,
                                                        "facilitator": is_facilitator(request.user)})


TEMPLATE_MAX_SITES = 2000


@login_required
def flow_import_template(request, fmt):
    """The import template with the user's own sites prefilled (CSV or XLSX)."""
    from boucle.flows.import_template import template_csv, template_xlsx

    if fmt not in ("csv", "xlsx"):
        raise Http404
    site_ids = list(_editable_sites(request.user).values_list("site_id", flat=True)[:TEMPLATE_MAX_SITES])
    if not site_ids:
        raise PermissionDenied
    if fmt == "csv":
        response = HttpResponse(template_csv(site_ids), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(template_xlsx(site_ids), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="boucle-modele-flux.{fmt}"'
    return response


@login_required
def company_synergies(request):
    """Synergies touching the user's companies, best first, each with its explanation and estimate."""
    companies = member_company_ids(request.user)
    qs = (services.visible_synergies(request.user)
          .filter(Q(offer__site__company_id__in=companies) | Q(need_site__company_id__in=companies))
          .exclude(stale=True).order_by("-score", "id"))
    cards = [synergy_card(request.user, s) for s in qs[:200]]
    return render(request, "web/company/synergies.html", {"cards": cards})


def _history(user, synergy, card) -> list[dict]:
    """The synergy's history, oldest first: its status changes, each company's answer (« oui » : it accepts to
    meet the other; from ``InterestAnswer``, the one write path's log) and the reveal, in words. The facilitator
    reads both companies' answers and who gave them; a company reads its own answers only (the other's stays
    its own, as on the card), and the other company by its name only once it may see it. Who answered is named
    by the full name they gave (``accounts.people``), never by their login (often an e-mail), and only for a
    company the facilitator sees: steering from the other side's territory, he learns no one's name there."""
    mine = services.sides_of(user, synergy)
    steer = card["can_steer"]
    entries = [{"at": c.at, "kind": "status", "from_status": c.from_status, "to_status": c.to_status,
                "reason": c.reason} for c in synergy.status_log.all()]
    for a in synergy.answers.select_related("author"):
        if not steer and a.side not in mine:
            continue
        site = card[a.side]["site"]
        if site["anonymous"]:
            who = _("L'entreprise qui offre la matière") if a.side == "offer" else _("L'entreprise qui en a besoin")
        else:
            who = site["company"]
        text = (_("%(company)s a accepté la mise en relation") if a.yes
                else _("%(company)s a décliné la mise en relation")) % {"company": who}
        # who clicked: the facilitator's follow-up detail, for a company he sees; without a name, the company says who
        person = full_name(a.author) if steer and not site["anonymous"] else ""
        if person:
            text = _("%(answer)s (réponse donnée par %(person)s)") % {"answer": text, "person": person}
        entries.append({"at": a.at, "kind": "answer", "text": text})
    entries += [{"at": r.at, "kind": "answer",
                 "text": _("Les deux entreprises ont accepté : chacune voit maintenant qui est l'autre.")}
                for r in synergy.reveals.all()]
    return sorted(entries, key=lambda e: e["at"])


@login_required
def synergy_detail(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    card = synergy_card(request.user, synergy)
    log = _history(request.user, synergy, card) if card["can_steer"] or card["can_answer"] else []
    outcomes = synergy.outcomes.order_by("-recorded_at") if card["can_steer"] or card["can_answer"] else []
    from .facilitator_views import status_choices, waiting_for_agreement
    from .guidance import waiting_without_account

    hidden = card["offer"]["site"]["anonymous"] or card["need"]["site"]["anonymous"]
    return render(request, "web/company/synergy_detail.html", {
        "card": card, "log": log, "outcomes": outcomes, "calc": calculation(synergy, hidden),
        "aids": for_synergy_page(synergy, request.user),
        "targets": status_choices(synergy.status, synergy.both_agreed) if card["can_steer"] else [],
        "waiting": card["can_steer"] and waiting_for_agreement(synergy),
        "to_invite": waiting_without_account(synergy) if card["can_steer"] and not synergy.both_agreed else [],
        # on trial or running without both yes (before the rule, or a yes withdrawn): flagged to the facilitator
        "unagreed": card["can_steer"] and services.unagreed_exchanges().filter(pk=synergy.pk).exists(),
        "measurable": synergy.status in lifecycle.MEASURABLE,
        "offer_interest": synergy.offer_interest, "need_interest": synergy.need_interest})


@login_required
@require_POST
def synergy_interest(request, pk):
    synergy = get_object_or_404(services.visible_synergies(request.user), pk=pk)
    answer = request.POST.get("answer")
    if answer not in ("yes", "no"):
        return HttpResponse(_("Réponse attendue : yes ou no."), status=400)
    from .guidance import after_interest

    sides = services.sides_of(request.user, synergy)
    try:
        updated = services.express_interest(synergy, request.user, answer == "yes")
    except lifecycle.TransitionError:
        messages.error(request, _("Cette synergie est close (abandonnée ou arrêtée) : elle ne prend plus de réponse."))
        return redirect("synergy-detail", pk=pk)
    updated.offer, updated.need_site = synergy.offer, synergy.need_site  # sites already loaded with communes
    messages.success(request, after_interest(request, updated, request.user, answer == "yes", sides))
    return redirect("synergy-detail", pk=pk)


def company_impact_summary(user) -> dict:
    """The impact of the user's companies' synergies; totals touching a still-anonymous partner as brackets."""
    companies = member_company_ids(user)
    qs = services.visible_synergies(user).filter(
        Q(offer__site__company_id__in=companies) | Q(need_site__company_id__in=companies))
    hidden = {s.pk for s in qs if not synergy_card(user, s)["revealed"]}
    return impact_summary(qs, hidden, own_companies=set(companies))


@login_required
def company_impact(request):
    return render(request, "web/company/impact.html", {"impact": company_impact_summary(request.user)})


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
        rows = [v[label] for k, v in material_classes().items() if q in k or q in v[label].lower()][:20]
    # The label is the value: the form reads it back (or any free words) into a class.
    return HttpResponse("".join(f'<option value="{escape(t)}"></option>' for t in rows))


