"""What a first-time reader stumbled on while walking the demo as a facilitator, a company and a citizen."""

from django.utils import translation


def _heat_synergy():
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site

    laundry = make_site("Blanchisserie", naf="38.11Z")
    heat = make_flow(laundry, "Eaux chaudes de lavage", kind="energy", quantity=500, unit="MWh",
                     material_class="waste_heat_low", quantity_base=500, base_unit="MWh", temperature_c=60)
    offices = make_site("Bureaux", lat=50.64, naf="35.30Z")
    need = make_flow(offices, "Chaleur basse température", direction="need", kind="energy", quantity=620,
                     unit="MWh", material_class="waste_heat_low", quantity_base=620, base_unit="MWh")
    return Synergy.objects.create(offer=heat, need=need, need_site=offices, material_class="waste_heat_low",
                                  distance_km=1.5, score=0.6, quantity_t=500.0)


def test_the_heat_network_cost_reads_per_year_in_the_readers_language(db):
    """A French synergy page read « 1,5 km × 58 000 €/km/yr »: the engine's unit, in English."""
    from boucle.web.synergy_figures import calculation

    synergy = _heat_synergy()
    for lang, per_year, other in (("fr", "€/km/an", "/yr"), ("en", "€/km/yr", "/an")):
        with translation.override(lang):
            rows = calculation(synergy, hidden=False)["eur"]
        network = [r["how"] for r in rows if "km ×" in r["how"]]
        assert network and per_year in network[0] and other not in network[0], (lang, [r["how"] for r in rows])


def _producer_of_cement_plants():
    from boucle.matching.knowledge.infer import output_rules
    from boucle.materials.taxonomy import get_class

    key = next(r.class_key for r in output_rules() if r.naf_prefix.startswith("23.5"))
    return key, get_class(key).label("fr")


