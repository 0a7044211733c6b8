"""The land pages: search (territory, area, kind, status, servicing) with a map and a table, and
one entry's page, where a facilitator records its status and links it to a synergy or an answer
to a call for projects. Signed-in users only: the inventory serves the platform's members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle import spreadsheets
from boucle.accounts.access import facilitated_q

from . import engine, services
from .forms import LandFollowUpForm
from .models import SERVICING_LABELS, LandSite


def can_edit(user, site: LandSite) -> bool:
    """Facilitators of a territory holding the entry (and superusers) follow it up."""
    if user.is_superuser:
        return True
    q = facilitated_q(user)
    return q is not None and LandSite.objects.filter(q, pk=site.pk).exists()


def servicing_labels() -> dict:
    return {key: str(label) for key, label in SERVICING_LABELS.items()}


def territory_choices() -> list[tuple[str, str]]:
    """The territories holding land entries (their EPCI, département and région), for the select."""
    from boucle.territories.models import Commune

    choices = {}
    communes = Commune.objects.filter(land_sites__isnull=False).select_related("departement__region", "epci").distinct()
    for c in communes:
        region = c.departement.region
        choices[f"region:{region.code}"] = (0, _("Région %(name)s") % {"name": region.name})
        choices[f"departement:{c.departement_id}"] = (1, f"{c.departement.name} ({c.departement_id})")
        if c.epci_id:
            choices[f"epci:{c.epci_id}"] = (2, c.epci.name)
    return [(ref, label) for ref, (_rank, label) in sorted(choices.items(), key=lambda kv: (kv[1][0], kv[1][1]))]


@login_required
def search_page(request):
    g = request.GET
    form = {"territory": g.get("territory", "").strip()[:40], "min_area_m2": g.get("min_area_m2", "").strip()[:20],
            "kind": [k for k in g.getlist("kind") if k in engine.KINDS],
            "status": [s for s in g.getlist("status") if s in engine.STATUSES],
            "servicing": [s for s in g.getlist("servicing") if s in engine.SERVICING]}
    error, sites = None, []
    try:
        sites = services.search(territory=form["territory"], min_area_m2=form["min_area_m2"] or None,
                                kinds=form["kind"], statuses=form["status"], servicing=form["servicing"])
    except services.LandError as exc:
        error = str(exc)
    rows = [services.land_dict(s, request.user) for s in sites]
    labels = servicing_labels()
    for r in rows:
        r["servicing_labels"] = [labels[s] for s in r["servicing"]]
    if g.get("format") in ("csv", "xlsx") and not error:
        table = [[_("Identifiant"), _("Nom"), _("Type"), _("Surface (m²)"), _("Surface bâtie (m²)"), _("Statut"),
                  _("Commune"), _("Code INSEE"), _("Dessertes"), _("Pollution connue"), _("Références BASOL/BASIAS"),
                  _("Source"), _("Exemple illustratif")]]
        table += [[r["id"], r["name"], r["kind_label"], r["area_m2"], r["building_area_m2"] or "", r["status_label"],
                   r["commune"], r["commune_insee"], ", ".join(r["servicing_labels"]),
                   "" if r["pollution_known"] is None else (_("oui") if r["pollution_known"] else _("non")),
                   r["pollution_refs"], r["source"], _("oui") if r["illustrative"] else _("non")] for r in rows]
        fmt = g["format"]
        if fmt == "csv":
            response = HttpResponse(("\ufeff" + spreadsheets.csv_text(table, delimiter=";")).encode("utf-8"),
                                    content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(spreadsheets.xlsx_bytes([(_("Foncier"), table)]),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="foncier.{fmt}"'
        return response
    markers = [{"lat": r["lat"], "lon": r["lon"], "name": r["name"], "status": r["status"],
                "label": f"{r['name']} · {r['kind_label']} · {r['status_label']}"} for r in rows]
    return render(request, "land/search.html", {
        "form": form, "rows": rows, "error": error, "markers": markers, "query": g.urlencode(),
        "territories": territory_choices(), "kinds": LandSite.Kind.choices, "statuses": LandSite.Status.choices,
        "servicing": list(labels.items())})


def _answer_seen(user, site: LandSite) -> dict | None:
    """What the user may read of the answer a plot is linked to: who answered, and to which call, only
    if they may read the answer itself; else that there is one, from an anonymous company."""
    from boucle.projects.access import can_read_answer, can_see_call

    if site.answer is None:
        return None
    if can_read_answer(user, site.answer):
        return {"company": site.answer.company.name, "call": site.answer.call.title}
    return {"company": _("Entreprise anonyme"),
            "call": site.answer.call.title if can_see_call(user, site.answer.call) else None}


def _detail(request, site: LandSite, form=None, status=200):
    row = services.land_dict(site, request.user)
    labels = servicing_labels()
    row["servicing_labels"] = [labels[s] for s in row["servicing"]]
    editable = can_edit(request.user, site)
    if editable and form is None:
        form = LandFollowUpForm(user=request.user, site=site)
    context = {"site": site, "row": row, "can_edit": editable, "answer": _answer_seen(request.user, site),
               "synergy_linked": site.synergy_id is not None, "form": form if editable else None,
               "marker": [{"lat": row["lat"], "lon": row["lon"], "name": site.name, "status": site.status,
                           "label": site.name}]}
    return render(request, "land/detail.html", context, status=status)


def _site(identifier) -> LandSite:
    return get_object_or_404(LandSite.objects.select_related("commune", "synergy", "answer__call", "answer__company"),
                             identifier=identifier)


@login_required
def detail_page(request, identifier):
    return _detail(request, _site(identifier))


@require_POST
@login_required
def update(request, identifier):
    """A facilitator records the status and the link to a synergy or an answer (``services.follow_up``)."""
    site = _site(identifier)
    if not can_edit(request.user, site):
        raise Http404
    form = LandFollowUpForm(request.POST, user=request.user, site=site)
    if not form.is_valid():
        return _detail(request, site, form, status=400)
    data = form.cleaned_data
    services.follow_up(site, status=data["status"], synergy=data["synergy"], answer=data["answer"], user=request.user)
    messages.success(request, _("Terrain mis à jour."))
    return redirect("land:detail", identifier=site.identifier)
