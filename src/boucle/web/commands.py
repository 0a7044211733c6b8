"""``boucle demo`` and ``boucle serve``."""

import os
import shutil
import sys
import time

from boucle.cli import gettext_lazy as _

DEMO_USER, DEMO_PASSWORD = "animateur@demo.boucle", "boucle-demo"
DEMO_COMPANY_USER = "entreprise@demo.boucle"  # a member of the company offering the best suggestion
DEMO_TERRITORY = ("region", "32")
# Threads let a worker answer another request while one waits on the database; `bench/bench_web.py`
# runs the server with these same options, so what it measures is what `boucle serve` runs.
GUNICORN_THREADS = 4


# gunicorn's threaded worker, answering a request it refuses itself (too long) with the platform's page.
WORKER_CLASS = "boucle.ops.gunicorn_worker.BoucleThreadWorker"


def gunicorn_options(workers: int, threads: int = GUNICORN_THREADS) -> list[str]:
    return ["--workers", str(workers), "--worker-class", WORKER_CLASS, "--threads", str(threads)]


def register(subparsers):
    p = subparsers.add_parser("demo", help=_("charger le territoire de démonstration (Hauts-de-France), lancer la "
                                             "mise en relation, servir"))
    p.add_argument("--no-serve", action="store_true", help=_("tout faire sauf servir, puis quitter"))
    p.add_argument("--host", default="127.0.0.1", help=_("adresse d'écoute (127.0.0.1 par défaut)"))
    p.add_argument("--port", type=int, default=8000, help=_("port d'écoute (8000 par défaut)"))
    p.set_defaults(func=run_demo, needs_db=True)
    s = subparsers.add_parser("serve", help=_("servir une base existante en HTTP local"))
    s.add_argument("--host", default="127.0.0.1", help=_("adresse d'écoute (127.0.0.1 par défaut)"))
    s.add_argument("--port", type=int, default=8000, help=_("port d'écoute (8000 par défaut)"))
    s.add_argument("--workers", type=int, default=2, help=_("processus du serveur (2 par défaut)"))
    s.add_argument("--threads", type=int, default=GUNICORN_THREADS,
                   help=_("fils d'exécution par processus (par défaut %(default)s)"))
    s.set_defaults(func=run_serve, needs_db=True)


def _say(text=""):
    print(text, flush=True)


# The demo's import files are named in English (sites.csv, flows.csv); its summary speaks the reader's words.
IMPORTED_WORDS = {"sites": _("sites"), "flows": _("flux")}


def division_lines(counts) -> list[str]:
    """« 20 : 269 / 71 » per NAF division from (naf code, direction, count) rows; sites with no activity code
    are counted last under « sans code NAF » (they read « ?? » before)."""
    per_div = {}
    for naf, direction, n in counts:
        div = naf[:2] if naf else None
        per_div.setdefault(div, {"offer": 0, "need": 0})[direction] += n
    return [_("%(division)s : %(offers)d / %(needs)d")
            % {"division": div or _("sans code NAF"), "offers": per_div[div]["offer"], "needs": per_div[div]["need"]}
            for div in sorted(per_div, key=lambda d: (d is None, d or ""))]


