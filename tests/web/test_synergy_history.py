"""A company's « oui » is part of the synergy's history: the facilitator's follow-up says who accepted to meet, for
which company and when, in words; a company reads its own answers only, as on its card."""

from boucle.matching.models import InterestAnswer


def _history(client, synergy, lang="fr"):
    client.cookies["django_language"] = lang
    page = client.get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode().replace("&#x27;", "'")
    assert "<ol class=\"history\">" in page, page
    return page.split("<ol class=\"history\">")[1].split("</ol>")[0]


def test_the_facilitator_reads_who_said_yes_and_when(world, as_persona):
    syn = world.synergies["ab"]  # offered by Bravotherm (B), needed by Alphaciment (A)
    world.users["member_a"].first_name, world.users["member_a"].last_name = "Anne", "Martin"
    world.users["member_a"].save()
    as_persona("member_a").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"})
    as_persona("member_a").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"})  # the same answer again
    assert InterestAnswer.objects.filter(synergy=syn).count() == 1
    history = _history(as_persona("facilitator_t"), syn)
    assert "Alphaciment SA a accepté la mise en relation (réponse donnée par Anne Martin)" in history, history
    assert "<time datetime=" in history
    assert "need" not in history and "True" not in history  # no stored value in the text
    # the other company, not yet revealed to it, does not read that answer in its history
    page = as_persona("member_b").get(f"/synergies/{syn.pk}/").content.decode()
    assert "a accepté la mise en relation" not in page and "Anne Martin" not in page
    # the answering company reads its own answer, without the facilitator's detail of who clicked
    own = _history(as_persona("member_a"), syn)
    assert "Alphaciment SA a accepté la mise en relation" in own and "réponse donnée par" not in own
    # the second yes reveals both companies to each other: said once, in both histories
    as_persona("member_b").post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"})
    history = _history(as_persona("facilitator_t"), syn)
    # member_b gave no name: the company says who, never the login (often an e-mail address)
    assert "Bravotherm SAS a accepté la mise en relation</li>" in history and "member_b" not in history
    assert history.index("Alphaciment SA a accepté") < history.index("Bravotherm SAS a accepté") \
        < history.index("Les deux entreprises ont accepté : chacune voit maintenant qui est l'autre.")
    assert "Bravotherm SAS a accepté" not in _history(as_persona("member_a"), syn)
    english = _history(as_persona("facilitator_t"), syn, "en")
    assert "Alphaciment SA agreed to be put in touch (answered by Anne Martin)" in english, english
    # a no after the yes is said too
    as_persona("member_b").post(f"/synergies/{syn.pk}/interet/", {"answer": "no"})
    assert "Bravotherm SAS a décliné la mise en relation" in _history(as_persona("facilitator_t"), syn)
