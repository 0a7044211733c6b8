"""``boucle worker`` and ``boucle jobs submit|status|list``: background jobs from the command line.

``jobs status`` reads the database only: it answers with no worker and no broker running.
"""

import json
import sys

from boucle.cli import gettext_lazy as _


def register(subparsers) -> None:
    w = subparsers.add_parser("worker", help=_("exécuter les tâches de fond de la file (il faut BOUCLE_BROKER_URL)"))
    w.add_argument("--concurrency", type=int, default=1, help=_("tâches exécutées en même temps (processus), 1 par "
                                                                "défaut"))
    w.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help=_("niveau de détail du journal (INFO par défaut)"))
    w.set_defaults(func=run_worker, needs_db=True)

    b = subparsers.add_parser("beat", help=_("planifier les tâches périodiques (BOUCLE_NIGHTLY_MATCH) dans la file "
                                             "; en lancer un seul"))
    b.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help=_("niveau de détail du journal (INFO par défaut)"))
    b.set_defaults(func=run_beat, needs_db=True)

    j = subparsers.add_parser("jobs", help=_("tâches de fond : en soumettre une, suivre son état"))
    sub = j.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    s = sub.add_parser("submit", help=_("soumettre une tâche : match, export ou report"))
    s.add_argument("kind", choices=["match", "export", "report"],
                   help=_("la tâche : mise en relation, export ou rapport"))
    s.add_argument("--territory", required=True, metavar="REF",
                   help=_("region:32, departement:59, epci:200093201 ou commune:59350"))
    s.add_argument("--radius-km", type=float, default=None, help=_("match : rayon de recherche"))
    s.add_argument("--no-inferred", action="store_true", help=_("match : besoins déclarés seulement"))
    s.add_argument("--what", choices=["indicators", "flows", "synergies"], default=None, help=_("export : quoi "
                                                                                                "exporter"))
    s.add_argument("--format", choices=["csv", "xlsx", "geojson", "html", "pdf"], default=None,
                   help=_("export : csv, xlsx ou geojson ; report : html ou pdf"))
    s.add_argument("--public", action="store_true", help=_("export : appliquer la règle du secret statistique"))
    s.add_argument("--period", type=int, default=None, help=_("export, report : une année"))
    s.add_argument("--json", action="store_true", help=_("afficher seulement {\"id\": …} sur la sortie standard"))
    s.set_defaults(func=run_submit, needs_db=True)
    st = sub.add_parser("status", help=_("état, avancement et résultat d'une tâche (lus dans la base)"))
    st.add_argument("id", help=_("le numéro de la tâche"))
    st.add_argument("--json", action="store_true", help=_("afficher un document JSON"))
    st.set_defaults(func=run_status, needs_db=True)
    ls = sub.add_parser("list", help=_("les dernières tâches"))
    ls.add_argument("--territory", metavar="REF", help=_("seulement les tâches de ce territoire"))
    ls.add_argument("--limit", type=int, default=20, help=_("au plus ce nombre de tâches (20 par défaut)"))
    ls.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    ls.set_defaults(func=run_list, needs_db=True)


def run_worker(args) -> int:
    from django.conf import settings
    from django.db import connections
    from django.utils.translation import gettext as _

    if not settings.BOUCLE_BROKER_URL:
        print(_("boucle worker : BOUCLE_BROKER_URL n'est pas défini (redis://… ou amqp://…) ; sans file "
                "d'attente, chaque tâche s'exécute dans le processus qui la soumet."), file=sys.stderr)
        return 2
    if args.concurrency < 1:
        print(_("--concurrency : au moins 1"), file=sys.stderr)
        return 2
    from boucle.celery import configured

    app = configured()
    connections.close_all()  # the pool's processes are forked: each opens its own connection
    app.worker_main(["worker", f"--concurrency={args.concurrency}", f"--loglevel={args.loglevel}",
                     "--queues", settings.BOUCLE_JOBS_QUEUE, "--without-gossip", "--without-mingle"])
    return 0


