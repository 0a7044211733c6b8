"""Persona × endpoint matrix: who may read and write what, and that nothing identifying leaks.

The routes are enumerated from Django's URL resolver and from the API's OpenAPI
document, and the test fails on any route missing from the tables below: a new
page or endpoint cannot be added without saying who may use it.

For every route and persona it checks the status (allowed, or refused with a
login redirect / 401 / 403 / 404 / 405), that a refused write changes nothing in
the database, and that the response never contains a string identifying a
company the persona may not see (names, SIRET, SIREN, exact latitude, flow labels).
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from boucle.accounts.models import ApiToken, Invitation, Membership
from boucle.flows.models import Flow
from boucle.matching.models import MatchingRun, StatusChange, Synergy, VerifiedOutcome
from boucle.web.facilitator_views import run_matching_function

from web_personas import EPCI_T, PERSONAS, forbidden_secrets

EVERYONE = set(PERSONAS)
LOGGED = EVERYONE - {"anonymous"}
FACILITATORS = {"facilitator_t", "facilitator_other", "superuser"}
SEE_A = {"member_a", "admin_a", "facilitator_t", "superuser"}  # can_see_site(A): members, T's facilitator, root
PARTIES_AB = {"member_a", "admin_a", "member_b", "facilitator_t", "superuser"}
STEER_AB = {"facilitator_t", "superuser"}
ANSWER_AB = {"member_a", "admin_a", "member_b"}

# Routes left out on purpose, each with its reason.
EXCLUDED_PREFIXES = {
    "admin/": "Django admin: superuser only, guarded by Django itself",
    "i18n/": "language switch: stores a preference in the session, touches no data",
    "static/": "static files",
}
EXCLUDED_NAMESPACES = {
    "passports": "product passports are published on purpose and tested by the passports package",
    "projects": "tested by tests/web/test_access_projects.py",
    "sharing": "tested by tests/web/test_access_sharing.py",
}
# The passports, projects and sharing tables each fail on a route of their namespace they lack;
# the other namespaces (aids, land, skills, jobs, places, observatory) are in ``PAGES`` below.


@dataclass
class Route:
    args: object = None  # world → list of URL arguments
    get: set | None = None  # personas allowed to read; None: the route takes no GET
    post: set | None = None  # personas allowed to write; None: no write tested
    data: object = None  # world → POST data (pages) or JSON body (API)
    changes: bool = True  # an allowed write changes the database
    exempt: set = field(default_factory=set)  # companies a reader may see by design on this route
    refused: tuple | None = None  # statuses for refused personas, when not the usual ones
    write_refused: tuple | None = None  # statuses of a refused write by a signed-in persona, when not the usual ones
    outlines: bool = False  # serves reference boundaries: coordinates not checked (vertices match by chance)
    query: str = ""  # a query string the route needs (API searches, page reads)
    multipart: bool = False  # the API route takes a form with a file, not JSON


def _job_t(w):
    from boucle.jobs.models import Job

    return [Job.objects.create(kind="match", territory=f"epci:{EPCI_T}", parameters={"radius_km": 30}).pk]


def _job_done(w):
    """A finished export of T: its page, progress and file exist (``jobs:file`` 404s before)."""
    from boucle.jobs import services

    return [services.submit("export", f"epci:{EPCI_T}", {"what": "synergies"}, w.users["facilitator_t"]).pk]


def _aid(w):
    import datetime as dt

    from boucle.aids.models import Aid

    return [Aid.objects.get_or_create(identifier="matrix", defaults=dict(
        name="Fonds réemploi (test)", url="https://example.org/fonds", financers=["ADEME"], perimeter=["region:32"],
        beneficiaries=["company"], themes=["circular_economy"], aid_types=["grant"], origin="test",
        written_on=dt.date(2026, 12, 6)))[0].pk]


def _aid_post(w):
    return {"name": "Aide au réemploi (test)", "url": "https://example.org/reemploi", "financers": "ADEME",
            "perimeter": "region:32", "beneficiaries": ["company"], "themes": ["circular_economy"],
            "aid_types": ["grant"], "recurrence": "permanent", "origin": "saisie de test", "to_verify": "on"}


def _a(w):
    return [w.sites["A"].pk]


def _land_entry():
    from boucle.land.models import LandSite

    return LandSite.objects.get_or_create(identifier="friche-test", defaults={
        "name": "Friche (test)", "kind": "brownfield", "area_m2": 10_000, "commune_id": "59350", "lat": 50.62,
        "lon": 3.04, "source": "test"})[0].identifier


def _ab(w):
    return [w.synergies["ab"].pk]


def _ab_on_trial(w):
    """Synergy ab on trial: a measured result is recorded once something was exchanged."""
    Synergy.objects.filter(pk=w.synergies["ab"].pk).update(status="trial")
    return _ab(w)


def _flow_a(w):
    return [w.flows["a_need_ash"].pk]


def _token_of_member_a(w):
    token, _clear = ApiToken.issue(w.users["member_a"], "script")
    return [token.pk]


def _invitation(w):
    _invitation, clear = Invitation.issue(w.sites["A"].company, "member_b@example.org", "member", w.users["admin_a"])
    return [clear]


def _pending_invitation(w):
    invitation, _clear = Invitation.issue(w.sites["A"].company, "new@example.org", "admin", w.users["admin_a"])
    return [w.sites["A"].company_id, invitation.pk]


def _flow_post(w):
    return {"site": w.sites["A"].pk, "direction": "offer", "kind": "material", "label": "Calcin de verre",
            "ewc": "10 11 12", "material_class": "", "quantity": "12", "unit": "t", "period": "year",
            "confidential": "on"}


def _upload(w):
    text = f"site_id,direction,label,quantity,unit\n{w.sites['A'].site_id},offer,Palettes bois,30,t\n"
    return {"file": SimpleUploadedFile("flows.csv", text.encode(), content_type="text/csv")}


def _import_job_upload(w):
    """A flows file for site A (territory T), as the facilitators' import page and API take it."""
    text = f"site_id,direction,label,quantity,unit\n{w.sites['A'].site_id},offer,Chutes de bois importées,30,t\n"
    return {"territory": f"epci:{EPCI_T}", "what": "flows",
            "file": SimpleUploadedFile("flux.csv", text.encode(), content_type="text/csv")}


