"""`boucle serve` with no configuration at all is safe to show people: the production defaults.

One real server on a free port, started the way a newcomer starts it (no BOUCLE_SECRET_KEY,
no BOUCLE_ALLOWED_HOSTS, no BOUCLE_DEBUG), on a database that already exists.
"""

import http.cookiejar
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
START_BUDGET_S = 30


def _clean_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BOUCLE_", "DATABASE_URL", "DJANGO_", "PYTEST_"))}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["BOUCLE_DATA_DIR"] = str(data_dir)  # a throw-away data folder, not the checkout's var/
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve-data")
    env = _clean_env(data_dir)
    setup = ("from boucle.bootstrap import setup_django, ensure_database; setup_django(); ensure_database(); "
             "from django.contrib.auth import get_user_model; from boucle.accounts.models import Facilitator; "
             "u = get_user_model().objects.create_user('animateur@demo.boucle', 'animateur@demo.boucle', 'boucle-demo'); "
             "Facilitator.objects.create(user=u, level='region', code='32')")
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, timeout=120, capture_output=True)
    port = _free_port()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "boucle", "serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                if proc.poll() is not None or time.monotonic() - started > START_BUDGET_S:
                    proc.kill()
                    pytest.fail(f"boucle serve did not answer within {START_BUDGET_S} s:\n"
                                + proc.stdout.read().decode(errors="replace"))
                time.sleep(0.3)
        yield {"port": port, "data_dir": data_dir, "startup_s": time.monotonic() - started}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _get(url, opener=None):
    opener = opener or urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(url, timeout=10)
    except urllib.error.HTTPError as exc:
        response = exc
    return response.status, dict(response.headers), response.read().decode("utf-8", errors="replace")


def test_answers_on_both_loopback_names_within_the_budget(served):
    assert served["startup_s"] < START_BUDGET_S
    for host in ("127.0.0.1", "localhost"):
        status, _headers, body = _get(f"http://{host}:{served['port']}/")
        assert status == 200, (host, body[:300])
        assert "Boucle" in body


def test_secret_key_is_generated_once_and_private(served):
    key = served["data_dir"] / "secret_key"
    assert key.exists() and len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_css_and_js_are_served_without_collectstatic(served):
    base = f"http://127.0.0.1:{served['port']}"
    status, _headers, home = _get(base + "/")
    css = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
    status, headers, body = _get(base + css)
    assert status == 200 and "text/css" in headers.get("Content-Type", "") and "{" in body
    status, headers, _body = _get(base + "/static/vendor/htmx/htmx.min.js")
    assert status == 200 and "javascript" in headers.get("Content-Type", "")


def test_unknown_page_is_a_friendly_404_without_debug_details(served):
    status, _headers, body = _get(f"http://127.0.0.1:{served['port']}/cette-page-n-existe-pas/")
    assert status == 404
    assert "Page introuvable" in body and "web/boucle.css" in body  # in the site's look
    for leak in ("URLconf", "urlpatterns", "DEBUG = True", "SECRET_KEY", "Traceback"):
        assert leak not in body


def test_a_foreign_host_name_is_refused(served):
    request = urllib.request.Request(f"http://127.0.0.1:{served['port']}/", headers={"Host": "evil.example"})
    status, _headers, body = _get(request)
    assert status == 400 and "DisallowedHost" not in body


def test_demo_login_over_plain_http_lands_on_the_dashboard(served):
    base = f"http://127.0.0.1:{served['port']}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    status, headers, page = _get(base + "/connexion/", opener)
    assert status == 200 and "Strict-Transport-Security" not in headers
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "animateur@demo.boucle",
                                   "password": "boucle-demo"}).encode()
    request = urllib.request.Request(base + "/connexion/", data=data, headers={"Referer": base + "/connexion/"})
    status, headers, _body = _get(request, opener)
    assert status == 302, _body[:500]
    session = [c for c in jar if c.name == "sessionid"]
    assert session and not session[0].secure  # a Secure cookie would never come back over http://
    status, headers, _body = _get(base + "/tableau-de-bord/", opener)
    assert status == 302 and headers["Location"].endswith("/animation/")
    status, _headers, body = _get(base + "/animation/", opener)
    assert status == 200 and "Tableau de bord" in body


def test_a_long_address_is_served_and_a_too_long_one_gets_the_platform_s_page(served):
    base = f"http://127.0.0.1:{served['port']}"
    for length in (6000, 8100):  # past gunicorn's default of 4,094 bytes, under its ceiling: served
        status, _headers, _body = _get(base + "/?q=" + "x" * length)
        assert status == 200, length
    status, _headers, body = _get(base + "/?q=" + "x" * 9000)  # past it: the worker class answers, same page
    assert status == 414 and "Adresse trop longue" in body and "web/boucle.css" in body
    assert "Request-URI Too Long" not in body and "Request Line is too large" not in body


def test_too_many_headers_get_the_platform_s_page(served):
    request = urllib.request.Request(f"http://127.0.0.1:{served['port']}/",
                                     headers={f"X-Extra-{i}": "1" for i in range(120)})
    status, _headers, body = _get(request)
    assert status == 431 and "Demande refusée" in body and "web/boucle.css" in body
