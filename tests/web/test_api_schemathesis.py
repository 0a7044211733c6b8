"""Property-based API tests: schemathesis generates requests from ``/api/openapi.json``.

Every operation gets 25 generated requests (derandomized, so CI reruns the same
ones) as the territory's facilitator (Bearer token), and so does every public one as
an anonymous visitor; an operation that needs a token refuses an anonymous request
before reading any of its input, so 3 of them show it, each refused. They are
sent in-process through the WSGI handler, so they share the test's database
transaction and nothing they write outlives the test. A 5xx is a bug; a response
whose status or body the schema does not declare is a bug in the schema.
"""

import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from boucle.accounts.models import ApiToken
from boucle.passports.services import issue_passport
from test_access_projects import ami  # noqa: F401 - fixture: a published call with an answer, a draft call
from test_access_sharing import shared  # noqa: F401 - fixture: a press, an oven, a booking
from web_personas import EPCI_OTHER, EPCI_T

EXAMPLES = 25
REFUSED_EXAMPLES = 3  # anonymous requests to an operation that needs a token: refused before its input is read
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SKIPPED = {"/api/docs"}


@pytest.fixture
def keep_connection():
    """Django closes the connection after each request, which would end the test's transaction; its test client
    disconnects the same handlers, and so do we for the raw WSGI handler schemathesis calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path not in SKIPPED:
            yield operation


def _known_values(world, ami, shared, passport):
    """Ids and references that exist, so that half the requests reach real objects rather than a 404."""
    territories = [f"epci:{EPCI_T}", f"epci:{EPCI_OTHER}", "commune:59350", "departement:59"]
    return {"site_id": [s.pk for s in world.sites.values()], "flow_id": [f.pk for f in world.flows.values()],
            "synergy_id": [s.pk for s in world.synergies.values()], "ref": territories,
            "site": [s.pk for s in world.sites.values()], "territory": territories,
            "call_id": [ami["call"].pk, ami["draft"].pk], "answer_id": [ami["answer"].pk],
            "equipment_id": [shared["press"].pk, shared["oven"].pk], "booking_id": [shared["booking"].pk],
            "handle": [passport.handle], "material": ["fly_ash", "wood_untreated", "steel_scrap"],
            "near": ["commune:59350", "50.63,3.06", f"site:{world.sites['A'].site_id}"], "aid_id": [_aid().pk],
            "identifier": [_land_entry().identifier], "job_id": [_job_of_t().pk]}


def _job_of_t():
    from boucle.jobs.models import Job

    return Job.objects.create(kind="match", territory=f"epci:{EPCI_T}", parameters={"radius_km": 30, "inferred": True})


def _aid():
    from boucle.aids.models import Aid

    return Aid.objects.create(identifier="schemathesis", name="Fonds test", url="https://example.org/fonds",
                              financers=["ADEME"], perimeter=["FR"], beneficiaries=["company"],
                              themes=["circular_economy"], origin="test")


def _land_entry():
    from boucle.land.models import LandSite

    return LandSite.objects.get_or_create(identifier="friche-test", defaults={
        "name": "Friche (test)", "kind": "brownfield", "area_m2": 10_000, "commune_id": "59350", "lat": 50.62,
        "lon": 3.04, "source": "test"})[0]


def _aim(case, known, pick):
    """Replace generated ids and references by existing ones, the ``pick``-th of each (None: keep them all)."""
    if pick is None:
        return case
    if case.operation.path == "/api/aids/match":  # aids for a known synergy or flow (a site goes there by its site_id)
        case.query = ({"synergy": known["synergy_id"][pick % len(known["synergy_id"])]} if pick % 2 == 0
                      else {"flow": known["flow_id"][pick % len(known["flow_id"])]})
        return case
    for name in list(case.path_parameters or {}):
        if name in known:
            case.path_parameters[name] = known[name][pick % len(known[name])]
    if case.query and "site" in case.query:
        case.query["site"] = known["site"][pick % len(known["site"])]
    if case.query and "territory" in case.query:  # land and skills: a territory that exists
        case.query["territory"] = known["territory"][pick % len(known["territory"])]
    if case.query and "material" in case.query:  # the impact of one exchange: a class the engine knows
        case.query["material"] = known["material"][pick % len(known["material"])]
        case.query.pop("ewc", None)
    if case.query and "near" in case.query:  # a sourcing search: one known criterion around a known place
        case.query.update(near=known["near"][pick % len(known["near"])], naf="23", radius_km=50)
        for name in ("material", "text"):
            case.query.pop(name, None)
    if isinstance(case.body, dict):
        for name in ("site", "territory"):
            if name in case.body:
                case.body[name] = known[name][pick % len(known[name])]
    return case


def _needs_a_token(operation) -> bool:
    return bool(operation.definition.raw.get("security"))


def _exercise(operation, headers, known, statuses, examples=EXAMPLES):
    # Derandomized, hypothesis seeds the examples with the source of ``run``, decorator included: its text
    # stays what it was, so the facilitator's requests are the ones the suite has always sent.
    EXAMPLES = examples  # noqa: N806

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), pick=st.none() | st.integers(0, 11))
    def run(case, pick):
        response = _aim(case, known, pick).call_and_validate(headers=headers, checks=CHECKS)
        statuses.add(response.status_code)

    run()
    # The generated draws change whenever the schema does; a read is also made once on the first known objects,
    # so that "every read reaches a real object" does not depend on which ids the draws happened to pick.
    names = re.findall(r"{(\w+)}", operation.path)
    required_query = [p for p in operation.iter_parameters() if p.location == "query" and p.is_required]
    if (examples == EXAMPLES and operation.method.upper() == "GET" and not required_query
            and all(name in known for name in names)):
        case = operation.Case(path_parameters={name: known[name][0] for name in names} or None)
        statuses.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)


@pytest.mark.parametrize("persona", ["anonymous", "facilitator_t"])
def test_api_operations_never_fail_and_match_their_schema(world, ami, shared, keep_connection, persona):  # noqa: F811
    headers = {}
    if persona != "anonymous":
        _, token = ApiToken.issue(world.users[persona], "schemathesis", scope="write")
        headers = {"Authorization": f"Bearer {token}"}
    known = _known_values(world, ami, shared, issue_passport(world.sites["A"], {"name": "Bloc béton"}))
    schema = _schema()
    # Deletions last: a deleted flow takes its synergies with it, and later operations would only meet 404s.
    operations = sorted(_operations(schema), key=lambda op: op.method.upper() == "DELETE")
    assert len(operations) >= 40, [op.label for op in operations]
    failures, answered = [], {}
    for operation in operations:
        answered[operation.label] = statuses = set()
        try:
            refused = persona == "anonymous" and _needs_a_token(operation)
            _exercise(operation, headers, known, statuses, REFUSED_EXAMPLES if refused else EXAMPLES)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
    # The generated requests reached real objects, not only refusals.
    reading = {label: codes for label, codes in answered.items() if label.startswith("GET")}
    if persona == "anonymous":
        public = [label for label in reading if label.endswith("/indicators") or "/passports/" in label]
        assert len(public) >= 3 and all(200 in reading[label] for label in public), reading
        refused = {op.label: answered[op.label] for op in operations if _needs_a_token(op)}
        # refused, every time: 401 for a read, 403 for a write (no session, so no CSRF token either)
        assert len(refused) >= 40 and all(codes and codes <= {401, 403} for codes in refused.values()), refused
    else:
        assert all(200 in codes for codes in reading.values()), {k: v for k, v in reading.items() if 200 not in v}


# Regressions for the server errors schemathesis found (each answered 500 before the fix).

@pytest.mark.parametrize("query", ["offset=1360282998404835704832&limit=3600", "limit=99999999999999999999999",
                                   "site=-50645632425205235712"])
@pytest.mark.parametrize("path", ["/api/sites", "/api/flows", "/api/synergies"])
def test_api_lists_answer_an_empty_page_to_absurd_integers(world, client, path, query):
    client.force_login(world.users["facilitator_t"])
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    if "offset" in query or ("site" in query and path == "/api/flows"):
        assert response.json() == []
    else:
        assert response.json(), "a huge limit is capped, not refused"


@pytest.mark.parametrize("period", [0, -72057594037927937, 10000])
def test_api_observatory_refuses_a_year_no_calendar_has(world, client, period):
    response = client.get(f"/api/observatory/epci:{EPCI_T}/indicators?period={period}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "period"


@pytest.mark.parametrize("radius_km", [1.7580144816133066e-119, 0.5])
def test_api_matching_run_refuses_a_radius_under_one_kilometre(world, client, radius_km):
    client.force_login(world.users["facilitator_t"])
    response = client.post("/api/matching-runs", {"territory": f"epci:{EPCI_T}", "radius_km": radius_km},
                           content_type="application/json")
    assert response.status_code == 422  # the job accepts 1 to 500 km; this answered 500
    assert response.json()["detail"][0]["loc"][-1] == "radius_km"
