"""Minimal pages: home with public aggregates, facilitator map, site page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from boucle.accounts.access import can_see_site, is_facilitator, member_company_ids, sites_in_full_view
from boucle.flows.models import Site, takeable_offer
from boucle.paths import DATA_DIR

from . import map_data
from .map_data import MAX_SITES

SITES_FROM_ZOOM = 10  # below this map zoom, sites are aggregated per EPCI


def theme_stylesheet(request):
    """The deployer's colours as a stylesheet, for the error pages (400, 414, 500): they are drawn without
    a request, so without the nonce an inline <style> needs under the Content-Security-Policy."""
    from django.conf import settings

    from .theme import css

    response = HttpResponse(css(settings.BOUCLE_PRIMARY_COLOR), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def home(request):
    """Aggregates per EPCI under the disclosure rule (≥ 3 companies, none above 85 % of a figure)."""
    from boucle.observatory.disclosure import disclose
    from boucle.territories.refs import name_order

    rows = (Site.objects.filter(commune__isnull=False, closed=False)
            .values("commune__epci_id", "commune__epci__name", "company")
            .annotate(offers=Count("flows", filter=takeable_offer("flows__")),
                      needs=Count("flows", filter=Q(flows__direction="need"))))
    per_epci = {}
    for row in rows:
        epci = per_epci.setdefault(row["commune__epci_id"], {"name": row["commune__epci__name"], "companies": {},
                                                            "offers": {}, "needs": {}})
        epci["companies"][row["company"]] = 1
        epci["offers"][row["company"]] = epci["offers"].get(row["company"], 0) + row["offers"]
        epci["needs"][row["company"]] = epci["needs"].get(row["company"], 0) + row["needs"]
    def count(values):
        total = disclose(values)
        return None if total is None else int(total)

    epcis = [{"siren": siren, "name": e["name"], "companies": count(e["companies"]),
              "offers": count(e["offers"]), "needs": count(e["needs"])}
             for siren, e in sorted(per_epci.items(), key=lambda item: name_order(item[1]["name"]))]
    published = Site.objects.filter(company__published=True).select_related("commune")[:50]
    return render(request, "web/home.html", {"epcis": epcis, "published": published})


@login_required
def dashboard(request):
    """Where a login lands: the facilitator's dashboard, else the company's, never the public page."""
    if is_facilitator(request.user) or request.user.is_superuser:
        return redirect("facilitator-home")
    return redirect("company-home")


def _facilitator_or_403(request):
    if not is_facilitator(request.user):
        raise PermissionDenied


def _map_user_or_403(request):
    """The map: facilitators (their territory in full) and company members (their own sites exact,
    the other ends of their synergies on a ~10 km grid, without names: ``map_data``)."""
    if not (is_facilitator(request.user) or member_company_ids(request.user)):
        raise PermissionDenied


@login_required
def territory_map(request):
    _map_user_or_403(request)
    from boucle.matching import lifecycle

    from .present import STATUS_LABELS

    words = {"sites": _("sites : %(n)s"), "clusters": _("sites : %(n)s (intercommunalités : %(k)s)"),
             "lines": _("synergies sur la carte : %(n)s"),
             # a synergy whose partner may be placed nowhere (``territories.secrecy``) is on its cards, not drawn
             "not_drawn": _("%(n)s sans ligne : entreprise trop reconnaissable pour être placée"),
             "anonymous": _("Entreprise anonyme"), "open": _("Ouvrir la synergie"),
             "site_flows": _("offres : %(offers)s · besoins : %(needs)s"),
             # several synergies on one track (the same two points) share a numbered pin; several sites, a marker
             "shared": _("%(n)s synergies sur ce tracé : cliquer pour les voir une à une"),
             "same_place": _("%(n)s sites à cette adresse")}
    return render(request, "web/map.html", {"words": words, "facilitator": is_facilitator(request.user), "statuses": [
        (s, STATUS_LABELS[s]) for s in lifecycle.STATUSES if s != lifecycle.DECLINED]})


@login_required
def map_sites(request):
    """Sites the user may see, bounded by the map's bounding box (never the whole country at once)."""
    _map_user_or_403(request)
    bbox = request.GET.get("bbox")
    if bbox:
        try:
            west, south, east, north = (float(v) for v in bbox.split(","))
        except ValueError:
            return JsonResponse({"error": "bbox: west,south,east,north"}, status=400)
        bbox = (west, south, east, north)
    try:
        zoom = int(request.GET.get("zoom", "13"))
    except ValueError:
        return JsonResponse({"error": "zoom: an integer"}, status=400)
    kind, direction = request.GET.get("kind", ""), request.GET.get("direction", "")
    if kind or direction:
        return _filtered_map_sites(request, bbox, zoom, kind, direction)
    sites = map_data.visible_sites(request.user)
    if zoom < SITES_FROM_ZOOM:
        # Zoomed out: one point per EPCI, never thousands of markers.
        return JsonResponse({"mode": "aggregates", "clusters": sites.aggregates(bbox)})
    page = sites.sites(bbox, MAX_SITES + 1)
    return JsonResponse({"mode": "sites", "truncated": len(page) > MAX_SITES, "sites": page[:MAX_SITES]})