def run_demo(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils.translation import gettext as _

    from boucle.accounts.models import Facilitator
    from boucle.flows.importers import import_flows, import_sites
    from boucle.flows.models import Flow, Site
    from boucle.paths import DATA_DIR
    from boucle.territories.models import Commune, Departement, Epci, Region

    started = time.monotonic()
    demo = DATA_DIR / "demo"
    _say(_("Boucle — territoire de démonstration (Hauts-de-France, données publiques iREP)"))
    _say("  " + _("territoires : %(regions)d régions, %(departements)d départements, %(epcis)d EPCI, "
                  "%(communes)d communes") % {"regions": Region.objects.count(),
                                              "departements": Departement.objects.count(),
                                              "epcis": Epci.objects.count(), "communes": Commune.objects.count()})
    for what, importer in (("sites", import_sites), ("flows", import_flows)):
        report = importer(demo / f"{what}.csv", source="demo")
        if not report.ok:
            print("\n".join(report.lines()), file=sys.stderr)
            return 1
        _say("  " + _("%(what)s : %(created)d créés, %(updated)d mis à jour, %(unchanged)d inchangés")
             % {"what": IMPORTED_WORDS[what], "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged})
    sites = Site.objects.filter(source="demo")
    flows = Flow.objects.filter(site__in=sites)
    _say("  " + _("%(sites)d sites, %(flows)d flux dont %(illustrative)d illustratifs (typiques de l'activité, "
                  "non déclarés) et %(real)d réels (iREP)")
         % {"sites": sites.count(), "flows": flows.count(), "illustrative": flows.filter(illustrative=True).count(),
            "real": flows.filter(illustrative=False).count()})
    _say("  " + _("flux par division NAF (offres / besoins) :"))
    for line in division_lines(flows.values_list("site__naf_id", "direction").annotate(n=Count("id"))):
        _say("    " + line)
    # The passports come before the matching: a disassembly or recycling event declares offers on its
    # site (``passports.events.offers_from_event``), and the stored run must cover every demo flow,
    # so the proposals a page counts are the ones ``boucle match`` prints.
    from boucle.passports.demo import seed_all

    passports = seed_all()
    _say("  " + _("passeports de démonstration : %(count)d (perceuse, pack batterie avec modules et cellules, "
                  "moteur à aimants permanents, centre d'usinage) — boucle passport list") % {"count": len(passports)})
    try:
        from boucle.matching.service_run import run_matching
    except ImportError:
        _say("  " + _("mise en relation : moteur indisponible"))
    else:
        run = run_matching(f"{DEMO_TERRITORY[0]}:{DEMO_TERRITORY[1]}", progress=True)
        _say("  " + _("synergies proposées : %(proposals)d (%(created)d nouvelles, %(updated)d mises à jour)")
             % {"proposals": run.proposals, "created": run.created, "updated": run.updated})
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=DEMO_USER, defaults={"email": DEMO_USER})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Facilitator.objects.get_or_create(user=user, level=DEMO_TERRITORY[0], code=DEMO_TERRITORY[1])
    _say("  " + _("compte animateur : %(user)s / %(password)s (région Hauts-de-France)")
         % {"user": DEMO_USER, "password": DEMO_PASSWORD})
    company = _demo_company_account(user_model)
    if company is not None:
        _say("  " + _("compte entreprise : %(user)s / %(password)s (%(company)s)")
             % {"user": DEMO_COMPANY_USER, "password": DEMO_PASSWORD, "company": company.name})
    from boucle.projects.demo import load_demo_call
    from boucle.sharing.demo import load_demo_equipment

    call, _created = load_demo_call(DEMO_TERRITORY[1], user)
    machines = load_demo_equipment(sites)
    _say("  " + _("appel à projets ouvert : « %(title)s » ; équipements partagés illustratifs : %(machines)d")
         % {"title": call.title, "machines": machines})
    from boucle.places.demo import load_demo_places

    report = load_demo_places()
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        return 1
    _say("  " + _("lieux pour réparer, donner ou déposer (exemples illustratifs) : %(created)d créés, "
                  "%(unchanged)d inchangés") % {"created": report.created, "unchanged": report.unchanged})
    from boucle.aids.demo import load_demo_aids

    report = load_demo_aids()
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        return 1
    _say("  " + _("catalogue des aides (dispositifs réels, fiches à vérifier) : %(created)d créées, %(unchanged)d "
                  "inchangées — /aides/") % {"created": report.created, "unchanged": report.unchanged})
    from boucle.land.demo import load_demo_land

    report = load_demo_land()
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        return 1
    _say("  " + _("foncier économique et friches (exemples illustratifs) : %(created)d créés, %(unchanged)d inchangés")
         % {"created": report.created, "unchanged": report.unchanged})
    from boucle.skills.demo import load_demo_skills

    report, needs = load_demo_skills(sites)
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        return 1
    _say("  " + _("compétences (exemples illustratifs) : %(needs)d besoins, %(trainings)d formations")
         % {"needs": needs, "trainings": report.created + report.updated + report.unchanged})
    _say("  " + _("prêt en %(seconds).1f s") % {"seconds": time.monotonic() - started})
    if args.no_serve:
        return 0
    return run_serve(args)


def _demo_company_account(user_model):
    """A company member to try the company space with: the company offering the best suggestion."""
    from boucle.accounts.models import Membership
    from boucle.matching.models import Synergy

    best = Synergy.objects.filter(stale=False).select_related("offer__site__company").order_by("-score", "id").first()
    member = Membership.objects.filter(user__username=DEMO_COMPANY_USER).select_related("company").first()
    if member is not None:
        return member.company
    if best is None:
        return None
    user, created = user_model.objects.get_or_create(username=DEMO_COMPANY_USER,
                                                     defaults={"email": DEMO_COMPANY_USER})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    company = best.offer.site.company
    Membership.objects.get_or_create(user=user, company=company, defaults={"role": "admin"})
    return company


def run_serve(args) -> int:
    from django.conf import settings
    from django.utils.translation import gettext as _

    url = f"http://{args.host}:{args.port}"
    _say(_("Boucle sert %(url)s (Ctrl-C pour arrêter)") % {"url": url})
    workers = getattr(args, "workers", 2)
    # WhiteNoise serves from the app folders (finders); an empty STATIC_ROOT keeps it from warning.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if gunicorn:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boucle.settings")
        threads = getattr(args, "threads", GUNICORN_THREADS)
        os.execv(gunicorn, [gunicorn, "boucle.wsgi:application", "--bind", f"{args.host}:{args.port}",
                            *gunicorn_options(workers, threads), "--config", "python:boucle.ops.gunicorn_conf",
                            "--access-logfile", "-", "--log-level", "warning"])
    from django.core.management import call_command

    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    return 0
