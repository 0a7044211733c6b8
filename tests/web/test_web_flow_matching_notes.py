"""A flow the matching cannot use says why on its page, in French and English; it never raises."""

from boucle.flows.models import Site
from boucle.testing import make_flow


def test_unknown_material_and_totals_say_why_on_the_flow_page(world, as_persona):
    site = Site.objects.get(name="Usine Alphaciment")
    unknown = make_flow(site, "Lot 42 bis", quantity=3, unit="t")
    total = make_flow(site, "Déchets dangereux (total déclaré iREP 2017)", quantity=30, unit="t", hazardous=True)
    client = as_persona("member_a")
    page = client.get(f"/espace/flux/{unknown.pk}/").content.decode()
    assert "Matière non reconnue" in page
    page = client.get(f"/espace/flux/{total.pk}/").content.decode()
    assert "total déclaré sur plusieurs matières" in page
    known = world.flows["a_need_ash"]
    page = client.get(f"/espace/flux/{known.pk}/").content.decode()
    assert "Matière non reconnue" not in page and "Activité du site inconnue" not in page


def test_a_site_without_any_known_activity_is_told_no_need_can_be_inferred(world, as_persona):
    site = Site.objects.get(name="Usine Alphaciment")
    Site.objects.filter(pk=site.pk).update(naf=None, activity="", name="Établissement 12")
    flow = world.flows["a_need_ash"]
    client = as_persona("member_a")
    client.cookies["django_language"] = "en"
    page = client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Activité du site inconnue" in page or "activity is unknown" in page


def _page(client, flow, lang="fr"):
    client.cookies["django_language"] = lang
    return client.get(f"/espace/flux/{flow.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()


def test_an_offer_with_a_current_proposal_has_no_reason_shown(world, as_persona):
    page = _page(as_persona("member_b"), world.flows["b_offer_ash"])
    assert "Mise en relation" not in page


def test_an_offer_whose_proposal_went_stale_is_told_what_happens_next(world, as_persona):
    world.synergies["ab"].__class__.objects.filter(pk=world.synergies["ab"].pk).update(stale=True)
    page = _page(as_persona("member_b"), world.flows["b_offer_ash"])
    # the cement plant 6 km away takes fly ash: the next run will propose it again
    assert "les propositions apparaîtront au prochain lancement de la mise en relation" in page


def test_a_hazardous_offer_without_authorised_site_around_says_so_to_the_company_and_the_facilitator(world, as_persona):
    # the power station 6 km away may burn spent solvents, not treat a metal hydroxide sludge; the paper mill
    # is 290 km away
    site = world.sites["A"]
    flow = make_flow(site, "Boues d'hydroxydes métalliques", quantity=12, unit="t", hazardous=True)
    for persona in ("member_a", "facilitator_t"):
        page = _page(as_persona(persona), flow)
        assert "Déchet dangereux : aucun site à moins de 200 km n&#x27;a une activité qui peut traiter ce type de " \
               "déchet" in page, persona
    page = _page(as_persona("member_a"), flow, "en")
    assert "Hazardous waste: no site within 200 km has an activity that may treat this type of waste" in page


def test_an_offer_alone_in_the_radius_says_nobody_is_around(world, as_persona, settings):
    settings.BOUCLE_MATCH_RADIUS_KM = 1.5
    flow = make_flow(world.sites["C"], "Sciure de bois", quantity=80, unit="t")
    page = _page(as_persona("superuser"), flow)
    assert "Aucun autre site à moins de 1,5 km : personne autour à qui proposer cette offre." in page


def test_an_offer_among_sites_of_unknown_activity_says_no_receiver_can_be_inferred(world, as_persona):
    Site.objects.filter(pk=world.sites["B"].pk).update(naf=None, activity="", name="Établissement 12")
    Site.objects.filter(pk=world.sites["C"].pk).update(naf=None, activity="", name="Établissement 13")
    world.flows["a_need_ash"].delete()
    flow = make_flow(world.sites["A"], "Sciure de bois", quantity=80, unit="t")
    unknown = "L&#x27;activité d&#x27;aucun site à moins de 200 km n&#x27;est connue"
    # the coal fly ash the power station offers still betrays its trade, name or not
    assert unknown not in _page(as_persona("member_a"), flow)
    world.flows["b_offer_ash"].delete()
    assert unknown in _page(as_persona("member_a"), flow)
