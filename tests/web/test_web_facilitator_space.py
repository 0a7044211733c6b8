"""The facilitator space: map filters, matching runs, workshop rows, status filter."""

from boucle.flows.models import Flow
from boucle.matching.models import MatchingRun
from boucle.testing import make_flow
from web_personas import EPCI_T


def test_map_filters_sites_by_kind_and_direction(world, as_persona):
    make_flow(world.sites["A"], "Chaleur fatale four", kind="energy", quantity=None)
    client = as_persona("facilitator_t")
    names = lambda **q: {s["name"] for s in client.get("/carte/sites.json", q).json()["sites"]}  # noqa: E731
    assert names() == {"Usine Alphaciment", "Centrale Bravotherm"}
    assert names(kind="energy") == {"Usine Alphaciment"}
    assert names(direction="offer") == {"Usine Alphaciment", "Centrale Bravotherm"}
    assert names(kind="material", direction="need") == {"Usine Alphaciment"}


def test_facilitator_runs_the_matching_for_her_territory_only(world, as_persona):
    client = as_persona("facilitator_t")
    client.post("/animation/rapprochement/", {"territory": f"epci:{EPCI_T}", "radius_km": "30"})
    assert MatchingRun.objects.filter(territory=f"epci:{EPCI_T}", started_by=world.users["facilitator_t"]).exists()
    response = client.post("/animation/rapprochement/", {"territory": "epci:200039865", "radius_km": "30"})
    assert response.status_code == 403


def test_workshop_keeps_invalid_rows_and_saves_valid_ones(world, as_persona):
    client = as_persona("facilitator_t")
    row = lambda i, site, label, unit="t": {  # noqa: E731
        f"row-{i}-site": site.pk, f"row-{i}-direction": "offer", f"row-{i}-kind": "material",
        f"row-{i}-label": label, f"row-{i}-quantity": "3", f"row-{i}-unit": unit, f"row-{i}-period": "year"}
    data = {**row(0, world.sites["A"], "Big bags"), **row(1, world.sites["B"], "Chaleur en tonnes", unit="MWh"),
            **row(2, world.sites["C"], "Hors territoire"), "row-3-label": ""}
    page = client.post("/animation/atelier/", data).content.decode()
    assert Flow.objects.filter(label="Big bags", source="workshop", confidential=True).exists()
    assert not Flow.objects.filter(label__in=["Chaleur en tonnes", "Hors territoire"]).exists()
    assert "Chaleur en tonnes" in page and "ne convient pas" in page  # kept, with its error
    assert "Hors territoire" in page and "Charliepap" not in page


def test_status_filter_on_the_facilitator_home(world, as_persona):
    client = as_persona("facilitator_t")
    page = client.get("/animation/synergies/", {"statut": "running"}).content.decode()
    assert f"/synergies/{world.synergies['ab'].pk}/" not in page
    page = client.get("/animation/synergies/", {"statut": "suggested"}).content.decode()
    assert f"/synergies/{world.synergies['ab'].pk}/" in page


def test_two_identical_cards_in_one_workshop_save_once(world, as_persona):
    client = as_persona("facilitator_t")
    card = {"site": world.sites["A"].pk, "direction": "offer", "kind": "material", "label": "Bidons",
            "period": "year"}
    data = {f"row-{i}-{k}": v for i in (0, 1) for k, v in card.items()}
    page = client.post("/animation/atelier/", data)
    assert page.status_code == 200 and "déclare déjà ce flux" in page.content.decode()
    assert Flow.objects.filter(label="Bidons").count() == 1


def test_introducing_parties_mails_both_companies_without_names(world, as_persona,
                                                                django_capture_on_commit_callbacks):
    from django.core import mail

    syn = world.synergies["ab"]
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave once the status change is committed
        as_persona("facilitator_t").post(f"/animation/synergies/{syn.pk}/statut/", {"target": "contacted"})
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["admin_a@example.org", "member_a@example.org", "member_b@example.org"]
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Cendres volantes de charbon" in text and f"/synergies/{syn.pk}/" in text
        # the material follows a colon: a label with its own brackets (« Laitier (LD) ») never reads « ((…)) »
        assert message.subject.endswith("Une synergie vous est proposée : Cendres volantes de charbon")
        assert not any(s in text for s in world.secrets["A"] + world.secrets["B"])


def test_new_flows_on_the_dashboard_lead_with_their_label(world, as_persona):
    """« SITA Nord : offre matière, acier » read as one raw phrase; the flow's own words come first."""
    import re
    from html import unescape

    make_flow(world.sites["A"], "Chutes d'acier inox", quantity=40, unit="t")
    html = as_persona("facilitator_t").get("/animation/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    section = html[html.index('id="h-flows"'):]
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", section)).split())
    assert re.search(r"\S+ : Chutes d'acier inox \(offre, matière\)", text), text[:300]
    assert "offre matière" not in text
