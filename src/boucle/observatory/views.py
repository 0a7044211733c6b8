"""Observatory pages: the public per-EPCI view, and each territory's facilitator view.

The public side is built only from ``indicators.present(..., public=True)``, so a
figure reaches a visitor only through ``disclosure.disclose``. The facilitator side
is open to the facilitators of the whole territory and the administrator.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle import jsonout
from boucle.accounts.access import facilitated_q
from boucle.matching import lifecycle
from boucle.matching.territory_potential import potential_of
from boucle.territories.models import Epci
from boucle.territories.refs import LEVELS, TerritoryError, resolve
from boucle.web.present import material_label

from . import exports, geo, queries, svg, toile
from . import indicators as ind
from .report import funnel_stages, map_features

INDICATORS = {
    "companies_declaring": gettext_lazy("Entreprises déclarantes"),
    "offers_t": gettext_lazy("Gisements déclarés (t/an)"),
    "needs_t": gettext_lazy("Besoins déclarés (t/an)"),
    "offers_mwh": gettext_lazy("Énergie disponible (MWh/an)"),
    "offers_m3": gettext_lazy("Eau disponible (m³/an)"),
    "synergies_suggested": gettext_lazy("Synergies suggérées"),
    "synergies_running": gettext_lazy("Synergies en fonctionnement"),
    "estimated_co2e_avoided_t": gettext_lazy("CO₂e évité, estimé, synergies en fonctionnement (t/an)"),
    "verified_co2e_avoided_t": gettext_lazy("CO₂e évité, vérifié (t/an)"),
    "estimated_tonnes_diverted": gettext_lazy("Tonnes détournées, estimé, synergies en fonctionnement (t/an)"),
    "verified_tonnes_diverted": gettext_lazy("Tonnes détournées, vérifié (t/an)"),
    "local_sourcing_share": gettext_lazy("Part des besoins avec une source à moins de 200 km"),
}


def indicator_unit(key: str) -> tuple[str, int]:
    """The unit a map's legend and tooltips write after each figure of ``key`` (by kind: t/an, MWh/an, m³/an,
    t CO₂e/an; companies, synergies; %), and the factor the stored figure is multiplied by for it (a share is
    stored from 0 to 1)."""
    per_year = "/" + _("an")
    return {"offers_t": ("t" + per_year, 1), "needs_t": ("t" + per_year, 1),
            "offers_mwh": ("MWh" + per_year, 1), "offers_m3": ("m³" + per_year, 1),
            "estimated_co2e_avoided_t": ("t CO₂e" + per_year, 1), "verified_co2e_avoided_t": ("t CO₂e" + per_year, 1),
            "estimated_tonnes_diverted": ("t" + per_year, 1), "verified_tonnes_diverted": ("t" + per_year, 1),
            "companies_declaring": (_("entreprises"), 1), "synergies_suggested": (_("synergies"), 1),
            "synergies_running": (_("synergies"), 1), "local_sourcing_share": ("%", 100)}.get(key, ("", 1))


PUBLIC_COLUMNS = ("companies_declaring", "offers_t", "needs_t", "synergies_running", "estimated_co2e_avoided_t",
                  "verified_co2e_avoided_t")


def _indicator(request) -> str:
    name = request.GET.get("indicateur", "offers_t")
    return name if name in INDICATORS else "offers_t"


def public_epcis(period=None) -> list[dict]:
    """Disclosed headline figures of every EPCI where something is declared."""
    codes, figures = queries.epci_figures(period)
    names = dict(Epci.objects.filter(siren__in=codes).values_list("siren", "name"))
    rows = [{"code": code, "name": names.get(code, code), **ind.headline(ind.present(figs, public=True))}
            for code, figs in zip(codes, figures)]
    from boucle.territories.refs import name_order

    return sorted(rows, key=lambda r: name_order(r["name"]))


def _lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "fr").startswith("en") else "fr"


def public_home(request):
    indicator = _indicator(request)
    from boucle.web.words import estimate_text

    # the estimated CO2e as every page reads an estimate (« 1 800 », not « 1 771 »); counts and measures as they are
    epcis = [{"name": r["name"], "cells": [estimate_text(r[c], "co2e") if c == "estimated_co2e_avoided_t"
                                           and r[c] is not None else r[c] for c in PUBLIC_COLUMNS]}
             for r in public_epcis()]
    return render(request, "observatory/public.html", {
        "epcis": epcis, "indicator": indicator, "indicators": INDICATORS.items(), "unit": indicator_unit(indicator),
        "columns": [(c, INDICATORS[c]) for c in PUBLIC_COLUMNS],
        "critical": queries.critical_materials(None, public=True, lang=_lang())})


def public_epci_geojson(request):
    indicator = _indicator(request)
    units = [(r["code"], r["name"], {"value": r[indicator], **{c: r[c] for c in PUBLIC_COLUMNS}})
             for r in public_epcis()]
    return HttpResponse(exports.feature_collection(geo.features("epci", units), indicator=indicator, public=True),
                        content_type="application/geo+json")


def can_view_territory(user, ref) -> bool:
    """The administrator, or a facilitator whose territories cover every commune of ``ref``."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    q = facilitated_q(user, prefix="")
    if q is None:
        return False
    communes = ref.communes()
    return communes.exists() and not communes.exclude(q).exists()


