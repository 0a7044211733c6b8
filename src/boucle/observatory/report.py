"""The printable territorial report: one self-contained HTML file, optionally turned into a PDF.

Charts are SVG drawn on the server (``svg``), so the file prints as it shows and needs
neither JavaScript nor network access. PDF goes through headless Chromium when it is
installed; Boucle adds no PDF library of its own.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from boucle.matching import lifecycle
from boucle.web import words
from boucle.web.present import material_label

from . import geo, queries, svg, toile
from . import indicators as ind

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(RuntimeError):
    pass


def funnel_stages(doc: dict) -> list[tuple[str, float | None]]:
    return [(_(lifecycle.LABELS_FR[row["status"]]), row["reached"]) for row in doc["synergies"]["funnel"]]


def map_features(ref, indicator: str = "offers_t", public: bool = False, period: int | None = None):
    level = queries.subdivision_level(ref)
    units, figures = queries.subdivision_figures(ref, period)
    props = [(code, name, {"value": ind.headline(ind.present(figs, public))[indicator]})
             for (code, name, _), figs in zip(units, figures)]
    return geo.features(level, props)


def running_lines(ref, user=None) -> list[tuple]:
    """Running synergies' ends, placed for ``user`` as the territory's line export places them
    (``exports._end``: exact only for a site the reader sees in full); None: the command line, exact."""
    from .exports import _end

    qs = (queries.synergy_queryset(ref.communes().values("insee")).filter(status=lifecycle.RUNNING)
          .select_related("offer__site__company", "offer__site__commune", "need_site__company", "need_site__commune"))
    out = []
    for s in qs:
        (a_lat, a_lon), (b_lat, b_lon) = _end(user, s.offer.site), _end(user, s.need_site)
        if None not in (a_lat, a_lon, b_lat, b_lon):
            out.append(((a_lon, a_lat), (b_lon, b_lat)))
    return out


def top_synergies(ref, n: int = 10, user=None) -> list[dict]:
    """The suggestions that avoid the most CO2e, with the figures stored at scoring (the same as every
    page, export and API): an unknown figure last (PostgreSQL sorts NULL first when descending).
    A side ``user`` may not see (outside the facilitator's territory) is « Entreprise anonyme » and the
    distance a band, as in the territory's synergy export; None: the command line, everything."""
    from boucle.territories.coarse import distance_band
    from boucle.web.present import co2e_text, estimate_basis_of

    from .exports import _sees

    qs = (queries.synergy_queryset(ref.communes().values("insee")).exclude(status=lifecycle.DECLINED)
          .select_related("offer__site__commune", "need_site__commune")
          .order_by(F("co2e_avoided_t").desc(nulls_last=True), "-score", "id"))
    rows = []
    for s in qs[:n]:
        basis, note = estimate_basis_of(s)
        sees_offer, sees_need = _sees(user, s.offer.site), _sees(user, s.need_site)
        rows.append({"material": material_label(s.material_class),
                     "offer_site": s.offer.site.name if sees_offer else _("Entreprise anonyme"),
                     "need_site": s.need_site.name if sees_need else _("Entreprise anonyme"),
                     "status": _(lifecycle.LABELS_FR[s.status]),
                     "distance_km": s.distance_km if sees_offer and sees_need else None,
                     "distance": distance_band(s.distance_km), "quantity": s.quantity_t,
                     "unit": {"m3": "m³"}.get(s.offer.base_unit, s.offer.base_unit),
                     "co2e_avoided_t": s.co2e_avoided_t, "eur_saved": s.eur_saved, "basis": basis, "note": note,
                     # the synergy card's figure, rounded the same way (« 59 000 », not « 59 044 »)
                     "co2e_text": co2e_text(s, with_range=False)})
    return rows


def render_html(ref, period: int | None = None, nonce: str = "", served: dict | None = None, user=None) -> str:
    """The report as a facilitator sees it (the operator running the command is one).

    ``nonce``: the page's Content-Security-Policy nonce when the report is served over HTTP;
    ``served``: then also ``back_url`` and ``script_url`` for the print button and the way back;
    ``user``: the web reader, who gets a side outside his territory as the synergy export gives it.
    """
    doc = queries.territory_indicators(ref, public=False, period=period)
    toile_doc = toile.territory_sankey(ref)
    context = {
        "ref": ref, "doc": doc, "headline": ind.headline(doc), "period": period, "generated": timezone.now(),
        "flows_by_kind": [{**row, "label": material_label(row["material_class"])} for row in doc["flows"]],
        "funnel_svg": mark_safe(svg.funnel_svg(funnel_stages(doc), title=_("Entonnoir des synergies"),
                                                 number=words.number)),
        "sankey_svg": mark_safe(svg.sankey_svg(toile_doc, title=_("Toile industrielle"),
                                               others=_("%(n)d autres, plus petits"), number=words.number)),
        "map_svg": mark_safe(svg.map_svg(map_features(ref, period=period), running_lines(ref, user),
                                         title=_("Gisements déclarés (t/an)"), legend=_("aucune donnée"),
                                         unit=_("t/an"), number=words.number)),
        "top": top_synergies(ref, user=user),
        "toile_total": toile_doc["total_t"],
        "csp_nonce": nonce, "served": served,
    }
    return render_to_string("observatory/report.html", context)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: str, output: Path, timeout_s: int = 120) -> None:
    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable("PDF needs headless Chromium (apt-get install chromium); write --format html and "
                             "print it from a browser instead")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--user-data-dir={tmp}/profile", f"--print-to-pdf={output.resolve()}", page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0 or not output.exists():
            raise PdfUnavailable(f"Chromium failed ({done.returncode}): {done.stderr.strip()[-500:]}")