def _workshop_post(w):
    return {"row-0-site": w.sites["A"].pk, "row-0-direction": "offer", "row-0-kind": "material",
            "row-0-label": "Chutes de plâtre", "row-0-ewc": "", "row-0-material_class": "",
            "row-0-quantity": "5", "row-0-unit": "t", "row-0-period": "year"}


PAGES = {
    "home": Route(get=EVERYONE),
    "healthz": Route(get=EVERYONE),  # probes: no data, no login (boucle.ops)
    "readyz": Route(get=EVERYONE),
    "theme-css": Route(get=EVERYONE),  # the deployer's colours for the error pages: no data
    # With results: A's cement plant is in them, anonymised for whoever may not see it.
    "sourcing-search": Route(get=LOGGED, query="?mode=naf&q=23.51&near=50.63,3.06&radius_km=50"),
    "sourcing-substitutes": Route(get=LOGGED),
    "login": Route(get=EVERYONE),
    "logout": Route(post=EVERYONE, changes=False),
    "password_reset": Route(get=EVERYONE, post=EVERYONE, data=lambda w: {"email": "member_a@example.org"},
                            changes=False),
    "password_reset_done": Route(get=EVERYONE),
    "password_reset_confirm": Route(args=lambda w: ["MQ", "bad-token"], get=EVERYONE),
    "password_reset_complete": Route(get=EVERYONE),
    "api-tokens": Route(get=LOGGED, post=LOGGED, data=lambda w: {"name": "ci", "scope": "read", "days": "90"}),
    "api-token-revoke": Route(args=_token_of_member_a, post={"member_a"}),
    # its administrators; the facilitator of its territory only while nobody of the company has an account
    # (test_reader7_walk.py), and company A has some
    "company-members": Route(args=lambda w: [w.sites["A"].company_id], get={"admin_a", "superuser"},
                             post={"admin_a", "superuser"},
                             data=lambda w: {"email": "x@example.org", "role": "member"}),
    "company-invitation-revoke": Route(args=_pending_invitation, post={"admin_a", "superuser"}),
    # Whoever holds a valid invitation learns which company sent it; only the invited address may accept.
    "accept-invitation": Route(args=_invitation, get={"member_b"}, post={"member_b"}, exempt={"A"}),
    "map": Route(get=LOGGED),  # company members: their own sites exact, others coarse (test_map_company.py)
    "map-sites": Route(get=LOGGED),
    "map-epci": Route(get=LOGGED, outlines=True),
    "map-lines": Route(get=LOGGED),
    "site-detail": Route(args=_a, get=SEE_A),
    "company-home": Route(get=LOGGED),
    "site-flows": Route(args=_a, get=SEE_A),
    "flow-create": Route(get=LOGGED, post=SEE_A, data=_flow_post),
    "flow-edit": Route(args=_flow_a, get=SEE_A, post=SEE_A,
                       data=lambda w: {**_flow_post(w), "direction": "need", "label": "Cendres (modifié)"}),
    "flow-delete": Route(args=_flow_a, get=SEE_A, post=SEE_A),  # GET: the confirmation, what would be lost
    # Another company's member: an import job that refuses the row naming A (its page says which), nothing written.
    "flow-import": Route(get=LOGGED, post=SEE_A, data=_upload, write_refused=(302, 403)),
    "flow-import-template": Route(args=lambda w: ["csv"], get=LOGGED),  # each persona's own sites only
    "company-synergies": Route(get=LOGGED),
    "company-impact": Route(get=LOGGED),
    "synergy-detail": Route(args=_ab, get=PARTIES_AB),
    "synergy-interest": Route(args=_ab, post=ANSWER_AB, data=lambda w: {"answer": "yes"}),
    "picker-ewc": Route(get=LOGGED),
    "picker-materials": Route(get=LOGGED),
    "facilitator-home": Route(get=FACILITATORS),
    "facilitator-synergies": Route(get=FACILITATORS),
    "facilitator-figures": Route(get=FACILITATORS),
    # Sends everyone on: anonymous to the login page, each role to its own dashboard.
    "dashboard": Route(get=set(), refused=(302,)),
    "notifications": Route(get=LOGGED),
    "synergy-transition": Route(args=_ab, post=STEER_AB, data=lambda w: {"target": "contacted", "reason": "appel"}),
    "synergy-outcome": Route(args=_ab_on_trial, post=STEER_AB, data=lambda w: {"tonnes_per_year": "100"}),
    "matching-runs": Route(get=FACILITATORS, post={"facilitator_t", "superuser"},
                           data=lambda w: {"territory": f"epci:{EPCI_T}", "radius_km": "30"},
                           changes=run_matching_function() is not None),
    "rereading": Route(get=FACILITATORS),
    "workshop": Route(get=FACILITATORS, post=STEER_AB, data=_workshop_post),
    "facilitator-import": Route(get=FACILITATORS, post=STEER_AB, data=_import_job_upload),
    "workshop-row": Route(get=FACILITATORS),
    "observatory:public": Route(get=EVERYONE),
    "observatory:public-epci": Route(get=EVERYONE),
    "observatory:public-export": Route(args=lambda w: ["csv"], get=EVERYONE),
    "observatory:territory": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-sankey": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-list": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-map": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-lines": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-report": Route(args=lambda w: ["epci", EPCI_T], get=STEER_AB),
    "observatory:territory-export": Route(args=lambda w: ["epci", EPCI_T, "flows", "csv"], get=STEER_AB),
    "aids:catalogue": Route(get=EVERYONE),
    "aids:detail": Route(args=_aid, get=EVERYONE),
    # A regional aid is written by the platform administrator; facilitators write their own territory's
    # aids and curate any aid for their territory (tests/web/test_access_aids.py tells the whole rule).
    "aids:create": Route(get=FACILITATORS, post=STEER_AB, data=lambda w: _aid_post(w) | {"perimeter": f"epci:{EPCI_T}"}),
    "aids:edit": Route(args=_aid, get={"superuser"}, post={"superuser"}, data=_aid_post),
    "aids:archive": Route(args=_aid, post={"superuser"}, data=lambda w: {"archive": "1"}),
    "aids:curate": Route(args=_aid, post=STEER_AB, data=lambda w: {"territory": f"epci:{EPCI_T}", "display": "pinned"}),
    "land:search": Route(get=LOGGED),
    "land:detail": Route(args=lambda w: [_land_entry()], get=LOGGED),
    "land:update": Route(args=lambda w: [_land_entry()], post=STEER_AB, data=lambda w: {"status": "under_study"}),
    "skills:home": Route(get=LOGGED),
    "skills:trainings": Route(get=LOGGED),
    # GET sends a signed-in user back to the skills page; only A's members declare for A's site.
    "skills:declare": Route(get=set(), refused=(302,), post={"member_a", "admin_a"}, data=lambda w: {
        "site_id": w.sites["A"].site_id, "direction": "need", "label": "Cariste", "headcount": "1"}),
    "jobs:list": Route(get=LOGGED),  # each persona's own territories' jobs (test_access_jobs.py)
    "jobs:detail": Route(args=_job_done, get=STEER_AB),
    "jobs:progress": Route(args=_job_done, get=STEER_AB),
    "jobs:file": Route(args=_job_done, get=STEER_AB),
    "places:map": Route(get=EVERYONE),  # public records of their own, never a company site
    "api-1:openapi-json": Route(get=EVERYONE),
    "api-1:openapi-view": Route(get=EVERYONE),
    "api-1:api-root": Route(get=set(), refused=(404,)),  # django-ninja's root answers 404 to everyone
}

