"""What a fresh facilitator met following a synergy to a working exchange (session reader7): the other
company had no account and the page told her to invite it « depuis la page de leur entreprise », a page
she was refused (403). She now invites from the synergy page, and the invited person can answer."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from boucle.accounts.models import Membership
from boucle.matching import lifecycle
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site


@pytest.fixture
def without_account(world):
    """Company D, in territory T (Lille) like A, with nobody on Boucle; A's offer is proposed to D's need."""
    d = make_site("Délta Chauffage", lat=50.62, lon=3.05, commune="59350", naf="35.30Z")
    need = make_flow(d, "Cendres pour remblai Délta", direction="need", quantity=500, unit="t",
                     material_class="fly_ash")
    offer = make_flow(world.sites["A"], "Cendres Alphaciment", quantity=900, unit="t", material_class="fly_ash")
    synergy = Synergy.objects.create(offer=offer, need=need, need_site=d, material_class="fly_ash", distance_km=1.2,
                                     quantity_t=500, score=0.8, tonnes_diverted=500,
                                     status=lifecycle.IN_DISCUSSION, offer_interest=True)
    return d, synergy


def test_the_synergy_page_links_the_facilitator_to_inviting_the_company_without_account(world, as_persona,
                                                                                        without_account):
    d, synergy = without_account
    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[synergy.pk])).content.decode()
    invite = reverse("company-members", args=[d.company_id])
    assert "Délta Chauffage n'a pas encore de compte sur Boucle" in page
    assert f'href="{invite}?synergie={synergy.pk}"' in page
    # A, which said yes and has members, is not to invite
    assert reverse("company-members", args=[world.sites["A"].company_id]) not in page


def test_a_facilitator_of_the_territory_invites_the_first_person_who_then_answers(world, as_persona, client,
                                                                                 without_account):
    d, synergy = without_account
    facilitator = as_persona("facilitator_t")
    members_page = facilitator.get(reverse("company-members", args=[d.company_id]), {"synergie": synergy.pk})
    assert members_page.status_code == 200  # was 403: only the company's own administrators
    page = members_page.content.decode()
    assert f'href="/synergies/{synergy.pk}/">Retour à la synergie</a>' in page
    assert "Personne de cette entreprise n'a encore de compte sur Boucle" in page
    assert '<option value="admin" selected>' in page  # the first person administers the company
    facilitator.post(reverse("company-members", args=[d.company_id]), {"email": "chef@delta.example", "role": "admin"})
    path = re.search(r"https?://[^/]+(/invitation/\S+/)", mail.outbox[-1].body).group(1)
    client.logout()
    assert client.post(path, {"username": "chef_delta", "new_password1": "a fine new passphrase 9",
                              "new_password2": "a fine new passphrase 9"}).status_code == 302
    assert Membership.objects.get(user__username="chef_delta").company_id == d.company_id
    client.post(reverse("synergy-interest", args=[synergy.pk]), {"answer": "yes"})
    synergy.refresh_from_db()
    assert synergy.both_agreed  # the facilitator can now move it to trial and running


def test_a_facilitator_of_another_territory_cannot_invite(world, as_persona, without_account):
    d, _synergy = without_account
    assert as_persona("facilitator_other").get(reverse("company-members", args=[d.company_id])).status_code == 403
    assert as_persona("member_b").get(reverse("company-members", args=[d.company_id])).status_code == 403


def test_once_the_company_has_someone_on_boucle_it_alone_decides_who_joins(world, as_persona):
    """A facilitator brings a company on board only while nobody of it has an account: company A has its
    administrator, so the facilitator of its territory can neither see its invitation page nor invite."""
    facilitator = as_persona("facilitator_t")
    company = world.sites["A"].company_id
    assert facilitator.get(reverse("company-members", args=[company])).status_code == 403
    posted = facilitator.post(reverse("company-members", args=[company]), {"email": "x@example.org", "role": "admin"})
    assert posted.status_code == 403
    assert not world.sites["A"].company.memberships.filter(user__email="x@example.org").exists()


def test_a_synergy_in_discussion_waiting_for_the_other_yes_is_on_the_facilitator_s_to_do_list(world, as_persona,
                                                                                           without_account):
    """The dashboard's « À traiter » read « Rien n'attend votre action » while a synergy in discussion waited for the
    yes of a company nobody had invited: no trial was possible until she acted."""
    _d, synergy = without_account
    page = as_persona("facilitator_t").get(reverse("facilitator-home")).content.decode()
    to_do = page.split("Entreprises qui ont répondu", 1)[0]
    assert f'href="/synergies/{synergy.pk}/"' in to_do and "Rien n'attend votre action" not in to_do
    Synergy.objects.filter(pk=synergy.pk).update(need_interest=True)  # both yes: the next step is hers, in the list
    from django.core.cache import cache

    cache.clear()
    page = as_persona("facilitator_t").get(reverse("facilitator-home")).content.decode()
    assert f'href="/synergies/{synergy.pk}/"' not in page.split("Entreprises qui ont répondu", 1)[0]


def test_the_invited_company_finds_the_synergy_waiting_for_its_answer_on_its_dashboard(world, as_persona, client,
                                                                                     without_account):
    """Invited while the synergy was in discussion, the new member read « Aucune réponse attendue de votre part »:
    the list held contacted synergies only."""
    d, synergy = without_account
    as_persona("facilitator_t").post(reverse("company-members", args=[d.company_id]),
                                     {"email": "chef@delta.example", "role": "admin"})
    path = re.search(r"https?://[^/]+(/invitation/\S+/)", mail.outbox[-1].body).group(1)
    client.logout()
    client.post(path, {"username": "chef_delta", "new_password1": "a fine new passphrase 9",
                       "new_password2": "a fine new passphrase 9"})
    page = client.get(reverse("company-home")).content.decode()
    waiting = page.split("Réponses attendues", 1)[1].split("Nouvelles propositions", 1)[0]
    assert f'href="/synergies/{synergy.pk}/"' in waiting and "Aucune réponse attendue" not in waiting


@pytest.mark.parametrize("lang, material, crm", [("fr", "Batteries au plomb", "Matières premières critiques</span> :"),
                                                 ("en", "Lead-acid batteries", "Critical raw materials</span>: ")])
def test_a_company_reads_the_material_boucle_understood_in_its_flow_list(world, as_persona, lang, material, crm):
    """A company declared « Batteries usagées de chariots » and its flow list never said which material Boucle read
    (only a page of proposals did); the critical raw materials note read « Critical raw materials : » in English."""
    make_flow(world.sites["A"], "Batteries usagées de chariots", quantity=3, unit="t",
              material_class="batteries_lead_acid")
    client = as_persona("admin_a")
    client.cookies["django_language"] = lang
    page = client.get(reverse("site-flows", args=[world.sites["A"].pk])).content.decode()
    row = page.split("Batteries usagées de chariots", 1)[1].split("</tr>", 1)[0]
    assert f"<td>{material}</td>" in row and crm in row
