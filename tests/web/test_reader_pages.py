"""What a facilitator and a company manager read on their pages: words and figures, never a raw key.

Each test is a defect a first-time reader met (a distance shown as ", km", "1 synergies
proposées" above six proposals, an importer's key in a drop-down, an ISO date, a status key
in a history, a long skills page on a phone, an empty task list without a next step) and the
page as it reads now.
"""

import datetime as dt
import html
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from boucle.projects import rules
from boucle.projects.models import Call
from boucle.skills.models import SkillDeclaration, TrainingOffer
from boucle.testing import make_site

from web_personas import EPCI_T


def _text(response) -> str:
    """The page as read: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the company space -------------------------------------------------------------------------

def test_company_home_shows_a_distance_band_to_a_hidden_partner_never_an_empty_km(world, as_persona):
    text = _text(as_persona("member_a").get(reverse("company-home")))
    assert "Entreprise anonyme" in text
    assert ", km" not in text  # the exact distance is hidden: the band stands in its place
    assert "5–20 km" in text and "6,3" not in text  # synergy "ab" is 6.3 km away


def test_company_home_counts_the_synergies_its_list_shows(world, as_persona):
    client = as_persona("member_a")
    home = _text(client.get(reverse("company-home")))
    cards = client.get(reverse("company-synergies")).content.decode().count('<article class="synergy"')
    assert cards == 2
    assert "2 synergies proposées" in home
    assert "1 flux déclaré " in home  # singular, as French says it
    assert "t/an détournées de l'élimination, résultats vérifiés (mesurés)" in home


def test_a_hidden_score_leaves_no_empty_row(world, as_persona):
    company = as_persona("member_a").get(reverse("company-synergies")).content.decode()
    assert "Pertinence" not in company and "<dd>—</dd>" not in company
    facilitator = _text(as_persona("facilitator_t").get(reverse("synergy-detail", args=[world.synergies["ab"].pk])))
    assert "Pertinence 92 %" in facilitator


def test_the_flow_form_names_a_site_as_its_user_knows_it(world, as_persona):
    from boucle.accounts.models import Membership

    imported = make_site("Déchèterie de Mons", external_id="irep:7005681", lat=50.64, lon=3.11, commune="59350")
    Membership.objects.create(user=world.users["member_a"], company=imported.company, role="member")
    page = as_persona("member_a").get(reverse("flow-create")).content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", page)
    assert any(o.startswith("Déchèterie de Mons — ") for o in options), options
    assert "irep:" not in page
    assert any(f"(SIRET {world.sites['A'].site_id})" in o for o in options)  # a real SIRET stays, it helps
    help_text = "Choisissez dans la liste ou décrivez la matière avec vos mots"
    assert page.count(help_text) == 1


# --- figures: a unit, and the method one click away ------------------------------------------

def test_territory_figures_link_to_their_method_and_the_observatory(world, as_persona):
    page = as_persona("facilitator_t").get(reverse("facilitator-figures")).content.decode()
    report = reverse("observatory:territory-report", args=["epci", EPCI_T]) + "#method"
    assert f'href="{report}"' in page
    assert f'href="{reverse("observatory:territory", args=["epci", EPCI_T])}"' in page
    text = _text(as_persona("facilitator_t").get(reverse("facilitator-figures")))
    # the potential reads with the observatory's words
    assert "Tonnes détournées de l'élimination (t/an)" in text and "Matières échangées" not in text


def test_the_observatory_links_its_impacts_to_the_method_and_the_report_names_no_file(world, as_persona):
    client = as_persona("facilitator_t")
    page = client.get(reverse("observatory:territory", args=["epci", EPCI_T])).content.decode()
    assert reverse("observatory:territory-report", args=["epci", EPCI_T]) + "#method" in page
    report = client.get(reverse("observatory:territory-report", args=["epci", EPCI_T])).content.decode()
    assert 'id="method"' in report and "docs/impact-method.md" not in report


def test_the_report_method_reads_in_english_and_says_when_no_tonne_is_diverted(world, as_persona):
    """The English annex read « EF_vierge », « EF_élimination »; and « tonnes diverted = Q » while a
    material already recycled shows 0 t diverted on its synergy card."""
    client = as_persona("facilitator_t")
    url = reverse("observatory:territory-report", args=["epci", EPCI_T])
    french = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "0 pour une matière déjà recyclée" in french
    client.cookies["django_language"] = "en"
    english = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "EF_virgin" in english and "EF_vierge" not in english and "élimination" not in english
    assert "0 for a material already recycled" in english


@pytest.mark.parametrize(("value", "digits", "shown"), [
    (0.04, 1, "< 0,1"), (0.3, 0, "< 1"), (0, 1, "0"), (2879.94, 1, "2\u202f879,9"), (None, 0, "—")])
def test_a_small_positive_figure_never_reads_zero(value, digits, shown):
    with translation.override("fr"):
        out = html.unescape(Template("{% load words %}{{ v|num:d }}").render(Context({"v": value, "d": digits})))
    assert out.replace("\xa0", "\u202f") == shown.replace("\xa0", "\u202f")


# --- the skills page on a phone ----------------------------------------------------------------

@pytest.fixture
def skills(world):
    for letter, rome in (("A", "H2913"), ("B", "H2913")):
        SkillDeclaration.objects.create(site=world.sites[letter], rome_code=rome, label=f"Métier {rome}", headcount=2)
    TrainingOffer.objects.create(identifier="t1", organisation="Centre X", title="Soudage", rome_codes=["H2913"],
                                 commune_id="59350", lat=50.6205, lon=3.0421, source="Test")


def test_the_skills_page_has_anchors_and_folds_its_long_list(world, skills, as_persona):
    page = as_persona("facilitator_t").get(reverse("skills:home")).content.decode()
    toc = re.search(r'<nav class="page-toc".*?</nav>', page, re.S).group(0)
    for anchor in ("#sk-unmet", "#sk-pools", "#sk-needs"):
        assert f'href="{anchor}"' in toc and f'id="{anchor[1:]}"' in page
    needs = re.search(r"<details[^>]*id=\"sk-needs\"[^>]*>", page).group(0)
    assert " open" not in needs  # the long table is one tap away, not in the way
    assert "Besoins et formations proches (2 besoins)" in _text(as_persona("facilitator_t").get(reverse("skills:home")))
    assert re.search(r"<details open data-fold-narrow id=\"sk-unmet\">", page)  # folded by boucle.js on a phone
    # every cell is labelled, so that a row reads as a card on a phone
    assert 'data-label="Personnes non couvertes"' in page and 'data-label="Formations proches"' in page


def test_the_member_page_links_to_its_declaration_form(world, skills, as_persona):
    page = as_persona("member_a").get(reverse("skills:home")).content.decode()
    assert 'href="#sk-declare"' in page and 'id="sk-declare"' in page
    assert 'href="#sk-needs"' not in page  # a member has no territory table


# --- calls for projects: dates and statuses in words --------------------------------------------

def test_calls_read_french_dates_and_a_history_in_words(world, as_persona):
    today = timezone.localdate()
    client = as_persona("facilitator_t")
    call = Call.objects.create(title="Mobilités durables", summary="Composants.", territory_level="epci",
                               territory_code=EPCI_T, territory_name="Métropole Européenne de Lille",
                               opens_on=dt.date(2026, 11, 6), closes_on=today + dt.timedelta(days=400),
                               created_by=world.users["facilitator_t"])
    client.post(reverse("projects:transition", args=[call.pk]), {"target": rules.PUBLISHED})
    listing = client.get(reverse("projects:list")).content.decode()
    assert "06/11/2026" in listing and "2026-11-06" not in listing
    detail = _text(client.get(reverse("projects:detail", args=[call.pk])))
    assert "brouillon → publié" in detail and "draft" not in detail and "published" not in detail
    client.cookies["django_language"] = "en"
    english = client.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "06/11/2026" in english and "11/06/2026" not in english  # 6 November, not June 11


# --- background tasks: an empty list says what to do ----------------------------------------------

def test_an_empty_task_list_says_where_tasks_come_from(world, as_persona):
    page = as_persona("facilitator_t").get(reverse("jobs:list")).content.decode()
    assert "Aucune tâche lancée pour l'instant" in page and f'href="{reverse("matching-runs")}"' in page
    company = as_persona("member_a").get(reverse("jobs:list")).content.decode()
    assert "Aucun fichier importé" in company and "les synergies proposées apparaissent dans votre espace" in company
    assert f'href="{reverse("company-synergies")}"' in company


# --- a company answering a call names its synergies in words ------------------------------------

@pytest.fixture
def open_call(world):
    today = timezone.localdate()
    return Call.objects.create(title="Cendres", summary="Valoriser les cendres.", territory_level="epci",
                               territory_code=EPCI_T, territory_name="Métropole Européenne de Lille",
                               opens_on=today - dt.timedelta(days=3), closes_on=today + dt.timedelta(days=30),
                               status=rules.PUBLISHED, created_by=world.users["facilitator_t"])


def test_the_answer_form_lists_synergies_in_words(world, open_call, as_persona):
    page = as_persona("member_a").get(reverse("projects:answer", args=[open_call.pk])).content.decode()
    text = _text(as_persona("member_a").get(reverse("projects:answer", args=[open_call.pk])))
    assert "fly_ash" not in page and not re.search(r">\s*#\d+", page)
    assert "votre besoin « Cendres pour cru Alphaciment »" in text.replace("&laquo;", "«").replace("&raquo;", "»")
    assert "Bravotherm" not in page and "Charliepap" not in page  # the other company stays unnamed


def test_the_results_button_waits_for_the_closing_date(world, open_call, as_persona):
    page = _text(as_persona("facilitator_t").get(reverse("projects:detail", args=[open_call.pk])))
    assert "Publier les résultats" not in page
    assert "Les résultats se publient après la clôture" in page
    Call.objects.filter(pk=open_call.pk).update(opens_on=timezone.localdate() - dt.timedelta(days=40),
                                                closes_on=timezone.localdate() - dt.timedelta(days=1))
    assert "Publier les résultats" in _text(as_persona("facilitator_t").get(reverse("projects:detail",
                                                                                      args=[open_call.pk])))


def test_the_company_impact_page_explains_its_ranges(world, as_persona):
    text = _text(as_persona("member_a").get(reverse("company-impact")))
    assert " à " in text  # synergy "ab" is still anonymous: its figures are ranges
    assert "Une fourchette" in text and "dévoilerait sa quantité" in text


def test_empty_lists_say_what_to_do(world, open_call, as_persona):
    answers = _text(as_persona("facilitator_t").get(reverse("projects:answers", args=[open_call.pk])))
    closing = open_call.closes_on.strftime("%d/%m/%Y")
    assert f"répondent depuis la page de l'appel jusqu'à la clôture ({closing})" in answers
    equipment = as_persona("member_a").get(reverse("sharing:list")).content.decode()
    assert "Aucun équipement recherché pour l'instant." in equipment
    assert f'href="{reverse("sharing:create")}"' in equipment


def test_running_the_matching_again_keeps_the_last_radius(world, as_persona):
    from boucle.matching.models import MatchingRun

    page = as_persona("facilitator_t").get(reverse("matching-runs")).content.decode()
    assert 'name="radius_km" id="id_radius" value="50"' in page  # no run yet: the default
    MatchingRun.objects.create(territory=f"epci:{EPCI_T}", radius_km=200.0)
    page = as_persona("facilitator_t").get(reverse("matching-runs")).content.decode()
    assert 'name="radius_km" id="id_radius" value="200"' in page
    assert "Distance maximale, à vol d'oiseau" in page


def test_the_home_page_offers_next_steps(world, as_persona):
    page = as_persona("anonymous").get("/").content.decode()
    assert f'href="{reverse("login")}"' in page and f'href="{reverse("observatory:public")}"' in page
    assert re.search(r'<details open data-fold-narrow id="home-figures">', page)  # the long table folds on a phone
    signed_in = as_persona("member_a").get("/").content.decode()
    assert f'href="{reverse("dashboard")}"' in signed_in and "Connectez-vous pour déclarer" not in signed_in


# --- a second reading (session 6): what the demo still showed raw -------------------------------

def test_the_token_page_shows_the_header_to_send_with_its_placeholder(world, as_persona):
    page = as_persona("member_a").get(reverse("api-tokens")).content.decode()
    # « <jeton> » written raw was an unknown tag: the browser showed « Bearer . »
    assert "<code>Authorization: Bearer &lt;jeton&gt;</code>" in page and "<jeton>" not in page


def test_a_site_page_reads_its_activity_once_and_its_quantities_in_words(world, as_persona):
    from boucle.testing import make_flow

    site = world.sites["A"]
    site.activity = site.naf.label_fr  # an import that repeats the NAF label as the activity
    site.save()
    make_flow(site, "Eaux de refroidissement", kind="water", quantity=12000, unit="m3", period="year",
              quantity_base=12000, base_unit="m3")
    make_flow(site, "Lot de cellules", quantity=0.6, unit="kg", period="once")
    make_flow(site, "Palettes", kind="equipment", quantity=40, unit="unit", period="month")
    text = _text(as_persona("facilitator_t").get(reverse("site-detail", args=[site.pk])))
    assert text.count(site.naf.label_fr) == 1
    assert "12 000 m³/an" in text and "m3" not in text
    assert "0,6 kg (une fois)" in text and "/une fois" not in text
    assert "40 unités/mois" in text and "unit/" not in text
    assert f"SIRET {site.site_id}" in text


def test_the_own_flow_list_shows_no_false_decimals_and_names_the_period(world, as_persona):
    flow = world.flows["a_need_ash"]
    flow.quantity = 773.2
    flow.save()
    text = _text(as_persona("member_a").get(reverse("site-flows", args=[world.sites["A"].pk])))
    assert "773,2 t/an" in text and "773,20" not in text


def test_a_site_named_like_its_company_is_not_named_twice(world, as_persona):
    site = world.sites["A"]
    site.company.name = site.name
    site.company.save()
    text = _text(as_persona("member_a").get(reverse("company-synergies")))
    assert f"{site.name} , " in text or f"{site.name}, " in text
    assert f"{site.name} — {site.name}" not in text


def test_the_current_route_list_separates_words_from_operation_codes(world, as_persona):
    page = as_persona("member_a").get(reverse("flow-create")).content.decode()
    assert '<optgroup label="Devenir">' in page
    assert '<optgroup label="Code d&#x27;opération du bordereau (R1 à R13, D1 à D15)">' in page
    # a grouping step reads as the directive words it (its final route is unknown to Boucle)
    assert "route finale" not in page and "R13 — Stockage de déchets préalablement à l’une des opérations" in page


def test_impact_table_cells_keep_a_decimal_only_for_small_figures():
    from boucle.web.impact import _display

    with translation.override("fr"):
        cells = _display({"n": 3565, "tonnes": 773573.2, "co2e": 2.46, "eur": 1200.4, "mwh": 0, "m3": 0}, False)
    spaced = {k: v.replace("\u202f", " ").replace("\xa0", " ") for k, v in cells.items()}
    assert spaced["n"] == "3 565" and spaced["tonnes"] == "773 573"
    assert cells["co2e"] == "2,5"


def test_a_shared_equipment_price_reads_without_cents_when_round(world):
    from decimal import Decimal

    card = {"pk": 1, "level": "full", "name": "Presse", "company": "Alpha", "site": "Alpha", "category": "presse",
            "commune": "Lille", "epci": "", "distance": None, "price": Decimal("85.00"), "price_unit": "par heure",
            "conditions": ""}
    with translation.override("fr"):
        text = Template('{% include "sharing/_card.html" %}').render(Context({"card": card}))
    assert "85 € HT par heure" in text and "85,00" not in text
    assert "Alpha — Alpha" not in text
    with translation.override("en"):
        assert "€ excl. VAT" in Template('{% include "sharing/_card.html" %}').render(Context({"card": card}))


def test_a_citizen_finds_where_to_repair_from_the_home_page(world, as_persona):
    page = as_persona("anonymous").get("/").content.decode()
    places = f'href="{reverse("places:map")}"'
    assert page.count(places) == 2  # the menu and the next steps of the home page
    assert "Un objet à réparer, donner ou déposer ?" in page
    assert places in as_persona("member_a").get(reverse("company-home")).content.decode()


# below 0.1, two significant digits (``figures.quantity``), as the reading downloads write it: « 0,04 », not « < 0,1 »
@pytest.mark.parametrize("value, shown", [(2879.9, "2 880"), (12.46, "12,5"), (0.04, "0,04"), (0.000123, "0,00012"),
                                          (0, "0")])
def test_a_tonnage_keeps_a_decimal_only_below_a_hundred(value, shown):
    with translation.override("fr"):
        text = Template("{% load words %}{{ v|tonnes }}").render(Context({"v": value}))
    assert html.unescape(text).replace("\u202f", " ").replace("\xa0", " ") == shown


@pytest.mark.parametrize("site_id, shown", [("irep:7001311", "iREP n° 7001311"), ("12345678901234", "SIRET 12345678901234"),
                                           ("BE0123456789", "BE0123456789")])
def test_a_site_reference_names_its_register(site_id, shown):
    with translation.override("fr"):
        assert Template("{% load words %}{{ s|site_ref }}").render(Context({"s": site_id})) == shown


def test_a_map_popup_counts_flows_without_a_plural_after_one(world, as_persona):
    page = as_persona("facilitator_t").get(reverse("map")).content.decode()
    assert '"site_flows": "offres : %(offers)s \\u00b7 besoins : %(needs)s"' in page  # not "1 offres · 0 besoins"


def test_each_language_is_offered_in_its_own_name(world, as_persona):
    page = as_persona("anonymous").get("/").content.decode()
    assert '<option value="en" lang="en" >English</option>' in page and "Anglais" not in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page


def test_the_reports_main_synergies_show_the_cards_figures(world, as_persona):
    """« Principales synergies » read « 0 » km for 0.3 km and « 2 659 » t CO₂e where the synergy's card
    reads « 0,3 km » and « 2 700 t CO₂e (2 000 – 3 300) »."""
    from boucle.matching.models import Synergy

    ab = world.synergies["ab"]
    Synergy.objects.filter(pk=ab.pk).update(distance_km=0.3, co2e_avoided_t=2659.346,
                                            explanation={"co2e_low_t": 2044.8, "co2e_high_t": 3273.9})
    client = as_persona("facilitator_t")
    report = client.get(reverse("observatory:territory-report", args=["epci", EPCI_T]),
                        HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    top = report.split('id="top-synergies"')[1].split("</section>")[0]
    row = next(r for r in top.split("<tr>") if "Bravotherm" in r)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[0] == "0,3" and cells[-1] == "2\u202f700"


def test_a_label_and_its_value_are_joined_as_each_language_writes_them(world, as_persona):
    """English pages read « Synergy : Fly ash » and « Offer : interested », with the French space."""
    client = as_persona("facilitator_t")
    url = reverse("synergy-detail", args=[world.synergies["ab"].pk])
    assert re.search(r"<h1>Synergie : [^<]+</h1>", client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"<h1>Synergy: [^<]+</h1>", english) and "Synergy :" not in english


def test_deleting_a_flow_first_says_which_synergies_go_with_it(world, as_persona):
    from boucle.flows.models import Flow
    from boucle.matching import lifecycle
    from boucle.matching.models import Synergy

    need = world.flows["a_need_ash"]  # two synergies rest on it: "ab" and "ca"
    Synergy.objects.filter(pk=world.synergies["ab"].pk).update(status=lifecycle.IN_DISCUSSION)
    client = as_persona("member_a")
    listing = client.get(reverse("site-flows", args=[need.site_id])).content.decode()
    assert f'href="{reverse("flow-delete", args=[need.pk])}"' in listing  # a link to the question, not a delete
    page = _text(client.get(reverse("flow-delete", args=[need.pk])))
    assert "Supprimer ce flux ?" in page
    assert "Ses 2 synergies seront supprimées avec leur historique." in page
    assert "Dont 1 déjà engagée au-delà de la suggestion" in page
    assert Flow.objects.filter(pk=need.pk).exists()  # reading the question deletes nothing
    response = client.post(reverse("flow-delete", args=[need.pk]))
    assert response.status_code == 302 and not Flow.objects.filter(pk=need.pk).exists()


def test_a_supplier_search_from_a_flow_names_the_material_leaves_out_one_s_own_site_and_says_when_none(
        world, as_persona):
    client = as_persona("member_a")
    a = world.sites["A"]
    page = client.get(reverse("sourcing-search"), {"mode": "material", "q": "fly_ash", "near": f"site:{a.site_id}",
                                                   "radius_km": "50"}).content.decode()
    assert 'value="fly_ash"' not in page and 'value="Cendres volantes de charbon"' in page
    assert "Alphaciment" not in page.split("<table>")[1]  # the searching site is not its own supplier
    assert "Bravotherm" in page or "C'est une entreprise anonyme" in page  # the fly-ash offer 6 km away is
    empty = _text(client.get(reverse("sourcing-search"), {"mode": "naf", "q": "17",  # paper: Charliepap, 290 km
                                                         "near": f"site:{a.site_id}", "radius_km": "5"}))
    assert "Aucun établissement à moins de 5 km pour ce critère." in empty and "Liste restreinte" not in empty


def test_a_supplier_search_from_a_flow_says_around_which_site_in_words(world, as_persona):
    """The flow's link searches around ``site:<identifier>``: its member reads the site's name, never the key;
    another company, who does not see the site, keeps the field as typed (nothing about the site is told)."""
    a = world.sites["A"]
    query = {"mode": "material", "q": "fly_ash", "near": f"site:{a.site_id}", "radius_km": "50"}
    own = _text(as_persona("member_a").get(reverse("sourcing-search"), query))
    assert f"Autour de {a.name}" in own and f"site:{a.site_id}" not in own and "autre lieu" in own
    other = as_persona("member_b").get(reverse("sourcing-search"), query).content.decode()
    assert a.name not in other.split("<form")[1].split("</form>")[0]
