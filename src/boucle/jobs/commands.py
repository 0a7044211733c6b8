"""``boucle worker`` and ``boucle jobs submit|status|list``: background jobs from the command line.

``jobs status`` reads the database only: it answers with no worker and no broker running.
"""

import argparse
import json
import sys

from boucle.cli import gettext_lazy as _


class _HealthCheck(argparse.Action):
    """``--check``: a container's health probe, run every few seconds: no migration check, no database."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.check, namespace.needs_db = True, False


def _setup_for_check() -> None:
    from django.utils import translation

    from boucle.bootstrap import setup_django
    from boucle.cli import lang

    setup_django()
    translation.activate(lang())


def register(subparsers) -> None:
    w = subparsers.add_parser("worker", help=_("exécuter les tâches de fond de la file (il faut BOUCLE_BROKER_URL)"))
    w.add_argument("--concurrency", type=int, default=1, help=_("tâches exécutées en même temps (processus), 1 par "
                                                                "défaut"))
    w.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help=_("niveau de détail du journal (INFO par défaut)"))
    w.add_argument("--check", action=_HealthCheck,
                   help=_("sonde de santé : sortie 0 si le worker de cette machine répond à un ping par la file"))
    w.set_defaults(func=run_worker, needs_db=True)

    b = subparsers.add_parser("beat", help=_("planifier les tâches périodiques (BOUCLE_NIGHTLY_MATCH) dans la file "
                                             "; en lancer un seul"))
    b.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help=_("niveau de détail du journal (INFO par défaut)"))
    b.add_argument("--check", action=_HealthCheck,
                   help=_("sonde de santé : sortie 0 si le planificateur de ce dossier de données a battu dans les 3 "
                          "dernières minutes"))
    b.set_defaults(func=run_beat, needs_db=True)

    j = subparsers.add_parser("jobs", help=_("tâches de fond : en soumettre une, suivre son état"))
    sub = j.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    s = sub.add_parser("submit", help=_("soumettre une tâche : match, export, report ou import"))
    kinds = s.add_subparsers(dest="kind", metavar=_("TÂCHE"), required=True)
    territory_help = _("region:32, departement:59, epci:200093201 ou commune:59350")
    for name, help_text in (("match", _("une mise en relation (les options de boucle match)")),
                            ("export", _("un export (les options de boucle export)")),
                            ("report", _("un rapport imprimable (les options de boucle report)")),
                            ("import", _("un import de sites ou de flux (tout ou rien, comme boucle import)"))):
        k = kinds.add_parser(name, help=help_text)
        if name == "import":
            k.add_argument("file", help=_("le fichier de sites ou de flux (CSV, XLSX), copié pour le worker"))
            k.add_argument("--what", choices=["sites", "flows"], required=True,
                           help=_("ce que contient le fichier"))
            k.add_argument("--territory", metavar="REF",
                           help=_("region:32, departement:59, epci:200093201 ou commune:59350 ; limite l'import "
                                  "aux sites du territoire"))
        else:
            k.add_argument("--territory", required=True, metavar="REF", help=territory_help)
        if name == "match":
            k.add_argument("--radius-km", type=float, default=None, help=_("match : rayon de recherche"))
            k.add_argument("--no-inferred", action="store_true", help=_("match : besoins déclarés seulement"))
        if name == "export":
            k.add_argument("--what", choices=["indicators", "flows", "synergies"], default=None,
                           help=_("export : quoi exporter"))
            k.add_argument("--format", choices=["csv", "xlsx", "geojson"], default=None,
                           help=_("format du fichier (csv par défaut)"))
            k.add_argument("--public", action="store_true", help=_("export : appliquer la règle du secret statistique"))
        if name == "report":
            k.add_argument("--format", choices=["html", "pdf"], default=None,
                           help=_("format du rapport (html par défaut)"))
        if name in ("export", "report"):
            k.add_argument("--period", type=int, default=None, help=_("export, report : une année"))
        k.add_argument("--json", action="store_true", help=_("afficher seulement {\"id\": …} sur la sortie standard"))
        k.set_defaults(func=run_submit, needs_db=True)
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
    if getattr(args, "check", False):
        _setup_for_check()
    from django.conf import settings
    from django.db import connections
    from django.utils.translation import gettext as _

    if not settings.BOUCLE_BROKER_URL:
        print(_("boucle worker : BOUCLE_BROKER_URL n'est pas défini (redis://… ou amqp://…) ; sans file "
                "d'attente, chaque tâche s'exécute dans le processus qui la soumet."), file=sys.stderr)
        return 2
    if getattr(args, "check", False):
        return check_worker()
    if args.concurrency < 1:
        print(_("--concurrency : au moins 1"), file=sys.stderr)
        return 2
    from boucle.celery import configured

    app = configured()
    connections.close_all()  # the pool's processes are forked: each opens its own connection
    app.worker_main(["worker", f"--concurrency={args.concurrency}", f"--loglevel={args.loglevel}",
                     "--queues", settings.BOUCLE_JOBS_QUEUE, "--hostname", settings.BOUCLE_WORKER_NAME,
                     "--without-gossip", "--without-mingle"])
    return 0


def run_beat(args) -> int:
    """Celery beat with the schedule of ``boucle.celery.beat_schedule``; its state file in the data folder."""
    if getattr(args, "check", False):
        _setup_for_check()
    from django.conf import settings
    from django.utils.translation import gettext as _

    if not settings.BOUCLE_BROKER_URL:
        print(_("boucle beat : BOUCLE_BROKER_URL n'est pas défini (redis://… ou amqp://…) : sans file d'attente, "
                "pas de tâche périodique."), file=sys.stderr)
        return 2
    from boucle.celery import BeatScheduler, beat_heartbeat, configured

    if getattr(args, "check", False):
        return check_beat(beat_heartbeat())
    app = configured()
    planned = ", ".join(settings.BOUCLE_NIGHTLY_MATCH) or _("aucune (BOUCLE_NIGHTLY_MATCH est vide)")
    print(_("boucle beat : mise en relation chaque nuit à %(hour)d h UTC pour : %(territories)s")
          % {"hour": settings.BOUCLE_NIGHTLY_HOUR, "territories": planned}, file=sys.stderr)
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    app.Beat(loglevel=args.loglevel, schedule=str(settings.DATA_DIR / "celerybeat-schedule"),
             scheduler_cls=BeatScheduler).run()
    return 0


def check_worker() -> int:
    """Ping this worker (``BOUCLE_WORKER_NAME``, ``celery@<hostname>`` by default) through the broker: the
    container's health."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from boucle.celery import configured

    name = settings.BOUCLE_WORKER_NAME
    try:
        answers = configured().control.ping(destination=[name], timeout=5.0, limit=1)
    except Exception as exc:  # the broker itself is down
        print(_("boucle worker --check : la file d'attente ne répond pas (%(error)s)") % {"error": exc},
              file=sys.stderr)
        return 1
    if not any(name in answer for answer in answers):
        print(_("boucle worker --check : aucun processus %(name)s ne répond") % {"name": name}, file=sys.stderr)
        return 1
    print(_("boucle worker --check : %(name)s répond") % {"name": name}, file=sys.stderr)
    return 0