def test_a_company_searches_suppliers_by_a_materials_name(as_persona):
    """The sourcing page's « matière » mode answered « matière Laitier d'aciérie … inconnue. Clés acceptées
    (extrait) : absorbents_rags, acetone… — la liste complète : boucle materials list » to the very name it
    shows elsewhere; its reasons read « utilise habituellement steel_slag »."""
    from urllib.parse import quote

    key, label = _producer_of_cement_plants()
    client = as_persona("member_a")  # the cement plant's own company: it reads its activity's label
    page = client.get(f"/fournisseurs/?mode=material&q={quote(label)}&near=50.63,3.06&radius_km=50",
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fabrication de ciment" in page and "role=\"alert\"" not in page
    main = page[page.find("<main"):page.find("</main>")]
    assert key not in main.replace(f'value="{key}"', ""), main[:3000]
    assert f'<option value="{label}">' in main  # the names to choose from

    page = client.get("/fournisseurs/?mode=material&q=zzz-inconnue&near=50.63,3.06&radius_km=50",
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "non reconnue" in page and "materials list" not in page and "absorbents_rags" not in page


def test_the_substitutes_page_points_to_its_list_not_to_the_command_line(as_persona):
    page = as_persona("member_b").get("/fournisseurs/substitutions/?material=zzz-inconnue",
                                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "non reconnue" in page and "materials list" not in page


def test_an_import_refusing_a_unit_names_the_kind_in_words_and_the_units_that_fit(db, tmp_path):
    """« unit: m3 ne convient pas à un flux de type energy »: the kind's key in a French sentence, and no
    hint of what would do."""
    from boucle.flows.importers import import_flows
    from boucle.testing import make_site

    make_site("Centrale", external_id="EXT-1")
    path = tmp_path / "flows.csv"
    path.write_text("site_id,direction,label,kind,quantity,unit,period\nEXT-1,offer,Chaleur,energy,10,m3,year\n",
                    encoding="utf-8")
    with translation.override("fr"):
        [(line, reason)] = import_flows(path).rejected
    assert line == 2 and "énergie" in reason and "MWh, kWh, GJ" in reason and "type energy" not in reason
    with translation.override("en"):
        [(line, reason)] = import_flows(path).rejected
    assert "does not suit" in reason and "energy / heat" in reason and "MWh, kWh, GJ" in reason, reason


def test_the_flow_form_says_which_units_fit_the_kind(as_persona, world):
    page = as_persona("member_a").post("/espace/flux/nouveau/", {
        "site": world.sites["A"].pk, "direction": "offer", "kind": "energy", "label": "Vapeur", "quantity": "100",
        "unit": "t", "period": "year"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "ne convient pas à ce type de flux : choisissez MWh, kWh, GJ." in page


def test_why_the_co2e_is_not_computed_reads_as_one_french_sentence(world, as_persona):
    """Spent solvents assumed incinerated: « … ne sont pas chiffrées : Production de matière vierge évitée : aucun
    facteur …; élimination évitée … » — a capital after the colon and an English « ; » between the parts."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow, make_site

    balance = exchange_breakdown("spent_solvents", 6900.0, "t", 0.1, baseline_route="incineration")
    assert balance.co2e_avoided_t is None  # several terms lack a factor: their reasons are joined
    regenerator = make_site("Régénérateur", lat=50.63, lon=3.06, commune="59350", naf="38.22Z")
    solvents = make_flow(world.sites["B"], "Solvants usés", quantity=6900, unit="t", material_class="spent_solvents",
                         current_route="incineration")
    syn = Synergy.objects.create(offer=solvents, need_site=regenerator, inferred=True, material_class="spent_solvents",
                                 distance_km=0.1, score=0.6, quantity_t=6900.0, tonnes_diverted=6900.0)
    html = as_persona("facilitator_t").get(f"/synergies/{syn.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    why = html[html.index('id="co2e-why"'):].split("</p>", 1)[0].split(">", 1)[1].replace("\xa0", " ")
    after = why.split("chiffrées", 1)[1].lstrip(" :")
    assert after[:1].islower() and ";" in after and " ;" in after and not any(
        c + ";" in after for c in "abcdefghijklmnopqrstuvwxyzéè)"), why


def test_the_market_value_line_has_one_colon(world, as_persona):
    """« Valeur marchande de la matière (…) : non disponible : aucun prix de marché cité n'est fourni »."""
    html = as_persona("facilitator_t").get(f"/synergies/{world.synergies['ab'].pk}/",
                                           HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace("\xa0", " ")
    line = html[html.index("Valeur marchande"):].split("</p>", 1)[0]
    assert line.count(" : ") == 1 and "non disponible (aucun prix de marché cité)" in line, line


def test_the_maps_count_names_areas_not_units(as_persona, world):
    """« 73 unités sur 92 ont une valeur publiée » under a legend in t/an read as a quantity of units."""
    public = as_persona("anonymous").get("/observatoire/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "{n} intercommunalités sur {k} ont une valeur publiée" in public and "unités sur" not in public
    english = as_persona("anonymous").get("/observatoire/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "{n} of {k} intercommunalities have a published value" in english


def test_a_facilitator_told_of_an_interest_reads_what_to_do_not_what_stays_hidden(world, as_persona):
    """The facilitator's notice read the companies' one: « une synergie qui vous concerne. Les coordonnées des deux
    entreprises ne sont dévoilées que si l'autre répond … » — to someone who sees both and has to act."""
    from boucle.notifications.models import Notification

    syn = world.synergies["ab"]
    as_persona("member_a").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"})
    to_facilitator = Notification.objects.get(user=world.users["facilitator_t"]).body
    to_company = Notification.objects.get(user=world.users["member_b"]).body
    assert "proposez la mise en relation" in to_facilitator and "vous concerne" not in to_facilitator
    assert "pas encore de compte" not in to_facilitator  # B has members: they were told
    assert "ne sont dévoilées que si" in to_company
    as_persona("member_a").post(f"/synergies/{world.synergies['ca'].pk}/interet/", {"answer": "yes"})
    latest = Notification.objects.filter(user=world.users["facilitator_t"]).order_by("-pk").first().body
    assert "pas encore de compte sur Boucle : prenez contact avec elle" in latest  # C has no member


def test_a_file_missing_a_column_names_the_unknown_ones_it_has_instead(db, tmp_path):
    """« colonnes obligatoires manquantes : direction » for a file whose header reads « direcion »."""
    import pytest

    from boucle.flows.importers import import_flows
    from boucle.flows.tabular import FileFormatError

    path = tmp_path / "flows.csv"
    path.write_text("site_id,direcion,label\nEXT-1,offer,Palettes\n", encoding="utf-8")
    with translation.override("fr"), pytest.raises(FileFormatError) as refused:
        import_flows(path)
    assert "manquantes : direction" in str(refused.value) and "ne connaît pas : direcion" in str(refused.value)
    with translation.override("en"), pytest.raises(FileFormatError) as refused:
        import_flows(path)
    assert "missing required columns: direction" in str(refused.value) and "not know: direcion" in str(refused.value)


def test_the_suppliers_list_in_csv_reads_in_the_readers_spreadsheet(as_persona):
    """« 7.0 » in the suppliers' CSV (« ; » between cells, French headers) while every other export writes « 7,0 »."""
    client = as_persona("member_a")
    url = "/fournisseurs/?mode=naf&q=23.51&near=50.6,3.0&radius_km=50&format=csv"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode("utf-8-sig").splitlines()
    distance = french[1].split(";")[4]
    assert french[0].startswith("Établissement;") and "," in distance and "." not in distance, french[:2]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig").splitlines()
    assert english[0].startswith("Establishment,") and "." in english[1].split(",")[4], english[:2]


def test_a_refused_form_says_what_happened_in_the_sites_page(db, world):
    """A form sent from a page opened before logging in elsewhere got Django's bare « Interdit (403) — La
    vérification CSRF a échoué » on a grey page, in no design and with no way back."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["facilitator_t"])
    page = client.post("/animation/import/", {"what": "flows"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 403 and "Le formulaire n'a pas pu être envoyé" in html and "rien n'a été enregistré" in html
    assert 'class="site-header"' in html and "CSRF" not in html
    english = client.post("/animation/import/", {"what": "flows"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The form could not be sent" in english


def test_a_companys_impact_table_brackets_one_engaged_synergy_as_its_card_does(world, as_persona):
    """One engaged synergy, partner still anonymous: its card read « 1 000 à 1 400 t/an » (no more than the
    company's own 1 400 t) and the impact table's « Estimé (synergies engagées : contact pris et au-delà) » row « 1 000 à 10 000 » for the same
    exchange."""
    import re

    syn = world.synergies["ab"]  # B offers 60 000 t, A needs 40 000 t: 40 000 t exchanged
    syn.status = "contacted"
    syn.save()
    client = as_persona("member_b")

    def flat(html):
        return re.sub(r"\s+", " ", html.replace("\xa0", " ").replace("\u202f", " "))

    card = flat(client.get(f"/synergies/{syn.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    card_tonnes = card.split("Impact estimé", 1)[1].split("</dd>", 1)[0].split("<dd>", 1)[1].split(" t/an", 1)[0].strip()
    table = flat(client.get("/espace/impact/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    engaged = table.split("Estimé (synergies engagées : contact pris et au-delà)", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", engaged)
    assert " à " in card_tonnes and cells[1] == card_tonnes, (card_tonnes, cells)


def test_a_forms_address_opened_as_a_page_is_not_a_blank_page(world, as_persona):
    """« /deconnexion/ » from a bookmark, a synergy's « intérêt » address pasted in the bar: 405 and a white page."""
    client = as_persona("member_a")
    for url in ("/deconnexion/", f"/synergies/{world.synergies['ab'].pk}/interet/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert page.status_code == 405 and "POST" in page["Allow"], url
        assert "Cette adresse n'est pas une page" in page.content.decode() and 'class="site-header"' in page.content.decode()
    english = client.get("/deconnexion/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This address is not a page" in english
