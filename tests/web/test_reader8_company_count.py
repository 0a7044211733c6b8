"""The facilitator's dashboard counts every company with a site; the observatory and the report count those
that declared a flow. A facilitator comparing the two pages reads both figures on the dashboard."""

from django.urls import reverse

from boucle.testing import make_site


def test_the_dashboard_says_how_many_companies_declared_a_flow_as_the_observatory_does(world, as_persona):
    make_site("Menuiserie sans flux", lat=50.63, lon=3.06, commune="59350")  # imported, nothing declared yet
    page = as_persona("facilitator_t").get(reverse("facilitator-figures")).content.decode()
    assert '<span class="value">3</span>Entreprises' in page
    assert "dont 2 déclarantes (au moins un flux), le chiffre de l'observatoire" in page


def test_nothing_is_added_when_every_company_declared(world, as_persona):
    page = as_persona("facilitator_t").get(reverse("facilitator-figures")).content.decode()
    assert "déclarantes (au moins un flux)" not in page


def test_a_company_s_import_of_several_flows_says_what_happens_to_them_in_the_plural(world, as_persona, settings,
                                                                                      tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from boucle.jobs.models import Job

    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    a = world.sites["A"].site_id
    text = f"Identifiant site;Sens;Libellé;Quantité;Unité\n{a};offre;Chutes de tissu;12,5;t\n{a};besoin;Palettes;20;t\n"
    client = as_persona("member_a")
    response = client.post(reverse("flow-import"), {"file": SimpleUploadedFile("flux.csv", text.encode("cp1252"))})
    job = Job.objects.get(kind="import")
    assert job.state == "done" and job.result["created"] == 2, job.result
    page = client.get(response["Location"]).content.decode()
    assert "Vos flux seront comparés aux offres et besoins" in page and "Votre flux sera" not in page