MAX_BEAT_SILENCE_S = 180


def check_beat(heartbeat) -> int:
    """The scheduler touches its heartbeat file at every tick (at least once a minute)."""
    import time

    from django.utils.translation import gettext as _

    try:
        age = time.time() - heartbeat.stat().st_mtime
    except OSError:
        print(_("boucle beat --check : le planificateur n'a jamais tourné ici (%(path)s)") % {"path": heartbeat},
              file=sys.stderr)
        return 1
    if age > MAX_BEAT_SILENCE_S:
        print(_("boucle beat --check : le planificateur ne s'est pas manifesté depuis %(s)d s") % {"s": age},
              file=sys.stderr)
        return 1
    return 0


def _parameters(args) -> dict:
    if args.kind == "match":
        return {"radius_km": args.radius_km, "inferred": not args.no_inferred}
    if args.kind == "export":
        return {"what": args.what, "format": args.format, "public": args.public, "period": args.period}
    return {"format": args.format, "period": args.period}


def _import_parameters(args) -> dict:
    """The file copied into the jobs' folder (the worker reads the copy), with what it holds."""

    from . import imports
    from .services import JobRefused

    try:
        return {**imports.stage(imports.file_chunks(args.file), args.file), "what": args.what}
    except OSError as exc:
        raise JobRefused(f"{args.file}: {exc.strerror or exc}") from None

def run_submit(args) -> int:
    from django.conf import settings
    from django.utils.translation import gettext as _

    from boucle.matching.commands import _resolve_or_exit

    from .services import JobRefused, labels, submit

    territory = ""
    if args.territory:
        territory = _resolve_or_exit(args.territory)
        if territory is False:
            return 2
    staged = None
    try:
        if args.kind == "import":
            staged = _import_parameters(args)
        job = submit(args.kind, territory, staged or _parameters(args), echo=True)
    except JobRefused as exc:
        if staged:
            from . import imports

            imports.staged_path(staged["file"]).unlink(missing_ok=True)
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
        words = labels(job)
        print(_("Tâche %(id)s exécutée ici (aucune file d'attente configurée) : %(state)s")
              % {"id": job.pk, "state": words["state_label"]}, file=sys.stderr)
        for line in _result_lines(job, words["result"]):
            print(line, file=sys.stderr)
        if words["error"]:
            print(words["error"], file=sys.stderr)
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
    lines = _result_lines(job, doc["result"])
    if lines:
        print("\n".join("  " + line for line in lines))
    elif doc["result"]:
        print("  " + json.dumps(doc["result"], ensure_ascii=False))
    if doc["error"]:
        print("  " + doc["error"])

def _result_lines(job, result: dict) -> list[str]:
    """An import's report in words, as ``boucle import`` says it: counts, then each rejected line."""
    from django.utils.translation import gettext as _

    if job.kind != "import" or not result:
        return []
    lines = [_("créés : %(created)d, mis à jour : %(updated)d, inchangés : %(unchanged)d, rejetés : %(rejected)d")
             % {"created": result.get("created", 0), "updated": result.get("updated", 0),
                "unchanged": result.get("unchanged", 0), "rejected": result.get("rejected_total", 0)}]
    lines += [_("ligne %(line)d : %(reason)s") % row for row in result.get("rejected", [])]
    if result.get("rejected_total", 0) > len(result.get("rejected", [])):
        lines.append(_("… et %(n)d autres lignes refusées") % {"n": result["rejected_total"] - len(result["rejected"])})
    return lines

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
    if not rows:
        print(_("Aucune tâche : `boucle jobs submit` en lance une (rapprochement, export, rapport ou import)."))
    for doc, job in rows:
        print(doc["id"], end="  ")
        _print_job(doc, job)
    return 0
