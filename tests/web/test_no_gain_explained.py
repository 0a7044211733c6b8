"""A proposal for material already recycled today changes nothing when the route holds: the card says so,
assumed (the material's documented default) or declared by the company (then kept only while the
quantity is unknown: with one, ``boucle match`` leaves the pair out)."""

from django.urls import reverse


def _card(world, as_persona, **explanation):
    syn = world.synergies["ab"]
    syn.explanation = {**(syn.explanation or {}), **explanation}
    syn.save()
    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[syn.pk])).content.decode()
    return page.replace("\xa0", " ").replace("&#x27;", "'")


def test_an_assumed_recycling_route_is_explained(world, as_persona):
    page = _card(world, as_persona, current_route="recycling", current_route_assumed=True)
    assert "supposé : déjà vendu pour recyclage ; si c'est bien le cas, l'échange ne change pas son traitement" in page


def test_a_declared_recycling_route_is_explained(world, as_persona):
    page = _card(world, as_persona, current_route="recycling", current_route_assumed=False)
    assert "Déjà vendu pour recyclage aujourd'hui (déclaré par l'entreprise) : l'échange ne change pas" in page


def test_a_landfill_route_says_nothing_of_the_kind(world, as_persona):
    page = _card(world, as_persona, current_route="landfill", current_route_assumed=True)
    assert "supposé : mise en décharge" in page and "ne change pas son traitement" not in page
