"""``boucle export`` and ``boucle report``: the observatory from the command line.

Both are run by an operator, so they show the facilitator's view; ``--public`` gives
what anyone may see (the disclosure rule applied to every figure).
"""

from __future__ import annotations

import sys
from pathlib import Path

from boucle.cli import gettext_lazy as _


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help=_("exporter les indicateurs, les flux ou les synergies d'un territoire"))
    p.add_argument("--territory", required=True, metavar="REF",
                   help=_("region:32, departement:59, epci:200093201 ou commune:59350"))
    p.add_argument("--what", choices=["indicators", "flows", "synergies", "critical"], default="indicators",
                   help=_("indicateurs (par défaut), flux, synergies ou matières critiques"))
    p.add_argument("--format", choices=["csv", "xlsx", "geojson"], default="csv",
                   help=_("format du fichier (csv par défaut)"))
    p.add_argument("--public", action="store_true", help=_("appliquer la règle du secret statistique (indicateurs "
                                                           "seulement)"))
    p.add_argument("--period", type=int, default=None, help=_("une année ; par défaut : tout ce qui est déclaré"))
    p.add_argument("--output", required=True, help=_("fichier à écrire, ou - pour la sortie standard"))
    p.set_defaults(func=export_command, needs_db=True)

    r = subparsers.add_parser("report", help=_("rapport territorial imprimable (HTML ou PDF)"))
    r.add_argument("--territory", required=True, metavar="REF",
                   help=_("region:32, departement:59, epci:SIREN ou commune:INSEE"))
    r.add_argument("--format", choices=["html", "pdf"], default="html", help=_("format du rapport (html par défaut)"))
    r.add_argument("--period", type=int, default=None, help=_("une année ; par défaut : tout ce qui est déclaré"))
    r.add_argument("--output", required=True, help=_("fichier à écrire"))
    r.set_defaults(func=report_command, needs_db=True)


def _resolve(text):
    from boucle.territories.refs import TerritoryError, resolve

    try:
        return resolve(text)
    except TerritoryError as exc:
        from django.utils.translation import gettext as _

        print("boucle: " + _("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou "
                             "commune:INSEE") % {"error": exc}, file=sys.stderr)
        return None


def export_command(args) -> int:
    from .exports import ExportRefused, export

    ref = _resolve(args.territory)
    if ref is None:
        return 2
    try:
        data = export(ref, args.what, args.format, args.public, args.period)
    except ExportRefused as exc:
        from django.utils.translation import gettext as _

        print("boucle export: " + _("refusé : %(reason)s") % {"reason": exc}, file=sys.stderr)
        return 2
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        from django.utils.translation import gettext

        Path(args.output).write_bytes(data)
        values = {"path": args.output, "size": len(data), "what": args.what, "format": args.format}
        print((gettext("%(path)s : %(size)s octets (%(what)s, %(format)s, données publiques)") if args.public
               else gettext("%(path)s : %(size)s octets (%(what)s, %(format)s)")) % values, file=sys.stderr)
    return 0


def report_command(args) -> int:
    from .report import PdfUnavailable, html_to_pdf, render_html

    ref = _resolve(args.territory)
    if ref is None:
        return 2
    html = render_html(ref, args.period)
    output = Path(args.output)
    if args.format == "html":
        output.write_text(html, encoding="utf-8")
    else:
        try:
            html_to_pdf(html, output)
        except PdfUnavailable as exc:
            print(f"boucle report: {exc}", file=sys.stderr)
            return 3
    from django.utils.translation import gettext

    print(gettext("%(path)s : rapport territorial, %(territory)s (%(format)s)") % {"path": output, "territory": ref.name,
                                                                        "format": args.format}, file=sys.stderr)
    return 0