API = {
    ("get", "/api/sites"): Route(get=LOGGED),
    ("get", "/api/sites/{site_id}"): Route(args=_a, get=SEE_A),
    ("get", "/api/flows"): Route(get=LOGGED),
    ("post", "/api/flows"): Route(post=SEE_A, data=lambda w: {
        "site": w.sites["A"].pk, "direction": "offer", "label": "Calcin", "ewc_code": "101112", "quantity": 3,
        "unit": "t"}),
    ("get", "/api/flows/{flow_id}"): Route(args=_flow_a, get=SEE_A),
    ("get", "/api/synergies"): Route(get=LOGGED),
    ("get", "/api/synergies/{synergy_id}"): Route(args=_ab, get=PARTIES_AB),
    ("post", "/api/synergies/{synergy_id}/transition"): Route(args=_ab, post=STEER_AB,
                                                              data=lambda w: {"target": "contacted"}),
    ("post", "/api/synergies/{synergy_id}/interest"): Route(args=_ab, post=ANSWER_AB,
                                                            data=lambda w: {"interested": True}),
    ("get", "/api/matching-runs"): Route(get=FACILITATORS),
    ("get", "/api/sourcing/search"): Route(get=LOGGED, query="?naf=23.51&near=50.63,3.06&radius_km=50"),
    ("get", "/api/sourcing/substitutes"): Route(get=LOGGED, query="?material=primary_steel&near=50.63,3.06&radius_km=50"),
    ("post", "/api/matching-runs"): Route(post={"facilitator_t", "superuser"},
                                          data=lambda w: {"territory": f"epci:{EPCI_T}", "radius_km": 30},
                                          changes=run_matching_function() is not None),
    ("post", "/api/jobs"): Route(post=STEER_AB, data=lambda w: {"kind": "match", "territory": f"epci:{EPCI_T}"}),
    ("post", "/api/jobs/import"): Route(post=STEER_AB, data=_import_job_upload, multipart=True),
    ("get", "/api/jobs/{job_id}"): Route(args=_job_t, get=STEER_AB, refused=(401, 404)),
    ("get", "/api/territories/{ref}/indicators"): Route(args=lambda w: [f"epci:{EPCI_T}"], get=EVERYONE),
    ("get", "/api/observatory/{ref}/indicators"): Route(args=lambda w: [f"epci:{EPCI_T}"], get=EVERYONE),
    # Public endpoint that hides the toile from non-facilitators behind a 404, anonymous included.
    ("get", "/api/places"): Route(get=EVERYONE),
    ("get", "/api/land"): Route(get=LOGGED, query="?territory=epci:200093201"),
    ("get", "/api/land/{identifier}"): Route(args=lambda w: [_land_entry()], get=LOGGED),
    ("get", "/api/skills/match"): Route(get={"facilitator_t", "superuser"}, query=f"?territory=epci:{EPCI_T}"),
    ("get", "/api/skills/declarations"): Route(get=LOGGED),
    ("get", "/api/skills/trainings"): Route(get=LOGGED),
    ("post", "/api/skills/declarations"): Route(post={"member_a", "admin_a"}, data=lambda w: {
        "site_id": w.sites["A"].site_id, "label": "Cariste", "headcount": 2}),
    ("get", "/api/observatory/{ref}/toile"): Route(args=lambda w: [f"epci:{EPCI_T}"], get=STEER_AB, refused=(404,)),
}


