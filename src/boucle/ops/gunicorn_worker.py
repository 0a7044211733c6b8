"""The worker class of ``boucle serve``: gunicorn's threaded worker, with the platform's page for a
request gunicorn refuses before Django sees it (a request line or a header past ``boucle.ops.limits``).

Gunicorn answers those with a raw English page of its own; this one answers with ``414.html`` (or
``400.html`` for too many or too large headers), rendered once in the platform's language: the
request's headers were not read, so the reader's language is not known.
"""

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from .limits import MAX_URL_CHARS

_PAGES: dict[int, bytes] = {}


def refusal(status: int) -> bytes:
    """The whole HTTP response for a refused request, the body rendered by Django's templates."""
    if status not in _PAGES:
        from django.conf import settings
        from django.template import loader
        from django.utils import translation

        with translation.override(settings.LANGUAGE_CODE):
            template = "414.html" if status == 414 else "400.html"
            body = loader.get_template(template).render({"max_chars": MAX_URL_CHARS}).encode("utf-8")
        reason = {414: "URI Too Long", 431: "Request Header Fields Too Large"}[status]
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        _PAGES[status] = head.encode("latin-1") + body
    return _PAGES[status]


class BoucleThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, (LimitRequestLine, LimitRequestHeaders)):
            return super().handle_error(req, client, addr, exc)
        status = 414 if isinstance(exc, LimitRequestLine) else 431
        try:
            page = refusal(status)
        except Exception:  # Django not ready or a template broken: gunicorn's own answer
            self.log.exception("could not render the %d page", status)
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, page)
        except Exception:
            self.log.debug("Failed to send error message.")
