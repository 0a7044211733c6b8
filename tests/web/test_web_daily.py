"""The daily work of a facilitator: no dead end on the main actions."""

import re

from boucle.accounts.models import Membership


def test_contact_taken_with_no_account_on_either_side_is_no_error(world, as_persona, settings):
    """Most demo synergies join companies nobody has an account for: moving one forward used to be a 500."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # what `boucle serve` uses
    Membership.objects.all().delete()
    syn = world.synergies["ab"]
    response = as_persona("facilitator_t").post(f"/animation/synergies/{syn.pk}/statut/", {"target": "contacted"},
                                                follow=True)
    assert response.status_code == 200
    syn.refresh_from_db()
    assert syn.status == "contacted"
    page = response.content.decode()
    assert "Statut mis à jour" in page
    assert "aucun compte" in page  # the facilitator is told nobody could be notified


def _status_form(page):
    form = re.search(r'<form method="post" action="/animation/synergies/\d+/statut/".*?</form>', page, re.S)
    assert form, "no status form"
    return form.group(0)


def test_status_form_never_preselects_abandoning(world, as_persona):
    client = as_persona("facilitator_t")
    syn = world.synergies["ab"]
    client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "contacted"})
    form = _status_form(client.get(f"/synergies/{syn.pk}/").content.decode())
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', form)
    values = [value for value, _attrs in options]
    assert "in_discussion" in values and "declined" in values
    selected = [value for value, attrs in options if "selected" in attrs]
    first = selected[0] if selected else values[0]
    assert first not in ("declined", "stopped")
    assert 'type="submit"' in form


def test_abandoning_asks_for_confirmation_first(world, as_persona):
    client = as_persona("facilitator_t")
    syn = world.synergies["ab"]
    response = client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "declined"})
    assert response.status_code == 200
    syn.refresh_from_db()
    assert syn.status == "suggested"
    page = response.content.decode()
    assert "Confirmer" in page and 'name="confirm"' in page
    client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "declined", "confirm": "1", "reason": "trop loin"})
    syn.refresh_from_db()
    assert syn.status == "declined"


def test_a_refused_change_is_explained_in_words(world, as_persona):
    syn = world.synergies["ab"]
    page = as_persona("facilitator_t").post(f"/animation/synergies/{syn.pk}/statut/", {"target": "running"},
                                            follow=True).content.decode()
    assert "running" not in page.split("<main", 1)[1] and "allowed" not in page
    assert "en fonctionnement" in page


def test_workshop_rows_do_not_block_the_browser_and_pick_sites_by_name(world, as_persona):
    from boucle.flows.models import Flow

    client = as_persona("facilitator_t")
    page = client.get("/animation/atelier/").content.decode()
    rows = page.split('<tbody id="rows">', 1)[1].split("</tbody>", 1)[0]
    assert " required" not in rows  # empty starting rows are ignored, so nothing in them may be required
    a = world.sites["A"]
    label = f"Alphaciment SA — {a.name} ({a.site_id})"
    assert f'<option value="{label}">' in page  # the searchable list of the territory's sites
    assert "Charliepap" not in page  # a site outside the territory is not offered
    data = {"row-0-site": label, "row-0-direction": "offer", "row-0-kind": "material", "row-0-label": "Chutes de bois",
            "row-0-period": "year", "row-1-site": "", "row-1-label": "", "row-2-label": ""}
    response = client.post("/animation/atelier/", data, follow=True)
    assert "1 flux enregistré" in response.content.decode()
    assert Flow.objects.get(label="Chutes de bois").site == a
    c = world.sites["C"]
    page = client.post("/animation/atelier/", {**data, "row-0-site": f"Charliepap SARL — {c.name} ({c.site_id})",
                                                "row-0-label": "Hors territoire"}).content.decode()
    assert "dans la liste proposée" in page and not Flow.objects.filter(label="Hors territoire").exists()


def test_server_error_page_is_friendly_and_says_nothing_internal(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("fr"):
        body = server_error(rf.get("/")).content.decode()
    assert "Une erreur est survenue" in body and "web/boucle.css" in body
    assert "Traceback" not in body and "SECRET_KEY" not in body


def test_unknown_page_and_refused_page_are_in_the_site_look(world, as_persona):
    response = as_persona("member_a").get("/nulle-part/")
    assert response.status_code == 404 and "Page introuvable" in response.content.decode()
    response = as_persona("member_a").get("/animation/atelier/")
    assert response.status_code == 403 and "Accès refusé" in response.content.decode()


def test_login_lands_each_role_on_its_own_page_never_the_public_home(world, client):
    from web_personas import PASSWORD

    for persona, landing in (("facilitator_t", "/animation/"), ("member_a", "/espace/"), ("superuser", "/animation/")):
        client.logout()
        username = world.users[persona].username
        response = client.post("/connexion/", {"username": username, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == landing, (persona, response.redirect_chain)
        assert response.status_code == 200
    client.logout()
    response = client.get("/animation/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def _many_synergies(world, n):
    from boucle.matching.models import Synergy
    from boucle.testing import make_flow

    a, b = world.sites["A"], world.sites["B"]
    made = []
    for i in range(n):
        offer = make_flow(b, f"Lot de palettes {i}", quantity=10 + i, unit="t", material_class="wood")
        made.append(Synergy.objects.create(offer=offer, need_site=a, material_class="wood", distance_km=100 - i,
                                           quantity_t=10 + i, score=0.5, tonnes_diverted=10 + i,
                                           co2e_avoided_t=float(i), inferred=True))
    return made


def test_the_facilitator_list_is_paged_sorted_and_searchable(world, as_persona):
    made = _many_synergies(world, 30)
    client = as_persona("facilitator_t")
    page = client.get("/animation/synergies/", {"tri": "co2e"}).content.decode()
    links = re.findall(r'href="/synergies/(\d+)/"', page)
    assert len(links) == 25  # one page, not the whole territory
    assert links[0] == str(world.synergies["ab"].pk)  # 3,200 t CO2e first
    assert links[1] == str(made[-1].pk)  # then 29 t, 28 t, ...
    assert "page 1 sur 2" in page
    second = client.get("/animation/synergies/", {"tri": "co2e", "page": "2"}).content.decode()
    assert len(re.findall(r'href="/synergies/(\d+)/"', second)) == 32 - 25
    nearest = client.get("/animation/synergies/", {"tri": "distance"}).content.decode()
    assert re.findall(r'href="/synergies/(\d+)/"', nearest)[0] == str(world.synergies["ab"].pk)  # 6.3 km
    found = client.get("/animation/synergies/", {"q": "cendres"}).content.decode()  # a French material label
    assert set(re.findall(r'href="/synergies/(\d+)/"', found)) == {str(world.synergies["ab"].pk),
                                                                   str(world.synergies["ca"].pk)}
    assert client.get("/animation/synergies/", {"page": "999", "tri": "nonsense"}).status_code == 200


def test_the_facilitator_dashboard_shows_what_waits_for_an_action(world, as_persona):
    from boucle.matching import services

    syn = world.synergies["ab"]
    services.express_interest(syn, world.users["member_b"], True)
    page = as_persona("facilitator_t").get("/animation/").content.decode()
    waiting = page.split('id="h-waiting"', 1)[1].split("</section>", 1)[0]
    assert f'href="/synergies/{syn.pk}/"' in waiting and "intéressée" in waiting
    assert "Chiffres du territoire" in page and "Toutes les synergies" in page
    figures = as_persona("facilitator_t").get("/animation/chiffres/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in figures and "Potentiel du territoire" in figures  # the block htmx drops into the dashboard
    assert 'class="potential-co2e"' in figures and 'id="impact"' in figures


def test_the_company_dashboard_lists_its_flows_proposals_and_awaited_answers(world, as_persona):
    from boucle.matching import services

    syn = world.synergies["ab"]
    page = as_persona("member_a").get("/espace/").content.decode()
    new = page.split('id="h-new"', 1)[1].split("</section>", 1)[0]
    assert f'href="/synergies/{syn.pk}/"' in new
    assert "Cendres pour cru Alphaciment" in page  # its own flow
    assert "Bravotherm" not in page  # the other company stays anonymous
    services.transition(syn, "contacted", world.users["facilitator_t"])
    page = as_persona("member_a").get("/espace/").content.decode()
    awaiting = page.split('id="h-awaiting"', 1)[1].split("</section>", 1)[0]
    assert f'href="/synergies/{syn.pk}/"' in awaiting


def test_import_template_prefills_own_sites_and_imports_back(world, as_persona, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from boucle.flows.models import Flow

    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    client = as_persona("member_a")
    a, b = world.sites["A"], world.sites["B"]
    csv_text = client.get("/espace/import/modele.csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("site_id;direction;label")
    assert lines[1].startswith(f"{a.site_id};offre;") and b.site_id not in csv_text
    filled = csv_text.replace(f"{a.site_id};offre;;", f"{a.site_id};offre;Palettes du modèle;", 1)
    page = client.post("/espace/import/", {"file": SimpleUploadedFile("modele.csv", filled.encode("utf-8-sig"))},
                       follow=True)
    assert Flow.objects.filter(site=a, label="Palettes du modèle", direction="offer").exists(), page.content[:2000]
    assert "prochain rapprochement" in page.content.decode()  # what happens next, on the import's page

    response = client.get("/espace/import/modele.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    data, help_sheet = workbook.worksheets
    assert [c.value for c in data[2]][:3] == [a.site_id, "offre", None]
    assert help_sheet.title == "Aide" and any("SIRET" in str(c.value) for c in help_sheet["C"])
    data["C2"] = "Big bags usagés"
    data["F2"], data["G2"] = 12, "t"
    out = io.BytesIO()
    workbook.save(out)
    client.post("/espace/import/", {"file": SimpleUploadedFile("modele.xlsx", out.getvalue())})
    assert Flow.objects.filter(site=a, label="Big bags usagés", quantity=12, unit="t").exists()
    assert client.get("/espace/import/modele.pdf").status_code == 404


def test_material_picker_shows_french_labels_and_accepts_free_words(world, as_persona):
    from boucle.flows.models import Flow

    client = as_persona("member_a")
    form = client.get("/espace/flux/nouveau/").content.decode()
    assert '<option value="Cendres volantes de charbon">' in form and 'value="fly_ash"' not in form
    base = {"site": world.sites["A"].pk, "direction": "offer", "kind": "material", "ewc": "", "quantity": "",
            "unit": "", "period": "year"}
    response = client.post("/espace/flux/nouveau/", {**base, "label": "Lot A", "material_class": "Cendres volantes de charbon"},
                           follow=True)
    flow = Flow.objects.get(label="Lot A")
    assert flow.material_class == "fly_ash"
    assert "prochain rapprochement" in response.content.decode()  # when matching runs, what comes next
    client.post("/espace/flux/nouveau/", {**base, "label": "Lot B", "material_class": "copeaux de bois de menuiserie"})
    assert Flow.objects.filter(label="Lot B").exists()  # free words are not refused
    edit = client.get(f"/espace/flux/{flow.pk}/").content.decode()
    assert 'value="Cendres volantes de charbon"' in edit


def test_interest_tells_what_happens_and_notifies_the_other_side(world, as_persona, django_capture_on_commit_callbacks):
    from django.core import mail

    from boucle.notifications.models import Notification

    syn = world.synergies["ab"]
    with django_capture_on_commit_callbacks(execute=True):
        page = as_persona("member_a").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"}, follow=True)
    text = page.content.decode()
    assert "animateur du territoire sont prévenus" in text
    assert "masquées" in text
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"member_b", "facilitator_t"}  # the other company and the territory's facilitator, not A again
    assert sorted(r for m in mail.outbox for r in m.to) == ["facilitator_t@example.org", "member_b@example.org"]
    for message in mail.outbox:
        assert not any(s in message.subject + message.body for s in world.secrets["A"])
    inbox = as_persona("member_b").get("/notifications/").content.decode()
    assert "Une entreprise est intéressée" in inbox and f"/synergies/{syn.pk}/" in inbox
    assert "Une entreprise est intéressée" not in as_persona("admin_a").get("/notifications/").content.decode()
    page = as_persona("member_b").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"}, follow=True)
    assert "dévoilées" in page.content.decode()
    assert Notification.objects.filter(user=world.users["member_a"], subject__contains="deux entreprises").exists()


def test_notifications_are_private_and_read_once(world, as_persona):
    from boucle.notifications.models import Notification
    from boucle.notifications.services import notify

    notify([world.users["member_b"]], "Message pour B", "Corps", link="/espace/")
    assert "Message pour B" not in as_persona("member_a").get("/notifications/").content.decode()
    client = as_persona("member_b")
    assert ">1</span>" in client.get("/espace/").content.decode()  # unread count in the header
    assert "nouveau" in client.get("/notifications/").content.decode()
    assert Notification.objects.get(subject="Message pour B").read_at is not None
    assert "nouveau" not in client.get("/notifications/").content.decode()