def _territory(request, level, code):
    if level not in LEVELS:
        raise Http404
    try:
        ref = resolve(f"{level}:{code}")
    except TerritoryError:
        raise Http404 from None
    if not can_view_territory(request.user, ref):
        raise PermissionDenied
    return ref


def _remembered(request, kind: str, compute, *args):
    """A territory's figures kept per worker for one data version (``web.snapshots``): the observatory's
    first view waited 5-8 s on the demo region for the same aggregates at every visit. Verified
    outcomes are not covered by the data-version token, so their count and last id join the key."""
    from django.db.models import Count, Max
    from django.utils.translation import get_language

    from boucle.matching.models import VerifiedOutcome
    from boucle.web.snapshots import remembered

    outcomes = VerifiedOutcome.objects.aggregate(n=Count("id"), last=Max("id"))
    return remembered("observatory-" + kind, request.user, compute, *args, get_language(),
                      outcomes["n"], outcomes["last"])


def _material(request):
    return request.GET.get("matiere") or None


def _statuses(request):
    value = request.GET.get("statuts", "open")
    return value if value in toile.STATUS_SETS else "open"


@login_required
def territory(request, level, code):
    ref = _territory(request, level, code)
    doc = _remembered(request, "indicators", lambda: queries.territory_indicators(ref, public=False), str(ref))
    materials = sorted({row["material_class"] for row in doc["flows"] if row["direction"] == "offer"
                        and row["unit"] == "t" and row["material_class"]})
    return render(request, "observatory/territory.html", {
        "ref": ref, "doc": doc, "headline": ind.headline(doc), "illustrative_share": potential_of(ref).illustrative_share,
        "flows": [{**row, "label": material_label(row["material_class"])} for row in doc["flows"]],
        "statuses": [(s, _(lifecycle.LABELS_FR[s]), doc["synergies"]["by_status"][s]) for s in lifecycle.STATUSES],
        "funnel_svg": mark_safe(svg.funnel_svg(funnel_stages(doc), title=_("Entonnoir des synergies"))),
        "materials": [(m, material_label(m)) for m in materials], "material": _material(request),
        "status_sets": [("open", _("synergies ouvertes")), ("active", _("synergies engagées")),
                        ("running", _("en fonctionnement"))],
        "status_set": _statuses(request), "indicator": _indicator(request), "indicators": INDICATORS.items(),
        "unit": indicator_unit(_indicator(request)),
        "export_kinds": [("indicators", _("Indicateurs")), ("flows", _("Flux")), ("synergies", _("Synergies")),
                         ("critical", _("Matières premières critiques"))],
        "critical": _critical_rows(ref),
    })


