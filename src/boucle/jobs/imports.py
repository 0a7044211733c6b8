"""Import jobs: a sites or flows file, copied into the jobs' folder, imported by a worker.

The file is copied first (bounded in size) because the worker may run on another machine and
the upload or the command's file may be gone by then; the job's parameters name the copy. The
import itself is ``flows.importers``, the one path of ``boucle import``: every row checked, then
all written in the job's transaction or nothing. A facilitator's job is limited to the sites of
the job's territory (``importers.Scope``), a company's (``own_sites``, from ``/espace/import/``) to
the flows of the sites its requester may edit; an operator's job from the command line, with no
territory, is not limited, as ``boucle import``.
"""

import os
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 50 * 1024 * 1024
#: Without a worker, a file up to this size is imported in the request that sends it (a few seconds: the page
#: answers with the report); a larger one (16,000 sites, 950 kB: about a minute) runs in a thread of the server
#: and its page shows the progress (``services.submit(..., wait=False)``).
INLINE_MAX_BYTES = 150_000
SUFFIXES = (".csv", ".xlsx", ".tsv", ".txt")
WHAT = ("sites", "flows")
MAX_REJECTED_KEPT = 200  # lines of a refused file kept on the job; the total is kept too
_STAGED = re.compile(r"[0-9a-f]{32}\.(csv|xlsx|tsv|txt)")


def uploads_dir() -> Path:
    return Path(settings.BOUCLE_JOBS_DIR) / "uploads"


def staged_path(name: str) -> Path:
    return uploads_dir() / name


def stage(chunks, filename: str) -> dict:
    """Copy a file (an iterable of byte chunks) into the jobs' folder; the ``parameters`` naming it.

    Refuses (``JobRefused``) a file of another format or larger than ``MAX_IMPORT_BYTES``, checked
    while copying so an oversized upload is never kept whole."""
    from .services import JobRefused

    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise JobRefused(_("Format attendu : CSV ou XLSX."))
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    tmp, size = folder / f".{name}.part", 0
    try:
        with tmp.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise JobRefused(_("Fichier trop volumineux (%(mb)d Mo au plus).")
                                     % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
                out.write(chunk)
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)
    return {"file": name, "filename": Path(filename).name[:200], "bytes": size}


def file_chunks(path, size: int = 1024 * 1024):
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def clean(raw: dict) -> dict:
    from .services import JobRefused, _choice

    what = _choice("what", raw.pop("what", None), WHAT, "")
    name = raw.pop("file", None)
    if not isinstance(name, str) or not _STAGED.fullmatch(name) or not staged_path(name).is_file():
        raise JobRefused(_("file : aucun fichier envoyé sous ce nom"))
    filename = str(raw.pop("filename", "") or name)[:200]
    size = raw.pop("bytes", None)
    params = {"what": what, "file": name, "filename": filename,
              "bytes": size if isinstance(size, int) else staged_path(name).stat().st_size}
    own_sites = raw.pop("own_sites", False)
    if own_sites is not False:
        if own_sites is not True or what != "flows":
            raise JobRefused(_("own_sites : seulement pour un fichier de flux (vrai ou faux)"))
        params["own_sites"] = True
    return params


def handler(job, report):
    """Read and check every row, telling the progress, then write in the job's transaction (``write``), so a
    refused file or a killed worker leaves nothing; the summary keeps the rejected lines with their reasons
    (in French, rendered in the reader's language)."""
    from boucle.flows.importers import Scope, check_flows, check_sites
    from boucle.flows.tabular import FileFormatError
    from boucle.territories.refs import resolve

    from .services import ERRORS, STEPS, JobFailed

    p = job.parameters
    path = staged_path(p["file"])
    if not path.is_file():
        raise JobFailed(ERRORS["upload_gone"])
    if p.get("own_sites"):  # a company's import: the sites its requester may edit now, when it runs
        from boucle.accounts.access import sites_in_full_view
        from boucle.flows.models import Site

        scope = Scope.own_sites(sites_in_full_view(job.requested_by) if job.requested_by else Site.objects.none())
    else:
        scope = Scope.of(resolve(job.territory)) if job.territory else None
    report(5, STEPS["import_checking"])
    checker = check_sites if p["what"] == "sites" else check_flows

    def told(done: int, total: int) -> None:  # checking is most of the reading: 5 % to 80 %
        from boucle.web.words import number  # « 1 500 sur 16 000 »: grouped as the pages group figures

        report(5 + 75 * done / max(total, 1), STEPS["import_checking_rows"], {"done": number(done), "total": number(total)})

    try:
        checked = checker(path, within=scope, progress=told)
    except FileFormatError as exc:
        raise JobFailed(str(exc)) from None

    def summary() -> dict:
        outcome = checked.report
        out = {"what": p["what"], "filename": p["filename"], **outcome.to_dict()}
        out["rejected_total"] = len(outcome.rejected)
        out["rejected"] = out["rejected"][:MAX_REJECTED_KEPT]
        return out

    if not checked.writable:  # refused before anything is written
        raise JobFailed(ERRORS["import_refused"], {"n": len(checked.report.rejected)}, result=summary())
    report(80, STEPS["import_writing"])

    def write() -> dict:
        checked.write()
        return summary()

    return write


def discard(job) -> None:
    """The copy of a finished job's file is no longer needed."""
    name = job.parameters.get("file", "")
    if _STAGED.fullmatch(name or ""):
        staged_path(name).unlink(missing_ok=True)