def run_beat(args) -> int:
    """Celery beat with the schedule of ``boucle.celery.beat_schedule``; its state file in the data folder."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    if not settings.BOUCLE_BROKER_URL:
        print(_("boucle beat : BOUCLE_BROKER_URL n'est pas défini (redis://… ou amqp://…) : sans file d'attente, "
                "pas de tâche périodique."), file=sys.stderr)
        return 2
    from boucle.celery import configured

    app = configured()
    planned = ", ".join(settings.BOUCLE_NIGHTLY_MATCH) or _("aucune (BOUCLE_NIGHTLY_MATCH est vide)")
    print(_("boucle beat : mise en relation chaque nuit à %(hour)d h UTC pour : %(territories)s")
          % {"hour": settings.BOUCLE_NIGHTLY_HOUR, "territories": planned}, file=sys.stderr)
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    app.Beat(loglevel=args.loglevel, schedule=str(settings.DATA_DIR / "celerybeat-schedule")).run()
    return 0


def _parameters(args) -> dict:
    if args.kind == "match":
        return {"radius_km": args.radius_km, "inferred": not args.no_inferred}
    if args.kind == "export":
        return {"what": args.what, "format": args.format, "public": args.public, "period": args.period}
    return {"format": args.format, "period": args.period}


def run_submit(args) -> int:
    from django.conf import settings
    from django.utils.translation import gettext as _

    from boucle.matching.commands import _resolve_or_exit

    from .services import JobRefused, labels, submit

    territory = _resolve_or_exit(args.territory)
    if territory is False:
        return 2
    try:
        job = submit(args.kind, territory, _parameters(args), echo=True)
    except JobRefused as exc:
        print(f"boucle jobs submit: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"id": str(job.pk)}))
    else:
        print(str(job.pk))
    if settings.BOUCLE_BROKER_URL:
        print(_("Tâche %(id)s en file d'attente ; suivez-la avec : boucle jobs status %(id)s") % {"id": job.pk},
              file=sys.stderr)
    else:
        print(_("Tâche %(id)s exécutée ici (aucune file d'attente configurée) : %(state)s")
              % {"id": job.pk, "state": labels(job)["state_label"]}, file=sys.stderr)
        if job.error:
            print(job.error, file=sys.stderr)
    return 1 if job.state == "failed" else 0


def run_status(args) -> int:
    from django.utils.translation import gettext as _

    from .services import find, job_dict

    job = find(args.id)
    if job is None:
        print(_("boucle jobs status : aucune tâche %(id)s") % {"id": args.id}, file=sys.stderr)
        return 1
    doc = job_dict(job)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    _print_job(doc, job)
    return 0


def _print_job(doc: dict, job) -> None:
    from django.utils.translation import gettext as _

    from .services import labels

    words = labels(job)
    print(_("%(kind)s %(territory)s : %(state)s, %(progress)d %% — %(message)s")
          % {"kind": words["kind_label"], "territory": doc["territory"], "state": words["state_label"],
             "progress": doc["progress"], "message": doc["message"]})
    if doc["result"]:
        print("  " + json.dumps(doc["result"], ensure_ascii=False))
    if doc["error"]:
        print("  " + doc["error"])


def run_list(args) -> int:
    from .models import Job
    from .services import job_dict

    jobs = Job.objects.all()
    if args.territory:
        from boucle.matching.commands import _resolve_or_exit

        territory = _resolve_or_exit(args.territory)
        if territory is False:
            return 2
        jobs = jobs.filter(territory=territory)
    rows = [(job_dict(j), j) for j in jobs[:max(1, args.limit)]]
    if args.json:
        print(json.dumps([doc for doc, _job in rows], ensure_ascii=False))
        return 0
    for doc, job in rows:
        print(doc["id"], end="  ")
        _print_job(doc, job)
    return 0