def _filtered_map_sites(request, bbox, zoom, kind, direction):
    """The map restricted to sites declaring a flow of a kind / direction, straight from the database."""
    qs = sites_in_full_view(request.user).filter(lat__isnull=False, lon__isnull=False)
    if bbox:
        west, south, east, north = bbox
        qs = qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    flows = Q()
    if kind in ("material", "energy", "water", "equipment", "service"):
        flows &= Q(flows__kind=kind)
    if direction in ("offer", "need"):
        flows &= Q(flows__direction=direction)
    qs = qs.filter(flows).distinct()
    if zoom < SITES_FROM_ZOOM:
        rows = (qs.values("commune__epci_id", "commune__epci__name")
                .annotate(count=Count("id", distinct=True), lat=Avg("lat"), lon=Avg("lon"))
                .order_by("commune__epci_id"))
        clusters = [map_data.cluster(r["commune__epci_id"], r["commune__epci__name"], r["count"], r["lat"], r["lon"])
                    for r in rows]
        return JsonResponse({"mode": "aggregates", "clusters": clusters})
    qs = qs.annotate(n_offers=Count("flows", filter=takeable_offer("flows__")),
                     n_needs=Count("flows", filter=Q(flows__direction="need")))
    sites = [map_data.site_marker(*row) for row in qs.order_by("-n_offers", "id")
             .values_list("id", "name", "lat", "lon", "naf_id", "n_offers", "n_needs")[:MAX_SITES + 1]]
    return JsonResponse({"mode": "sites", "truncated": len(sites) > MAX_SITES, "sites": sites[:MAX_SITES]})


@login_required
def map_lines(request):
    """Synergy lines for the map: only synergies the user may open, other companies' sites blurred."""
    from boucle.matching import lifecycle

    statuses = [s for s in request.GET.get("statut", "").split(",") if s]
    if any(s not in lifecycle.STATUSES for s in statuses):
        return JsonResponse({"error": "statut: " + ", ".join(lifecycle.STATUSES)}, status=400)
    return JsonResponse(map_data.synergy_lines(request.user, statuses))


@login_required
def epci_outlines(request):
    _map_user_or_403(request)
    data = (DATA_DIR / "geo" / "epci.geojson").read_bytes()
    return HttpResponse(data, content_type="application/geo+json")


@login_required
def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("company", "commune", "naf"), pk=pk)
    if not can_see_site(request.user, site):
        raise PermissionDenied
    flows = site.flows.select_related("ewc").order_by("direction", "label")
    return render(request, "web/site_detail.html", {"site": site, "flows": flows})
