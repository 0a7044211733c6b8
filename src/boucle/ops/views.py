"""``/healthz`` (the process answers) and ``/readyz`` (it can reach what a request needs).

No login, no session, no template: JSON an orchestrator or a load balancer reads, 200 or 503,
never cached. Nothing in them names a host, a user or a version.
"""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import readiness


@require_safe
@never_cache
def healthz(request):
    return JsonResponse({"status": "alive"})


@require_safe
@never_cache
def readyz(request):
    result = readiness()
    return JsonResponse(result, status=200 if result["status"] == "ready" else 503)
