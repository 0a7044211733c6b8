"""Count what should never be shown in ``boucle match --format jsonl`` output (boucle.matching.audit).

    PYTHONPATH=src python scripts/audit_match_output.py proposals.jsonl [--json]

Reads the offers and sites of the proposals from the database of the current settings
(``BOUCLE_DATA_DIR`` / ``DATABASE_URL``, like the ``boucle`` command).
"""

import argparse
import json
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", help="output of boucle match --format jsonl ('-' for stdin)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boucle.settings")
    import django

    django.setup()
    from boucle.flows.models import Flow, Site
    from boucle.matching.audit import OfferFacts, SiteFacts, audit

    fh = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
    rows = [json.loads(line) for line in fh if line.strip()]
    ids = {int(r["offer_flow_id"]) for r in rows}
    offers = {str(pk): OfferFacts(bool(h), kind or "", label or "")
              for pk, h, kind, label in Flow.objects.filter(pk__in=ids).values_list("pk", "hazardous", "kind", "label")}
    site_ids = {r["offer_site_id"] for r in rows} | {r["need_site_id"] for r in rows}
    sites = {sid: SiteFacts(naf, activity) for sid, naf, activity in
             Site.objects.filter(site_id__in=site_ids).values_list("site_id", "naf_id", "activity")}
    report = audit(rows, offers, sites)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for k, v in report.items():
            print(f"{k:45} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
