"""The local sourcing page: a search form, a map, a table, and the shortlist as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle import spreadsheets  # the one CSV/XLSX writer: formula-like cells neutralised

from . import services

MODES = ("naf", "material", "text")


@login_required
def search_page(request):
    g = request.GET
    mode = g.get("mode") if g.get("mode") in MODES else "naf"
    form = {"mode": mode, "q": g.get("q", "").strip(), "near": g.get("near", "").strip(),
            "radius_km": g.get("radius_km", "50").strip()}
    # around ``site:<identifier>`` (a flow's link): the place said in words, and the site left out of its own suppliers
    around = form["near"][5:].strip() if form["near"].startswith("site:") else ""
    form["near_label"] = _own_site_label(request.user, around) or _commune_label(form["near"])
    rows, error = [], None
    if form["q"] and form["near"]:
        try:
            query = _material_key(form["q"]) if mode == "material" else form["q"]
            rows = services.for_viewer(services.search(**{mode: query}, near=form["near"],
                                                       radius_km=form["radius_km"], limit=200, user=request.user),
                                      request.user)
            if mode == "material" and query == form["q"]:  # a class key from a flow's link: show its name
                from boucle.web.present import material_label

                form["q"] = material_label(query)
            if around:  # searching around one's own site: it supplies itself nothing
                rows = [r for r in rows if r["site_id"] != around]
        except services.SourcingError as exc:
            error = str(exc)
    fmt = g.get("format")
    if fmt in ("csv", "xlsx") and not error:
        # the rows as ``services.for_viewer`` lets them out: an anonymised one has the area told of it
        # (``territories.secrecy``) and a distance band, no commune, identifier or position
        table = [[_("Établissement"), _("SIRET ou identifiant"), _("Code NAF"), _("Activité"), _("Distance (km)"),
                  _("Commune"), _("Territoire"), _("Sur la plateforme"), _("Pourquoi")]]
        table += [[r["name"], r["site_id"] or "", r["naf"], r["naf_label"],
                   r["distance"] if r["distance_km"] is None else r["distance_km"], r["commune"] or "",
                   r.get("area", ""), str(platform_words(r)), r["why"]] for r in rows]
        if fmt == "csv":
            from django.utils.translation import get_language

            from boucle.observatory.columns import csv_number  # « 7,5 » in a French spreadsheet, like every export

            french = not (get_language() or "fr").startswith("en")
            table = [[csv_number(v, french) for v in row] for row in table]
            body = ("\ufeff" + spreadsheets.csv_text(table, delimiter=";" if french else ",")).encode("utf-8")
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(spreadsheets.xlsx_bytes([(_("Fournisseurs proches"), table)]), content_type="application/vnd.openxmlformats-officedocument"
                                                                  ".spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="fournisseurs-proches.{fmt}"'
        return response
    markers = [{"lat": r["lat"], "lon": r["lon"], "name": r["name"], "distance": r["distance"]}
               for r in rows if r["lat"] is not None]  # an anonymised establishment has no place on the map
    for r in rows:
        r["platform_words"] = platform_words(r)
    return render(request, "sourcing/search.html", {
        "form": form, "rows": [r for r in rows if r["shown"] != services.ANONYMOUS], "count": len(rows),
        "error": error, "markers": markers, "query": request.GET.urlencode(),
        "searched": bool(form["q"] and form["near"]), "materials": _material_choices(),
        "anonymous": anonymous_groups(rows), "anonymous_count": sum(r["shown"] == services.ANONYMOUS for r in rows)})


def _own_site_label(user, site_id: str) -> str:
    """« Fonderie PHILIPPE (Liévin) » for the site searched around when the reader sees it in full (a flow's
    link to its suppliers), so the form shows the place in words instead of the imported identifier."""
    if not site_id or not user.is_authenticated:
        return ""
    from boucle.accounts.access import can_see_site
    from boucle.flows.models import Site

    site = Site.objects.select_related("commune").filter(site_id=site_id).first()
    if site is None or not can_see_site(user, site):
        return ""
    return f"{site.name} ({site.commune.name})" if site.commune_id else site.name


def _commune_label(near: str) -> str:
    """« Lille (59350) » for ``commune:59350`` (a link's form of the place), so the form says the place in words."""
    kind, _sep, code = near.partition(":")
    if kind != "commune" or not code.strip():
        return ""
    from boucle.territories.models import Commune

    commune = Commune.objects.filter(insee=code.strip()).first()
    return f"{commune.name} ({commune.insee})" if commune else ""


def anonymous_groups(rows: list[dict]) -> list[dict]:
    """Anonymous companies counted by area told (``territories.secrecy``), activity division and distance band, nearest first:
    each row says no more than that, so forty identical lines would tell the reader nothing more than a count."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        if r["shown"] == services.ANONYMOUS:
            key = (r["distance"], r["area"], r["naf"])
            groups.setdefault(key, {"distance": r["distance"], "area": r["area"], "naf": r["naf"],
                                    "naf_label": r["naf_label"], "count": 0})["count"] += 1
    return list(groups.values())


def platform_words(row: dict):
    """The « Sur la plateforme » cell: only a SIRENE entry is a directory entry; an anonymised company is on the
    platform (as its synergy cards say), without saying whether it declared flows."""
    if row["shown"] == services.ANONYMOUS:
        return gettext_lazy("anonyme jusqu'à la mise en relation")
    if row["on_platform"]:
        return gettext_lazy("oui, a déclaré des flux")
    if row["directory"]:
        return gettext_lazy("entrée du répertoire SIRENE")
    return gettext_lazy("site de la plateforme, sans flux déclaré")


def _material_choices() -> list[tuple[str, str]]:
    """The materials a search by material knows (who gives them off, who uses them), by their name."""
    from boucle.web.present import material_label

    return sorted(((k, material_label(k)) for k in services.material_keys()), key=lambda kv: kv[1].lower())


def _material_key(text: str) -> str:
    """The material a reader named (its name in either language, or its key from a link); the command
    line's error lists keys and a command, which mean nothing on a web page."""
    keys = set(services.material_keys())
    if text in keys:
        return text
    wanted = text.strip().lower()
    from boucle.materials.taxonomy import class_index, get_class

    for key in keys & set(class_index()):
        material = get_class(key)
        if wanted in {material.label("fr").lower(), material.label("en").lower()}:
            return key
    try:
        key = services.resolve_class(text)
    except services.SourcingError:
        key = None
    if key in keys:
        return key
    raise services.SourcingError(_("matière « %(value)s » non reconnue : choisissez une matière dans la liste "
                                   "proposée en tapant quelques lettres de son nom") % {"value": text})


KIND_WORDS = {"technology": gettext_lazy("Autre technologie"), "recycled": gettext_lazy("Matière recyclée"),
              "reuse": gettext_lazy("Réemploi")}


@login_required
def substitutes_page(request):
    """What can replace a material (each substitution with its source and the critical raw
    materials it avoids), and who nearby gives the substitute off."""
    from boucle.materials.substitution import documented_classes
    from boucle.web.present import material_label

    g = request.GET
    form = {"material": g.get("material", "").strip()[:200], "near": g.get("near", "").strip()[:200],
            "radius_km": g.get("radius_km", "50").strip()[:20]}
    result, error = None, None
    if form["material"]:
        try:
            try:
                key = services.resolve_class(form["material"])
            except services.SourcingError:  # its message points to the command line
                raise services.SourcingError(_(
                    "matière « %(value)s » non reconnue : choisissez une matière dans la liste proposée, ou "
                    "décrivez-la plus précisément") % {"value": form["material"]}) from None
            result = services.substitutes(key, near=form["near"] or None, radius_km=form["radius_km"],
                                          limit=10, user=request.user)
        except services.SourcingError as exc:
            error = str(exc)
    if result:
        if form["material"] == result["material"]:  # a class key from a link: show its label
            form["material"] = result["label"]
        for s in result["substitutes"]:
            s["kind_label"] = KIND_WORDS[s["kind"]]
    choices = sorted(((k, material_label(k)) for k in documented_classes()), key=lambda kv: kv[1])
    return render(request, "sourcing/substitutes.html", {"form": form, "result": result, "error": error,
                                                         "choices": choices})
