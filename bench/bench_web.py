"""Load benchmark: the map and synergy-list endpoints of a 50,000-site territory on PostgreSQL.

The server runs as in production (gunicorn with the options `boucle serve` uses: 2 workers
of 4 threads; BOUCLE_DEBUG=False); the load generator runs on the same machine: 20
concurrent clients with keep-alive and no think time. A static file served by the same server is measured in the same run as the
baseline, and the ratio is printed. Without a reachable PostgreSQL server, the keys are
written as null with the reason.

Keys: web_map_p95_ms, web_synergies_p95_ms, web_rps (all requests of the run per second).
Then the facilitator's pages one request at a time, warm and right after a committed write
(the first request after any change recomputes what the workers keep per data version):
web_{dashboard,synergy_list,map}_{warm,after_write}_p95_ms.
"""

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
PG_ADMIN_URL = os.environ.get("BOUCLE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BOUCLE_BENCH_WEB_DB", "boucle_bench_web")  # own name when several benches share a server
N_SITES, FLOWS_PER_SITE, N_SYNERGIES = 50_000, 3, 60_000
CLIENTS, SECONDS = 20, 20
# The server runs as in production; sessions made here must be signed with the server's key.
SERVER_ENV = {"BOUCLE_DEBUG": "False", "BOUCLE_SECRET_KEY": "bench-" + "x" * 50, "BOUCLE_ALLOWED_HOSTS": "127.0.0.1",
              "BOUCLE_DB_CONN_MAX_AGE": "600", "DJANGO_SETTINGS_MODULE": "boucle.settings"}
PAGES = {"dashboard": "/animation/", "synergy_list": "/animation/synergies/?tri=co2e&page={page}",
         "map": "/carte/sites.json?zoom=8"}
ROUNDS = 12
KEYS = ["web_map_p95_ms", "web_synergies_p95_ms", "web_rps"] + [
    f"web_{name}_{when}_p95_ms" for name in PAGES for when in ("warm", "after_write")]


def merge(values: dict):
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def give_up(reason: str) -> int:
    print(f"bench_web: {reason}; writing null", file=sys.stderr)
    merge({key: None for key in KEYS} | {"web_null_reason": reason})
    return 0


def prepare_database(db_url: str):
    import psycopg

    admin = PG_ADMIN_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = dict(os.environ, DATABASE_URL=db_url)
    subprocess.run([sys.executable, "-m", "boucle", "manage", "migrate", "-v0"], env=env, check=True)
    os.environ.update(SERVER_ENV, DATABASE_URL=db_url)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from boucle.accounts.models import ApiToken, Facilitator
    from boucle.dbutils import insert_rows
    from boucle.flows.models import Company, Flow, Site
    from boucle.matching.models import Synergy
    from boucle.reference.loader import load_reference
    from boucle.territories.models import Commune

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # as `boucle serve` does; else WhiteNoise warns
    # One transaction, as an import would: the data-version triggers then do their work once.
    with transaction.atomic():
        load_reference()
        rng = random.Random(42)
        communes = list(Commune.objects.values_list("insee", "lat", "lon"))
        print(f"bench_web: inserting {N_SITES} sites, {N_SITES * FLOWS_PER_SITE} flows, {N_SYNERGIES} synergies",
              file=sys.stderr)
        companies = [Company(external_key=f"bench:{i}", name=f"Entreprise {i}") for i in range(N_SITES)]
        insert_rows(Company, companies, ["external_key", "name", "published"])
        company_ids = list(Company.objects.order_by("id").values_list("id", flat=True))
        sites = []
        for i, cid in enumerate(company_ids):
            insee, lat, lon = communes[rng.randrange(len(communes))]
            sites.append(Site(company_id=cid, site_id=f"B{i}", id_kind="external", name=f"Site {i}", commune_id=insee,
                              lat=lat + rng.uniform(-0.02, 0.02), lon=lon + rng.uniform(-0.02, 0.02), country="FR",
                              imported_values={}))
        insert_rows(Site, sites, ["company", "site_id", "id_kind", "name", "commune", "lat", "lon", "country", "closed",
                                  "activity", "source", "imported_values"])
        site_ids = list(Site.objects.order_by("id").values_list("id", flat=True))
        flows = []
        for sid in site_ids:
            for j in range(FLOWS_PER_SITE):
                direction = "offer" if j < 2 else "need"
                material = rng.choice(["fly_ash", "steel_scrap", "cardboard"])
                flows.append(Flow(site_id=sid, identity=f"f{j}", direction=direction, kind="material",
                                  label=f"flux {j}", material_class=material,
                                  quantity=rng.uniform(1, 1000), unit="t", period="year", imported_values={}))
        insert_rows(Flow, flows, ["site", "identity", "direction", "kind", "label", "material_class", "quantity",
                                  "unit", "period", "confidential", "illustrative", "grade", "physical_state",
                                  "source", "external_id", "base_unit", "current_route", "imported_values"])
        offers = list(Flow.objects.filter(direction="offer").values_list("id", "site_id"))
        synergies = []
        for k in range(N_SYNERGIES):
            oid, osite = offers[rng.randrange(len(offers))]
            synergies.append(Synergy(offer_id=oid, need_site_id=site_ids[rng.randrange(len(site_ids))], inferred=True,
                                     material_class="fly_ash", distance_km=rng.uniform(0, 200), score=rng.random(),
                                     co2e_avoided_t=rng.uniform(0, 500), explanation={}, status="suggested"))
        # One inferred synergy per (offer, site, class): drop the rare random duplicates.
        unique = {(s.offer_id, s.need_site_id): s for s in synergies}
        insert_rows(Synergy, list(unique.values()), ["offer", "need_site", "inferred", "material_class", "distance_km",
                                                     "score", "co2e_avoided_t", "explanation", "status", "stale",
                                                     "created_at", "updated_at"])
    user = get_user_model().objects.create_user("bench@boucle", password="bench-password-123")
    Facilitator.objects.create(user=user, level="region", code="32")
    _token, clear = ApiToken.issue(user, "bench")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    connection.close()
    return session.session_key, clear


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def load(port, requests_for, seconds):
    """Each client loops over its own keep-alive connection; returns {name: [latency_ms, ...]}, errors."""
    latencies, errors, lock = {}, [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            name, path, headers = requests_for(rng)
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                response = exc
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    latencies.setdefault(name, []).append(elapsed)
                else:
                    errors.append(f"{name}: {getattr(response, 'status', response)}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def after_write(port, cookie, db_url) -> dict:
    """Dashboard, synergy list and map data, warm and as the first request after a committed write."""
    import psycopg

    def timed(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.perf_counter()
        conn.request("GET", path, headers=cookie)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - start) * 1000

    rng = random.Random(7)
    times = {f"{name}_{when}": [] for name in PAGES for when in ("warm", "after_write")}
    with psycopg.connect(db_url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        for _round in range(ROUNDS):
            # A facilitator's status change, committed: every worker's kept results are now stale.
            db.execute("UPDATE matching_synergy SET updated_at = now() WHERE id = "
                       "(SELECT id FROM matching_synergy ORDER BY random() LIMIT 1)")
            page = rng.randrange(1, 40)
            for name, path in PAGES.items():
                times[f"{name}_after_write"].append(timed(path.format(page=page)))
            for name, path in PAGES.items():
                times[f"{name}_warm"].append(timed(path.format(page=page)))
    for key, values in times.items():
        print(f"  {key}: p95 {p95(values):.0f} ms over {len(values)} requests (median {sorted(values)[len(values) // 2]:.0f} ms)")
    return {f"web_{key}_p95_ms": round(p95(values), 1) for key, values in times.items()}


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))] if values else None


