"""Request ids in every log record, and one JSON object per line when ``BOUCLE_LOG_FORMAT=json``.

The id lives in a context variable set by ``middleware.RequestIdMiddleware``: each gunicorn
thread (and each asyncio task) sees its own, so a record logged anywhere while a request is
served carries that request's id, without passing it around. Framework-free.
"""

import contextvars
import json
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("boucle_request_id", default="-")

# What we accept from a client or a proxy: short, printable, no spaces or quotes (it goes into logs).
_VALID_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def clean_request_id(value: str | None) -> str:
    """The caller's id when it is safe to log as is, else a fresh one."""
    if value and _VALID_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` attribute ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", request_id_var.get())
        if request_id == "-" and isinstance(record.args, dict) and "{x-request-id}o" in record.args:
            request_id = record.args["{x-request-id}o"]  # gunicorn's access line: the response's header
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        from datetime import datetime, timezone

        return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

