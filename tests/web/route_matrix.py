"""The persona × route checks shared by the apps that keep their own matrix (projects, sharing).

For one URL: each persona gets 200 if allowed to read, else a refusal (login redirect or the
app's anonymous statuses, 400/403/404/405 for the others); a write by a persona not allowed
changes nothing; and no response carries an identifying string of a company the persona may not
see (``revealed``: companies a persona sees on this route by design, e.g. after a booking).
"""

from django.db import transaction

from web_personas import PERSONAS, forbidden_secrets


def assert_refused(persona, response, anonymous=(302, 405)):
    if persona == "anonymous":
        assert response.status_code in anonymous and (
            response.status_code != 302 or "/connexion/" in response["Location"]), response.status_code
    else:
        assert response.status_code in (400, 403, 404, 405), (persona, response.status_code)


def assert_no_leak(world, persona, response, revealed=()):
    body = response.content.decode("utf-8", errors="replace")
    leaked = [s for s in forbidden_secrets(world, persona, revealed) if s in body]
    assert not leaked, f"{persona} received {leaked} from {response.request['PATH_INFO']}"


def check_reads(world, as_persona, url, allowed, anonymous=(302, 405), revealed=None):
    for persona in PERSONAS:
        response = as_persona(persona).get(url)
        if allowed and persona in allowed:
            assert response.status_code == 200, (persona, url, response.status_code)
        else:
            assert_refused(persona, response, anonymous)
        assert_no_leak(world, persona, response, (revealed or {}).get(persona, ()))


def check_writes(world, as_persona, url, allowed, data, snapshot, anonymous=(302, 405), revealed=None):
    """Each persona's POST runs in a transaction rolled back afterwards: all write to the same world."""
    for persona in PERSONAS:
        client = as_persona(persona)
        with transaction.atomic():
            before = snapshot()
            response = client.post(url, data())
            changed = snapshot() != before
            transaction.set_rollback(True)
        if persona in allowed:
            assert response.status_code < 400 and changed, (persona, url, response.status_code, response.content[:500])
        else:
            assert not changed, f"{persona} changed data through POST {url}"
            if response.status_code >= 300:
                assert_refused(persona, response, anonymous)
        assert_no_leak(world, persona, response, (revealed or {}).get(persona, ()))
