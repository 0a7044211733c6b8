"""The demo territory comes with the region's call for projects and a few shared machines."""

from django.contrib.auth import get_user_model

from boucle.flows.models import Site
from boucle.projects.demo import TITLE, load_demo_call
from boucle.projects.models import Call
from boucle.sharing.demo import ILLUSTRATIVE, load_demo_equipment
from boucle.sharing.models import Equipment


def test_demo_call_is_published_open_and_loaded_once(client, world):
    author = get_user_model().objects.get(username="facilitator_t")
    call, created = load_demo_call("32", author)
    assert created and call.status == "published"
    assert call.opens_on <= call.closes_on and call.questions[0] == "Présentation synthétique"
    assert load_demo_call("32", author) == (call, False) and Call.objects.count() == 1
    page = client.get("/appels/").content.decode()
    assert TITLE in page  # the public sees the open call


def test_demo_equipment_is_typical_of_the_site_and_anonymised_to_others(world, as_persona):
    sites = Site.objects.all()
    made = load_demo_equipment(sites)
    assert made >= 1 and load_demo_equipment(sites) == 0  # idempotent
    oven = Equipment.objects.get(category="oven")  # world's site A is a cement plant (NAF 23)
    assert oven.site == world.sites["A"] and oven.description == ILLUSTRATIVE
    page = as_persona("member_b").get("/equipements/").content.decode()
    assert "four, étuve" in page  # what it is and where (commune), not whose
    assert "Four de cuisson intermittent" not in page and world.sites["A"].company.name not in page
    assert "Four de cuisson intermittent" in as_persona("member_a").get("/equipements/").content.decode()
