"""Request ids, and probes answered before host checks and HTTPS redirects.

``RequestIdMiddleware`` comes first in ``MIDDLEWARE``: it takes the caller's ``X-Request-ID``
(a proxy's, when it is a short printable token) or makes one, exposes it to every log record
of the request (``logs.request_id_var``), returns it in the response and logs one line per
request on ``boucle.request``.

``ProbeMiddleware`` comes next: an orchestrator probes a container by its address
(``Host: 10.0.3.7``, plain HTTP), which ``ALLOWED_HOSTS`` and ``BOUCLE_SECURE``'s redirect
would refuse. The probes reveal nothing and change nothing, so they are answered here, by the
same views the URL routes serve.

``RequestLimitsMiddleware`` comes after ``LocaleMiddleware``: an address longer than
``limits.MAX_URL_CHARS`` is answered 414 with the platform's page in the reader's language, before
any view parses it. (Too many parameters or form fields, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, is
Django's ``TooManyFieldsSent``: 400 with ``400.html``.)
"""

import logging
import time

from .limits import MAX_URL_CHARS
from .logs import clean_request_id, request_id_var

logger = logging.getLogger("boucle.request")

PROBE_PATHS = {"/healthz", "/readyz"}


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info("%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path, "status": response.status_code,
                               "duration_ms": round((time.monotonic() - started) * 1000, 1)})
            return response
        finally:
            request_id_var.reset(token)


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path in PROBE_PATHS and request.method in ("GET", "HEAD"):
            from . import views

            return views.healthz(request) if path == "/healthz" else views.readyz(request)
        return self.get_response(request)


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if length > MAX_URL_CHARS:
            from django.template import loader
            from django.http import HttpResponse

            logger.warning("address of %d characters refused (at most %d)", length, MAX_URL_CHARS)
            body = loader.get_template("414.html").render({"max_chars": MAX_URL_CHARS})
            return HttpResponse(body, status=414)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A form's address opened as a page (« /deconnexion/ » from a bookmark, a link copied from a button) answers 405
    with an empty body: a blank page. A browser gets the platform's page saying what the address is for; the API
    and any 405 that already says something keep their answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and request.method in ("GET", "HEAD") and not getattr(response, "streaming", False)
                and not response.content and not request.path.startswith("/api/")):
            from django.template import loader

            from django.http import HttpResponse

            allow = response.get("Allow")
            response = HttpResponse(loader.get_template("405.html").render({}), status=405)
            if allow:
                response["Allow"] = allow
        return response
