"""Text typed by users or imported from outside is escaped on the aids, land, skills, jobs and sourcing
pages: each payload must come back as visible text, never as markup (server side; the maps' tooltips
are checked in a browser by ``test_browser_xss``)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from boucle.aids.models import Aid, AidCuration
from boucle.jobs.models import Job
from boucle.land.models import LandSite
from boucle.skills.models import SkillDeclaration, TrainingOffer
from boucle.testing import make_site

from web_personas import EPCI_T

SCRIPT, ATTRIBUTE = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'


@pytest.fixture(params=[SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def payload(request, world):
    p = request.param
    site = make_site(p, lat=50.62, lon=3.05, commune="59350", naf="23.51Z")
    site.source = "sirene"  # a directory entry: shown by name in the sourcing search
    site.save()
    SkillDeclaration.objects.create(site=site, rome_code="H2913", label=p, note=p, headcount=2)
    SkillDeclaration.objects.create(site=world.sites["A"], rome_code="H2913", label=p, note=p, headcount=1)
    TrainingOffer.objects.create(identifier="x", organisation=p, title=p, rome_codes=["H2913"], commune_id="59350",
                                 lat=50.62, lon=3.04, source=p)
    LandSite.objects.create(identifier="x", name=p, kind="brownfield", area_m2=5_000, commune_id="59350", lat=50.62,
                            lon=3.04, source=p, description=p, pollution_refs=p)
    Aid.objects.create(identifier="x", name=p, url="https://example.org/x", description=p, financers=[p],
                       perimeter=["region:32"], beneficiaries=["company"], themes=["waste"], aid_types=["grant"],
                       origin=p, note=p, written_on=dt.date(2026, 12, 6))
    AidCuration.objects.create(aid=Aid.objects.get(identifier="x"), territory_level="epci", territory_code=EPCI_T,
                               pinned=True, note=p)  # a territory's note: on its companies' and facilitators' pages
    job = Job.objects.create(kind="match", territory=f"epci:{EPCI_T}", parameters={"radius_km": 30}, state="failed",
                             error=p, message=p)
    return p, job


def _pages(job):
    aid = Aid.objects.get(identifier="x").pk
    return [("anonymous", reverse("aids:catalogue")), ("anonymous", reverse("aids:detail", args=[aid])),
            ("superuser", reverse("aids:edit", args=[aid])),  # a regional aid: the administrator edits it
            ("member_a", reverse("aids:catalogue")), ("facilitator_t", reverse("aids:detail", args=[aid])),
            ("member_b", reverse("land:search")), ("facilitator_t", reverse("land:detail", args=["x"])),
            ("member_a", reverse("skills:home")), ("facilitator_t", reverse("skills:home")),
            ("member_b", reverse("skills:trainings")),
            ("facilitator_t", reverse("jobs:detail", args=[job.pk])),
            ("facilitator_t", reverse("jobs:progress", args=[job.pk])),
            ("member_b", reverse("sourcing-search") + "?mode=naf&q=23.51&near=50.63,3.06&radius_km=50")]


def test_user_text_comes_back_as_text(payload, as_persona):
    text, job = payload
    for persona, url in _pages(job):
        response = as_persona(persona).get(url)
        body = response.content.decode()
        assert response.status_code == 200, (persona, url, response.status_code)
        assert text not in body, f"{url} as {persona} renders {text} as markup"
        assert escape(text) in body, f"{url} as {persona} does not show the text at all"
