"""``boucle demo`` and ``boucle serve``."""

import os
import shutil
import sys
import time

DEMO_USER, DEMO_PASSWORD = "animateur@demo.boucle", "boucle-demo"
DEMO_TERRITORY = ("region", "32")


def register(subparsers):
    p = subparsers.add_parser("demo", help="load the demo territory (Hauts-de-France), run the matching, serve")
    p.add_argument("--no-serve", action="store_true", help="do everything but serving, then exit")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=run_demo, needs_db=True)
    s = subparsers.add_parser("serve", help="serve an existing database over local HTTP")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=2)
    s.set_defaults(func=run_serve, needs_db=True)


def _say(text=""):
    print(text, flush=True)


def run_demo(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from boucle.accounts.models import Facilitator
    from boucle.flows.importers import import_flows, import_sites
    from boucle.flows.models import Flow, Site
    from boucle.paths import DATA_DIR
    from boucle.territories.models import Commune, Departement, Epci, Region

    started = time.monotonic()
    demo = DATA_DIR / "demo"
    _say("Boucle — territoire de démonstration (Hauts-de-France, données publiques iREP)")
    _say(f"  territoires : {Region.objects.count()} régions, {Departement.objects.count()} départements, "
         f"{Epci.objects.count()} EPCI, {Commune.objects.count()} communes")
    for what, importer in (("sites", import_sites), ("flows", import_flows)):
        report = importer(demo / f"{what}.csv", source="demo")
        if not report.ok:
            print("\n".join(report.lines()), file=sys.stderr)
            return 1
        _say(f"  {what} : {report.created} créés, {report.updated} mis à jour, {report.unchanged} inchangés")
    sites = Site.objects.filter(source="demo")
    flows = Flow.objects.filter(site__in=sites)
    _say(f"  {sites.count()} sites, {flows.count()} flux dont {flows.filter(illustrative=True).count()} illustratifs "
         f"(typiques de l'activité, non déclarés) et {flows.filter(illustrative=False).count()} réels (iREP)")
    _say("  flux par division NAF (offres / besoins) :")
    per_div = {}
    for naf, direction, n in flows.values_list("site__naf_id", "direction").annotate(n=Count("id")):
        div = (naf or "??")[:2]
        per_div.setdefault(div, {"offer": 0, "need": 0})[direction] += n
    for div in sorted(per_div):
        _say(f"    {div} : {per_div[div]['offer']} / {per_div[div]['need']}")
    try:
        from boucle.matching.service_run import run_matching
    except ImportError:
        _say("  mise en relation : moteur indisponible")
    else:
        run = run_matching(f"{DEMO_TERRITORY[0]}:{DEMO_TERRITORY[1]}", progress=True)
        _say(f"  synergies proposées : {run.proposals} ({run.created} nouvelles, {run.updated} mises à jour)")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=DEMO_USER, defaults={"email": DEMO_USER})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Facilitator.objects.get_or_create(user=user, level=DEMO_TERRITORY[0], code=DEMO_TERRITORY[1])
    _say(f"  compte animateur : {DEMO_USER} / {DEMO_PASSWORD} (région Hauts-de-France)")
    _say(f"  prêt en {time.monotonic() - started:.1f} s")
    if args.no_serve:
        return 0
    return run_serve(args)


def run_serve(args) -> int:
    from django.conf import settings

    url = f"http://{args.host}:{args.port}"
    _say(f"Boucle sert {url} (Ctrl-C pour arrêter)")
    workers = getattr(args, "workers", 2)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if gunicorn:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boucle.settings")
        os.execv(gunicorn, [gunicorn, "boucle.wsgi:application", "--bind", f"{args.host}:{args.port}",
                            "--workers", str(workers), "--access-logfile", "-", "--log-level", "warning"])
    from django.core.management import call_command

    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    return 0
