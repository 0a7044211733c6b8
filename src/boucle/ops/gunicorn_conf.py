"""Gunicorn settings for ``boucle serve`` and the container (``--config python:boucle.ops.gunicorn_conf``).

The access line carries the response's X-Request-ID, the same id as the application's records
of that request; with ``BOUCLE_LOG_FORMAT=json`` gunicorn's own lines go out as the same JSON
objects as the application's (``boucle.ops.logs.JsonFormatter``), one per line.
"""

import os

access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms [%({x-request-id}o)s] "%(a)s"'

if os.environ.get("BOUCLE_LOG_FORMAT", "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "boucle.ops.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},  # replaced by Django's LOGGING once the app loads
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }

# Request size, set on purpose (``boucle.ops.limits``): lines up to gunicorn's ceiling, so that Django
# answers a too-long address with the platform's page rather than gunicorn's raw English one.
from boucle.ops.limits import MAX_HEADER_FIELD_SIZE, MAX_HEADER_FIELDS, MAX_URL_CHARS  # noqa: E402

limit_request_line = MAX_URL_CHARS
limit_request_fields = MAX_HEADER_FIELDS
limit_request_field_size = MAX_HEADER_FIELD_SIZE


def post_worker_init(worker):
    """Each worker loads the matching's knowledge in the background as it starts (``boucle.ops.warm``), so that
    the first flow page a user opens answers as fast as the next ones (about 3 s before)."""
    from boucle.ops.warm import warm_in_background

    warm_in_background()
