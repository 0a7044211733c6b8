"""Property-based API tests: schemathesis generates requests from ``/api/openapi.json``.

Every operation gets 25 generated requests (derandomized, so CI reruns the same
ones) as an anonymous visitor and as the territory's facilitator (Bearer token),
sent in-process through the WSGI handler, so they share the test's database
transaction and nothing they write outlives the test. A 5xx is a bug; a response
whose status or body the schema does not declare is a bug in the schema.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from boucle.accounts.models import ApiToken

EXAMPLES = 25
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


def _exercise(operation, headers):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("persona", ["anonymous", "facilitator_t"])
def test_api_operations_never_fail_and_match_their_schema(world, keep_connection, persona):
    headers = {}
    if persona != "anonymous":
        _, token = ApiToken.issue(world.users[persona], "schemathesis")
        headers = {"Authorization": f"Bearer {token}"}
    schema = _schema()
    operations = list(_operations(schema))
    assert len(operations) >= 10, [op.label for op in operations]
    failures = []
    for operation in operations:
        try:
            _exercise(operation, headers)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


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
