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
    # sawdust goes to them as receivers of last resort (their cards say their activity is unknown)
    assert unknown not in _page(as_persona("member_a"), flow)
    # a hazardous waste never does: the page says no receiver can be inferred
    solvents = make_flow(world.sites["A"], "Solvants usés", quantity=8, unit="t", hazardous=True)
    assert unknown in _page(as_persona("member_a"), solvents)


def test_heat_beyond_its_break_even_distance_is_not_told_to_change_its_current_fate(world, as_persona, monkeypatch):
    """The demo foundry's waste heat read « l'échange n'éviterait rien par rapport à ce que devient ce flux
    aujourd'hui … Précisez ce devenir », while its heat is lost today and its receivers are only too far for a pipe
    to pay for itself: the page says that, in French and English."""
    from boucle.matching import pipeline

    monkeypatch.setattr(pipeline, "why_no_receiver", lambda *a, **k: ["heat_too_far"])
    flow = make_flow(world.sites["A"], "Chaleur fatale des fours", kind="energy", quantity=4500, unit="MWh",
                     temperature_c=150)
    page = _page(as_persona("member_a"), flow)
    assert "aucun n&#x27;est assez proche pour cette quantité" in page and "Précisez ce devenir" not in page
    page = _page(as_persona("member_a"), flow, "en")
    assert "none is close enough for this quantity" in page


def test_a_need_without_proposal_says_whether_offers_of_its_material_are_around(world, as_persona):
    """The demo foundry's need « Ferrailles triées, 7 500 t/an » had no proposal and its page said nothing, with
    233 scrap offers in the region: a need without a current proposal says whether offers of its material are
    declared within the matching's radius, and that each offer goes to its most plausible receivers first."""
    from boucle.testing import make_site

    near = make_flow(world.sites["A"], "Cendres volantes pour un second four", direction="need", quantity=500, unit="t",
                     material_class="fly_ash")  # B offers fly ash 6 km away, proposed to A's other need
    page = _page(as_persona("member_a"), near)
    assert "1 offre de cette matière est déclarée à moins de 200 km" in page, page
    assert "receveurs les plus plausibles" in page
    english = _page(as_persona("member_a"), near, "en")
    assert "1 offer of this material is declared within 200 km" in english
    far = make_site("Chaudronnerie Delta", lat=43.30, lon=5.37, commune="57463", naf="17.12Z")
    from boucle.accounts.models import Membership

    Membership.objects.create(user=world.users["member_a"], company=far.company, role="admin")
    alone = make_flow(far, "Cendres volantes", direction="need", quantity=500, unit="t", material_class="fly_ash")
    assert "Aucune offre de cette matière n&#x27;est déclarée à moins de 200 km" in _page(as_persona("member_a"), alone)
    # a need with a current proposal says nothing
    assert "Mise en relation" not in _page(as_persona("member_a"), world.flows["a_need_ash"])


def test_a_heat_need_counts_the_offers_within_the_distance_heat_is_matched_not_200_km(world, as_persona):
    """A need of hot water read « 1 offre de cette matière est déclarée à moins de 200 km » for an offer 6 km away
    that the matching never proposes (heat is matched within 5 km, steam and cold 3 km): the page counts the offers
    within the distance the matching uses for that kind, and says why it is short, in French and English."""
    from boucle.accounts.models import Membership
    from boucle.testing import make_site

    need = make_flow(world.sites["A"], "Eau chaude pour le séchage", direction="need", kind="energy", quantity=900,
                     unit="MWh", material_class="hot_water")
    make_flow(world.sites["B"], "Eau chaude de la centrale", kind="energy", quantity=2000, unit="MWh",
              material_class="hot_water")  # 6 km from A: within 200 km, beyond the 5 km heat reach
    page = _page(as_persona("member_a"), need)
    assert "Aucune offre de cette matière n&#x27;est déclarée à moins de 5 km" in page, page
    assert "200 km" not in page
    assert "ne sont cherchés qu&#x27;à moins de 5 km" in page
    english = _page(as_persona("member_a"), need, "en")
    assert "No offer of this material is declared within 5 km" in english
    assert "are only looked for within 5 km" in english
    near = make_site("Blanchisserie Echo", lat=50.640, lon=3.070, commune="59350", naf="96.01A")  # ~1.2 km from A
    Membership.objects.create(user=world.users["member_a"], company=near.company, role="admin")
    make_flow(near, "Eau chaude des sécheurs", kind="energy", quantity=700, unit="MWh", material_class="hot_water")
    page = _page(as_persona("member_a"), need)
    assert "1 offre de cette matière est déclarée à moins de 5 km" in page, page
    # a material need keeps the matching's radius, with no word about heat
    page = _page(as_persona("member_a"), make_flow(world.sites["A"], "Cendres volantes d'un second four", direction="need",
                                                    quantity=500, unit="t", material_class="fly_ash"))
    assert "à moins de 200 km" in page and "ne sont cherchés" not in page, page[page.find("Mise en relation"):][:1500]


def test_a_heat_offer_words_its_reasons_with_the_distance_heat_is_matched(world, as_persona, monkeypatch):
    from boucle.matching import pipeline

    seen = {}

    def why(flow, site, around, needs=(), radius_km=200.0):
        seen["radius"] = radius_km
        return ["heat_too_far"]

    monkeypatch.setattr(pipeline, "why_no_receiver", why)
    flow = make_flow(world.sites["A"], "Vapeur excédentaire", kind="energy", quantity=4500, unit="MWh",
                     material_class="steam", temperature_c=180)
    page = _page(as_persona("member_a"), flow)
    assert seen["radius"] == 3.0
    assert "Des sites à moins de 3 km pourraient utiliser cette chaleur" in page, page
