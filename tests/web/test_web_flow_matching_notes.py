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