def url_patterns():
    """(route text, qualified name) of every URL pattern, walking included resolvers."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else None
                found.append((prefix + str(p.pattern), name, namespace))

    walk(get_resolver().url_patterns, "", "")
    return found


def _excluded(route, namespace):
    return any(route.startswith(p) for p in EXCLUDED_PREFIXES) or namespace.split(":")[0] in EXCLUDED_NAMESPACES


def test_every_page_route_is_in_the_matrix():
    missing = [(route, name) for route, name, ns in url_patterns()
               if not _excluded(route, ns) and not route.startswith("api/") and name not in PAGES]
    assert not missing, f"routes without an access rule in the matrix: {missing}"


def test_every_api_route_is_in_the_openapi_matrix(client):
    schema = client.get("/api/openapi.json").json()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    from test_access_aids import OPERATIONS as AIDS  # the aid catalogue's own persona tests
    from test_api_domains import OPERATIONS  # the operations needing calls, equipment and passports

    OPERATIONS = OPERATIONS | AIDS

    assert not set(API) & OPERATIONS
    assert operations == set(API) | OPERATIONS, f"OpenAPI operations vs matrix: {operations ^ (set(API) | OPERATIONS)}"
    # And no URL under api/ escapes the OpenAPI document (an operation hidden from the schema).
    documented = {path for _m, path in operations}
    for route, name, _ns in url_patterns():
        if route.startswith("api/") and name not in PAGES:
            path = "/" + route.replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{").replace("{str:", "{")
            assert path in documented, f"{route} ({name}) is served but not in OpenAPI"


def snapshot():
    return (
        sorted(Flow.objects.values_list("id", "label", "direction")),
        sorted(Synergy.objects.values_list("id", "status", "offer_interest", "need_interest", "revealed_at")),
        Membership.objects.count(), ApiToken.objects.count(), VerifiedOutcome.objects.count(),
        sorted(Invitation.objects.values_list("id", "accepted_at", "revoked_at")),
        StatusChange.objects.count(), MatchingRun.objects.count(), _skill_lines(), _aids_and_land(),
    )


def _aids_and_land():
    from boucle.aids.models import Aid
    from boucle.land.models import LandSite

    from boucle.aids.models import AidCuration

    return (sorted(Aid.objects.values_list("id", "name", "archived")),
            sorted(AidCuration.objects.values_list("aid_id", "territory_code", "hidden", "pinned", "note")),
            sorted(LandSite.objects.values_list("identifier", "status", "synergy_id")))


def _skill_lines():
    from boucle.skills.models import SkillDeclaration

    return SkillDeclaration.objects.count()


def _assert_no_leak(world, persona, response, exempt=(), outlines=False):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", errors="replace")
    leaked = [s for s in forbidden_secrets(world, persona, revealed=exempt, coordinates=not outlines) if s in body]
    assert not leaked, f"{persona} received {leaked} from {response.request['PATH_INFO']}"


def _assert_refused(persona, response, api: bool):
    if persona == "anonymous":
        if api:
            assert response.status_code == 401, response.content[:300]
        else:
            assert response.status_code in (302, 405), response.content[:300]
            if response.status_code == 302:
                assert "/connexion/" in response["Location"]
    else:
        assert response.status_code in (403, 404, 405), (response.status_code, response.content[:300])


def _url(name, args):
    from django.urls import reverse

    return reverse(name, args=args)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_reads(name, world, as_persona):
    rule = PAGES[name]
    url = _url(name, rule.args(world) if rule.args else []) + rule.query
    for persona in PERSONAS:
        response = as_persona(persona).get(url)
        if rule.get is not None and persona in rule.get:
            assert response.status_code == 200, (persona, url, response.status_code)
        elif rule.get is None:  # a write-only route: refused like any other, or 405 to those who may write
            _assert_refused(persona, response, api=False)
        elif rule.refused:
            assert response.status_code in rule.refused
        else:
            _assert_refused(persona, response, api=False)
        _assert_no_leak(world, persona, response, rule.exempt, rule.outlines)


def _attempt(world, send):
    """Run one request inside a transaction rolled back afterwards: every persona writes to the same world."""
    with transaction.atomic():
        before = snapshot()
        response = send()
        after = snapshot()
        transaction.set_rollback(True)
    return response, after != before


@pytest.mark.parametrize("name", sorted(n for n in PAGES if PAGES[n].post is not None))
def test_page_writes(name, world, as_persona):
    rule = PAGES[name]
    for persona in PERSONAS:
        client = as_persona(persona)
        url = _url(name, rule.args(world) if rule.args else [])
        response, changed = _attempt(world, lambda: client.post(url, rule.data(world) if rule.data else {}))
        if persona in rule.post:
            assert response.status_code < 400, (persona, url, response.status_code, response.content[:400])
            assert changed == rule.changes, f"{persona} POST {url}: change={changed}, expected {rule.changes}"
        else:
            assert not changed, f"{persona} changed data through POST {url}"
            if persona != "anonymous" and rule.write_refused and response.status_code >= 300:
                assert response.status_code in rule.write_refused, (persona, url, response.status_code)
            elif persona == "anonymous" or response.status_code >= 300:
                _assert_refused(persona, response, api=False)
        _assert_no_leak(world, persona, response, rule.exempt, rule.outlines)


def _api_url(path, args):
    for arg in args:
        start = path.index("{")
        path = path[:start] + str(arg) + path[path.index("}") + 1:]
    return path


@pytest.mark.parametrize("method, path", sorted(API))
def test_api_matrix(method, path, world, as_persona):
    rule = API[(method, path)]
    for persona in PERSONAS:
        client = as_persona(persona)
        url = _api_url(path, rule.args(world) if rule.args else []) + rule.query
        if method == "get":
            response, changed = _attempt(world, lambda: client.get(url))
            allowed, expect_change = rule.get or set(), False
        else:
            response, changed = _attempt(
                world, lambda: client.post(url, rule.data(world)) if rule.multipart
                else client.post(url, rule.data(world), content_type="application/json"))
            allowed, expect_change = rule.post or set(), rule.changes
        if persona in allowed:
            assert response.status_code < 400 or (response.status_code == 503 and not rule.changes), (
                persona, method, url, response.status_code, response.content[:300])
            assert changed == expect_change, f"{persona} {method} {url}: change={changed}"
        else:
            if rule.refused:
                assert response.status_code in rule.refused, (persona, url, response.status_code)
            else:
                _assert_refused(persona, response, api=True)
            assert not changed, f"{persona} changed data through {method} {url}"
        _assert_no_leak(world, persona, response, rule.exempt, rule.outlines)
