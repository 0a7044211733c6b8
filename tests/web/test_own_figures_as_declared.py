"""A company reads its own flows as it declared them: on a synergy card its own side shows « 40 000 t/an »,
not the bracket « 10 000 à 100 000 t/an » meant to hide a partner's quantity; and the flow form shows the
quantity it typed (« 60000 »), not the stored float « 60000.0 »."""

import re

from django.urls import reverse


def _text(response):
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def test_the_own_side_of_a_card_is_exact_and_the_anonymous_side_a_bracket(world, as_persona):
    syn = world.synergies["ab"]  # B offers 60 000 t, A needs 40 000 t; neither sees the other yet
    page = _text(as_persona("member_a").get(reverse("synergy-detail", args=[syn.pk])))
    assert "Cendres pour cru Alphaciment, 40 000 t/an" in page
    assert "Entreprise anonyme" in page and "10 000 à 100 000 t/an" in page and "60 000" not in page
    page = _text(as_persona("member_b").get(reverse("synergy-detail", args=[syn.pk])))
    assert "Cendres volantes tranche Bravotherm, 60 000 t/an" in page and "40 000" not in page


def test_the_flow_form_shows_the_quantity_as_typed(world, as_persona):
    flow = world.flows["b_offer_ash"]
    page = as_persona("member_b").get(reverse("flow-edit", args=[flow.pk])).content.decode()
    field = re.search(r'<input[^>]*name="quantity"[^>]*>', page).group(0)
    assert 'value="60000"' in field, field


def test_the_estimated_exchange_never_reads_more_than_the_own_quantity(world, as_persona):
    """The demo foundry offering 1 400 t/an read « Impact estimé : 1 000 à 10 000 t/an »: up to seven times what it
    has. The bracket that hides the partner's quantity stops at the reader's own (the exchange is the smaller of
    the two, so this tells nothing new); the partner's quantity stays hidden."""
    syn = world.synergies["ab"]  # B offers 60 000 t, A needs 40 000 t: 40 000 t exchanged
    for persona, own in (("member_b", "60 000"), ("member_a", "40 000")):
        page = _text(as_persona(persona).get(reverse("synergy-detail", args=[syn.pk])))
        impact = page.split("Impact estimé", 1)[1].split("</dd>", 1)[0]
        assert f"10 000 à {own} t/an" in impact and "100 000" not in impact, (persona, impact)
    page = _text(as_persona("member_b").get(reverse("synergy-detail", args=[syn.pk])))
    assert "40 000" not in page
