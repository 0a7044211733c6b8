"""One figure, one name, one definition: the running synergies' estimate reads « Estimé (synergies en
fonctionnement) » with the same value on the facilitator's figures page, the observatory, the printable report
and the indicators export, each name a link to its definition on the same page. The figures page once said
« Estimé (engagées) » (contact made and beyond) where the observatory said « Estimé (en fonctionnement) »."""

import csv
import io
import re

from django.urls import reverse

from boucle.matching import services
from web_personas import EPCI_T

RUNNING = "Estimé (synergies en fonctionnement)"
ENGAGED = "Estimé (synergies engagées : contact pris et au-delà)"
POTENTIAL = "Potentiel (meilleure répartition des suggestions ouvertes)"


def _text(response):
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def _running(world, ca_status="contacted"):
    """Synergy ab running (3 200 t CO₂e/an, offered in the facilitator's intercommunality); synergy ca (500 t
    CO₂e/an, offered from Metz to Lille) at ``ca_status``."""
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Membership

    ab, ca, fac = world.synergies["ab"], world.synergies["ca"], world.users["facilitator_t"]
    member_c = get_user_model().objects.create_user("member_c", "member_c@example.org", "x")
    Membership.objects.create(user=member_c, company=world.sites["C"].company, role="member")
    for syn, members in ((ab, ("member_a", "member_b")), (ca, ("member_a", member_c))):
        for member in members:
            services.express_interest(syn, world.users[member] if isinstance(member, str) else member, True)
    for target in ("contacted", "in_discussion", "trial", "running"):
        services.transition(ab, target, fac)
    type(ca).objects.filter(pk=ca.pk).update(co2e_avoided_t=500)
    steps = ("contacted", "in_discussion", "trial", "running")
    for target in steps[:steps.index(ca_status) + 1]:
        services.transition(ca, target, world.users["superuser"])


def test_a_synergy_offered_from_outside_counts_where_its_offer_is_as_in_the_observatory(world, as_persona):
    """Running from Metz to Lille: the Lille facilitator sees the synergy, but its running estimate is
    Metz's, in the observatory as on the figures page."""
    _running(world, ca_status="running")
    figures = _text(as_persona("facilitator_t").get(reverse("facilitator-figures")))
    running_row = figures.split('id="impact-running"', 1)[1].split("</tr>", 1)[0]
    assert "3 200" in running_row and "3 700" not in running_row, running_row
    other = _text(as_persona("facilitator_other").get(reverse("facilitator-figures")))
    assert "500" in other.split('id="impact-running"', 1)[1].split("</tr>", 1)[0]


def test_the_running_estimate_reads_the_same_on_every_page_and_in_the_export(world, as_persona):
    _running(world)
    fac = as_persona("facilitator_t")
    figures = _text(fac.get(reverse("facilitator-figures")))
    running_row = figures.split('id="impact-running"', 1)[1].split("</tr>", 1)[0]
    engaged_row = figures.split('id="impact-engaged"', 1)[1].split("</tr>", 1)[0]
    assert RUNNING in running_row and "3 200" in running_row and "3 700" not in running_row
    assert ENGAGED in engaged_row and "3 700" in engaged_row  # contact made and beyond: both synergies
    observatory = _text(fac.get(reverse("observatory:territory", args=["epci", EPCI_T])))
    report = _text(fac.get(reverse("observatory:territory-report", args=["epci", EPCI_T])))
    for page in (figures, observatory, report):
        assert RUNNING in page and POTENTIAL in page and "Vérifié (mesuré)" in page
        assert "Estimé (en fonctionnement)" not in page and "Estimé (engagées)" not in page
        for key in ("running", "potential", "verified"):  # the name is a link to its definition, on the page
            assert f'href="#def-{key}"' in page and f'id="def-{key}"' in page
    for page in (observatory, report):
        co2e_row = next(r for r in page.split("<tr>") if "Émissions évitées (t CO₂e/an)" in r)
        assert re.findall(r"<td[^>]*>([^<]*)</td>", co2e_row)[1] == "3 200", co2e_row
    body = _text(fac.get(reverse("observatory:territory-export", args=["epci", EPCI_T, "indicators", "csv"])))
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    co2e = [r for r in rows if r["base du chiffre"] == RUNNING.lower() and r["indicateur"] == "t CO2e évitées par an"
            and r["niveau du territoire"] == "intercommunalité" and not r["statut de la synergie"]
            and not r["matière"]]
    assert [r["valeur"] for r in co2e] == ["3200"], [r for r in rows if r["base du chiffre"] == RUNNING.lower()]


def test_a_company_reads_the_same_names_and_definitions(world, as_persona):
    _running(world)
    page = _text(as_persona("member_a").get(reverse("company-impact")))
    for name in (POTENTIAL, ENGAGED, RUNNING, "Vérifié (mesuré)"):
        assert name in page
    assert 'id="def-engaged"' in page and 'href="#def-engaged"' in page


def test_the_dashboards_potential_tonnes_read_as_the_impact_tables(db):
    """431 604,5 t read « 431 605 » above the impact table (rounded half up) and « 431 604 » in it and in the
    observatory (rounded half to even): the demo's dashboard showed both. One rounding for every page."""
    from django.template.loader import render_to_string

    from boucle.web.impact import _display

    half = 431604.5
    t = {"name": "Hauts-de-France", "potential_tonnes_per_year": half, "potential_mwh_per_year": 882430.5,
         "potential_m3_per_year": 0, "potential_co2e_avoided_t_per_year": 1, "potential_eur_per_year": 1}
    html = render_to_string("web/facilitator/_figures.html", {"indicators": [t], "impact": {}, "by_status": []})
    shown = html.split('class="potential-tonnes">', 1)[1].split("<", 1)[0]
    table = _display({"n": 1, "tonnes": half, "co2e": 0, "eur": 0, "mwh": 882430.5, "m3": 0}, False)
    assert shown == table["tonnes"], (shown, table["tonnes"])
    assert html.split('class="potential-mwh">', 1)[1].split("<", 1)[0] == table["mwh"]
