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
