"""Every log record of a request carries its id, returned in X-Request-ID; JSON lines on demand."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from boucle.ops.logs import JsonFormatter, RequestIdFilter, clean_request_id


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler, root = Collect(), logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old)


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_returned_and_in_every_record(client, collected):
    dead = "redis://127.0.0.1:1/6"
    with override_settings(BOUCLE_BROKER_URL=dead):  # makes the request log a warning of its own
        response = client.get("/readyz", HTTP_X_REQUEST_ID="lb-7f3a9c")
    assert response["X-Request-ID"] == "lb-7f3a9c"
    mine = [r for r in collected if r.name in ("boucle.ops.health", "boucle.request")]
    assert {r.name for r in mine} == {"boucle.ops.health", "boucle.request"}
    assert all(r.request_id == "lb-7f3a9c" for r in mine)
    access = next(r for r in mine if r.name == "boucle.request")
    assert (access.method, access.path, access.status) == ("GET", "/readyz", 503)


@pytest.mark.django_db
def test_each_request_gets_its_own_id_when_none_or_a_bad_one_is_sent(client, collected):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and len(first) == 32
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected\nline')["X-Request-ID"]
    assert "injected" not in forged and len(forged) == 32
    logging.getLogger("boucle.test").warning("outside a request")
    assert collected[-1].request_id == "-"


def test_clean_request_id_keeps_tokens_and_refuses_long_or_spaced_ones():
    assert clean_request_id("abc-123_4.5") == "abc-123_4.5"
    assert clean_request_id("a" * 129) != "a" * 129 and clean_request_id("a b") != "a b"


def test_json_formatter_writes_one_object_per_record_with_extras_and_exception():
    record = logging.LogRecord("boucle.x", logging.ERROR, __file__, 1, "imported %d rows", (3,), None)
    record.request_id, record.rows = "r1", 3
    try:
        raise ValueError("bad line")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "imported 3 rows" and entry["level"] == "ERROR" and entry["logger"] == "boucle.x"
    assert entry["request_id"] == "r1" and entry["rows"] == 3 and "ValueError: bad line" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def _log_with(**env):
    code = ("import django; django.setup(); import logging; "
            "logging.getLogger('boucle.test').warning('disque presque plein', extra={'free_gb': 2})")
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "boucle.settings", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=60)


def test_boucle_log_format_json_switches_every_record_to_json_lines(tmp_path):
    result = _log_with(BOUCLE_DATA_DIR=str(tmp_path), BOUCLE_LOG_FORMAT="json")
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "disque presque plein" and entry["free_gb"] == 2 and entry["request_id"] == "-"
    text = _log_with(BOUCLE_DATA_DIR=str(tmp_path))
    assert "WARNING boucle.test [-] disque presque plein" in text.stderr
    wrong = _log_with(BOUCLE_DATA_DIR=str(tmp_path), BOUCLE_LOG_FORMAT="xml")
    assert wrong.returncode != 0 and "BOUCLE_LOG_FORMAT" in wrong.stderr


def test_gunicorn_access_lines_carry_the_response_request_id():
    from boucle.ops import gunicorn_conf

    assert "%({x-request-id}o)s" in gunicorn_conf.access_log_format
    atoms = {"h": "10.0.0.1", "r": "GET /readyz HTTP/1.1", "s": "200", "{x-request-id}o": "lb-1"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (), None)
    record.args = atoms  # what gunicorn passes: the atoms mapping
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "lb-1" and entry["message"] == '10.0.0.1 "GET /readyz HTTP/1.1" 200'