def _critical_rows(ref) -> list[dict]:
    """The facilitator's figures, each with whether it would be published (disclosure rule)."""
    lang = _lang()
    public = {r["crm"]: r for r in queries.critical_materials(ref, public=True, lang=lang)}
    return [{**r, "offers_public": public[r["crm"]]["offers_t"] is not None,
             "needs_public": public[r["crm"]]["needs_t"] is not None,
             "classes": [material_label(k) for k in r["classes"]]}
            for r in queries.critical_materials(ref, public=False, lang=lang)]


@login_required
def territory_report(request, level, code):
    """The printable territorial report (the same document as ``boucle report``), to print from the browser."""
    from .report import render_html

    ref = _territory(request, level, code)
    period = request.GET.get("annee")
    period = int(period) if period and period.isdigit() else None
    from django.templatetags.static import static
    from django.urls import reverse

    served = {"back_url": reverse("observatory:territory", args=[ref.level, ref.code]),
              "script_url": static("web/boucle.js")}
    return HttpResponse(render_html(ref, period=period, nonce=str(request.csp_nonce), served=served,
                                    user=request.user))


@login_required
def territory_sankey(request, level, code):
    ref = _territory(request, level, code)
    material, statuses = _material(request), _statuses(request)
    return JsonResponse(_remembered(request, "sankey",
                                    lambda: jsonout.finite(toile.territory_sankey(ref, material, statuses)),
                                    str(ref), material, statuses))


@login_required
def territory_list(request, level, code):
    """The offers behind a node of the toile (a facilitator clicked it)."""
    ref = _territory(request, level, code)
    node = request.GET.get("noeud", "")
    offers = toile.underlying(ref, node, _material(request), _statuses(request))
    column, _sep, key = node.partition(":")
    node_label = toile.label({"p": 0, "m": 1, "r": 2}.get(column, 1), key) if key else ""
    return render(request, "observatory/list.html", {
        "ref": ref, "node": node_label, "offers": [{"flow": f, "material": material_label(f.material_class)}
                                             for f in offers]})


@login_required
def territory_map_geojson(request, level, code):
    ref = _territory(request, level, code)
    indicator = _indicator(request)
    body = _remembered(request, "map", lambda: exports.feature_collection(map_features(ref, indicator),
                                                                          indicator=indicator), str(ref), indicator)
    return HttpResponse(body, content_type="application/geo+json")


@login_required
def territory_lines_geojson(request, level, code):
    """Running synergies as lines between the two sites."""
    ref = _territory(request, level, code)
    rows = exports.synergy_rows(ref, request.user, statuses=[lifecycle.RUNNING])
    features = [f for f in exports.synergy_lines(ref, rows, request.user) if f["geometry"]]
    return HttpResponse(exports.feature_collection(features), content_type="application/geo+json")


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@login_required
def territory_export(request, level, code, what, fmt):
    ref = _territory(request, level, code)
    if what not in ("indicators", "flows", "synergies", "critical") or fmt not in CONTENT_TYPES:
        raise Http404
    public = request.GET.get("public") == "1"
    # a person reads the file in a spreadsheet: words; ``?cles=1`` gives the open-data schema's keys
    readable = request.GET.get("cles") != "1"
    try:
        data = exports.export(ref, what, fmt, public, user=request.user, readable=readable)
    except exports.ExportRefused as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="boucle-{level}-{code}-{what}.{fmt}"'
    return response


def public_export(request, fmt):
    """The open-data file of the whole platform: disclosed figures per EPCI."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    epcis = public_epcis()
    if fmt == "geojson":
        units = [(r["code"], r["name"], {"schema_version": exports.SCHEMA_VERSION, **r}) for r in epcis]
        data = exports.feature_collection(geo.features("epci", units), public=True)
    else:
        codes, figures = queries.epci_figures()
        names = {r["code"]: r["name"] for r in epcis}
        rows = [row for c, figs in zip(codes, figures)
                for row in exports.indicator_rows(ind.present(figs, public=True), "epci", c, names.get(c, c))]
        data = exports.write_table(rows, exports.INDICATOR_COLUMNS, fmt, sheet="indicators")
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="boucle-observatoire-epci.{fmt}"'
    return response
