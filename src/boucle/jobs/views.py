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
    return {"job": job, **services.labels(job), "where": where, "own_import": own,
            "guidance": _guidance(job) if own else "",
            "has_file": job.state == "done" and "filename" in job.result and services.output_path(job).exists()}


def _guidance(job: Job) -> str:
    """What happens next to the flows a company has just imported (the words of the flow form)."""
    from boucle.accounts.access import sites_in_full_view
    from boucle.web.guidance import after_declaration

    if job.state != "done" or not (job.result.get("created") or job.result.get("updated")) or not job.requested_by:
        return ""
    site = sites_in_full_view(job.requested_by).select_related("commune").order_by("name").first()
    return after_declaration(site) if site else ""


@login_required
def job_list(request):
    jobs = [_context(j) for j in services.recent_for(request.user, 50)]
    return render(request, "jobs/list.html", {"jobs": jobs})


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