def main() -> int:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except Exception as exc:
        return give_up(f"no PostgreSQL server at {PG_ADMIN_URL} ({type(exc).__name__})")
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    started = time.monotonic()
    session_key, token = prepare_database(db_url)
    print(f"bench_web: database ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, **SERVER_ENV)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    from boucle.web.commands import gunicorn_options  # the options `boucle serve` uses in production

    server = subprocess.Popen([str(gunicorn), "boucle.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               *gunicorn_options(workers=2), "--log-level", "warning"], env=env, start_new_session=True)
    try:
        if not wait_for(port):
            return give_up("gunicorn did not start")
        cookie = {"Cookie": f"sessionid={session_key}"}
        bearer = {"Authorization": f"Bearer {token}"}

        def baseline(rng):
            return "static", "/static/web/boucle.css", {}

        def mixed(rng):
            if rng.random() < 0.5:
                # A facilitator pans and zooms across the region: zoomed out (EPCI aggregates) or in (sites in the box).
                zoom = rng.choice([7, 8, 9, 11, 12, 13])
                lat, lon = rng.uniform(49.0, 51.0), rng.uniform(1.6, 4.2)
                half = 2.0 / (2 ** (zoom - 7))
                bbox = f"{lon - half:.4f},{lat - half / 2:.4f},{lon + half:.4f},{lat + half / 2:.4f}"
                return "map", f"/carte/sites.json?bbox={bbox}&zoom={zoom}", cookie
            offset = rng.randrange(0, 2000)
            return "synergies", f"/api/synergies?limit=50&offset={offset}", bearer

        # Warm up every worker once.
        load(port, mixed, 2)
        base, base_errors = load(port, baseline, 5)
        cpu = time.process_time()
        lat, errors = load(port, mixed, SECONDS)
        cpu = time.process_time() - cpu
        total = sum(len(v) for v in lat.values())
        results = {
            "web_map_p95_ms": round(p95(lat.get("map", [])), 1) if lat.get("map") else None,
            "web_synergies_p95_ms": round(p95(lat.get("synergies", [])), 1) if lat.get("synergies") else None,
            "web_rps": round(total / SECONDS, 1),
        }
        base_p95 = p95(base.get("static", []))
        print(f"bench_web: {total} requests in {SECONDS} s with {CLIENTS} clients, {len(errors)} errors"
              + (f" (first: {errors[0]})" if errors else ""))
        for name in ("map", "synergies"):
            if lat.get(name) and base_p95:
                print(f"  {name}: p95 {p95(lat[name]):.1f} ms = {p95(lat[name]) / base_p95:.1f}× the static-file "
                      f"baseline ({base_p95:.1f} ms), target p95 ≤ 150 ms")
        print(f"  throughput: {results['web_rps']} requests/s; the load generator itself used {cpu:.1f} s of CPU")
        merge(results | {"web_null_reason": None, "web_errors": len(errors)})
        merge(after_write(port, cookie, db_url))
        return 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
