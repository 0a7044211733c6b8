"""A job's page: its progress bar, polled with htmx until it is finished, then its result."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from . import services
from .models import Job


def _visible_or_404(request, pk) -> Job:
    job = services.visible(request.user, pk)
    if job is None:
        raise Http404  # an unknown job and someone else's answer alike
    return job


def _context(job: Job) -> dict:
    from django.utils.translation import gettext as _

    from boucle.web.words import territory_label

    own = bool(job.parameters.get("own_sites"))  # a company's import of its flows (``/espace/import/``)
    if own:
        where = _("vos sites")
    else:
        where = territory_label(job.territory) if job.territory else _("toute la plateforme")
    filename = job.parameters.get("filename", "") if job.kind == "import" else ""  # which file, in a list of imports
    return {"job": job, **services.labels(job, plain=own), "where": where, "own_import": own, "filename": filename,
            "summary": _own_import_summary(job) if own else "",
            "guidance": _guidance(job) if own else "",
            "has_file": job.state == "done" and "filename" in job.result and services.output_path(job).exists()}


def _own_import_summary(job: Job) -> str:
    """What a company's import did, in one plain sentence for its list of imports."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    name = job.result.get("filename") or job.parameters.get("filename") or ""
    if job.state in ("queued", "running"):
        return _("« %(name)s » : lecture en cours") % {"name": name}
    if job.state == "failed":
        return _("« %(name)s » : refusé, aucun flux enregistré") % {"name": name}
    created, updated = job.result.get("created") or 0, job.result.get("updated") or 0
    unchanged, rejected = job.result.get("unchanged") or 0, job.result.get("rejected_total") or 0
    parts = [ngettext("%(n)d flux ajouté", "%(n)d flux ajoutés", created) % {"n": created},
             ngettext("%(n)d mis à jour", "%(n)d mis à jour", updated) % {"n": updated}]
    if unchanged:
        parts.append(ngettext("%(n)d inchangé", "%(n)d inchangés", unchanged) % {"n": unchanged})
    if rejected:
        parts.append(ngettext("%(n)d ligne refusée", "%(n)d lignes refusées", rejected) % {"n": rejected})
    return _("« %(name)s » : %(what)s") % {"name": name, "what": ", ".join(parts)}


def _guidance(job: Job) -> str:
    """What happens next to the flows a company has just imported (the words of the flow form)."""
    from boucle.accounts.access import sites_in_full_view
    from boucle.web.guidance import after_declaration

    if job.state != "done" or not (job.result.get("created") or job.result.get("updated")) or not job.requested_by:
        return ""
    site = sites_in_full_view(job.requested_by).select_related("commune").order_by("name").first()
    flows = (job.result.get("created") or 0) + (job.result.get("updated") or 0)
    return after_declaration(site, flows) if site else ""


@login_required
def job_list(request):
    jobs = [_context(j) for j in services.recent_for(request.user, 50)]
    user = request.user
    # a company member has only the imports of their own flows: the page speaks of those
    own_imports_only = not (user.is_superuser or user.facilitations.exists())
    return render(request, "jobs/list.html", {"jobs": jobs, "own_imports_only": own_imports_only})


@login_required
def job_detail(request, pk):
    return render(request, "jobs/detail.html", _context(_visible_or_404(request, pk)))


@login_required
def job_progress(request, pk):
    """The progress block alone, which the page asks for every second while the job is not finished."""
    return render(request, "jobs/_progress.html", _context(_visible_or_404(request, pk)))


@login_required
def job_file(request, pk):
    job = _visible_or_404(request, pk)
    path = services.output_path(job)
    if job.state != "done" or "filename" not in job.result or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result["filename"])
