"""Each person reads a notification in their own language, whoever acted and in whatever language.

A French facilitator puts two companies in touch: the English-speaking manager reads English, in the
application and in the e-mail; an English-speaking company answers: the French facilitator reads French.
"""

import importlib

import pytest
from django.core import mail

from boucle.accounts.language import language_of
from boucle.accounts.models import Profile
from boucle.jobs import services as jobs
from boucle.notifications.messages import Message
from boucle.notifications.models import Notification
from boucle.notifications.services import notify
from web_personas import PASSWORD

FR_INTRO, EN_INTRO = "Une synergie vous est proposée : Cendres volantes de charbon", \
    "A synergy is proposed to you: Coal fly ash"
FR_INTERESTED, EN_INTERESTED = "Une entreprise est intéressée (Cendres volantes de charbon)", \
    "A company is interested (Coal fly ash)"


def _speaks(user, language):
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def _mail_to(address):
    found = [m for m in mail.outbox if m.to == [address]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def _inbox(client, language):
    client.cookies["django_language"] = language
    return client.get("/notifications/").content.decode()


def test_a_french_facilitator_puts_an_english_manager_in_touch(world, as_persona, django_capture_on_commit_callbacks):
    _speaks(world.users["facilitator_t"], "fr")
    _speaks(world.users["member_a"], "en")  # member_b never chose: the platform's language, French
    syn = world.synergies["ab"]
    client = as_persona("facilitator_t")
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/animation/synergies/{syn.pk}/statut/", {"target": "contacted"}, follow=True)
    assert "personnes prévenues" in page.content.decode()  # the actor reads their own language

    english, french = _mail_to("member_a@example.org"), _mail_to("member_b@example.org")
    assert english.subject == f"Boucle: {EN_INTRO}" and "Say whether you are interested" in english.body
    assert "Cendres" not in english.subject + english.body
    assert french.subject == f"Boucle : {FR_INTRO}" and "Dites si vous êtes intéressé" in french.body
    assert f"/synergies/{syn.pk}/" in english.body

    inbox = _inbox(as_persona("member_a"), "en")
    assert EN_INTRO in inbox and "Une synergie" not in inbox
    assert FR_INTRO in _inbox(as_persona("member_b"), "fr")


def test_an_english_company_answers_a_french_facilitator(world, as_persona, django_capture_on_commit_callbacks):
    _speaks(world.users["facilitator_t"], "fr")
    _speaks(world.users["member_b"], "fr")
    _speaks(world.users["member_a"], "en")
    syn = world.synergies["ab"]
    client = as_persona("member_a")
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/synergies/{syn.pk}/interet/", {"answer": "yes"}, follow=True)
    assert "Answer saved: interested." in page.content.decode()

    to_facilitator, to_partner = _mail_to("facilitator_t@example.org"), _mail_to("member_b@example.org")
    assert to_facilitator.subject == f"Boucle : {FR_INTERESTED}" and "proposez la mise en relation" in to_facilitator.body
    assert to_partner.subject == f"Boucle : {FR_INTERESTED}" and "Coal" not in to_partner.body
    assert FR_INTERESTED in _inbox(as_persona("facilitator_t"), "fr")


def test_the_list_follows_the_reader_who_switches_language(world, as_persona):
    """Stored as a key and a material code, a notification is read in the reader's language of the moment."""
    notify([world.users["member_a"]], Message("synergy.introduced", material="fly_ash"))
    row = Notification.objects.get()
    assert (row.message, row.params) == ("synergy.introduced", {"material": "fly_ash"})
    assert row.subject == FR_INTRO  # the words at writing time, in the recipient's language, for the admin
    client = as_persona("member_a")
    assert EN_INTRO in _inbox(client, "en")
    assert FR_INTRO in _inbox(client, "fr")


def test_the_language_is_kept_at_login_and_when_switched(world, client):
    user = world.users["member_b"]
    assert language_of(user) == "fr"
    client.cookies["django_language"] = "en"
    client.post("/connexion/", {"username": "member_b", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert language_of(user) == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert language_of(user) == "fr"
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})  # not offered: nothing kept
    assert language_of(user) == "fr"


def test_a_script_message_is_shown_as_written(world, as_persona):
    notify([world.users["member_b"]], "Maintenance samedi", "Le site sera fermé.")
    assert "Maintenance samedi" in _inbox(as_persona("member_b"), "en")


def test_an_email_job_queued_by_the_earlier_version_still_sends_its_words(world, django_capture_on_commit_callbacks):
    notify([world.users["member_b"]], "Objet", "Texte")
    ids = list(Notification.objects.values_list("pk", flat=True))
    job = jobs.submit("email", "", {"notifications": ids, "subject": "Boucle : Objet", "text": "Texte\n\nhttp://x/"})
    job = jobs.execute(job.pk)
    assert job.state == "done" and [(m.subject, m.body) for m in mail.outbox][-1] == ("Boucle : Objet",
                                                                                      "Texte\n\nhttp://x/")


@pytest.mark.parametrize("subject, body, expected", [
    (FR_INTRO, "L'animatrice ou l'animateur de votre territoire vous met en relation pour cette synergie. Dites si "
               "vous êtes intéressé : vos coordonnées ne sont dévoilées à l'autre entreprise que si elle répond oui "
               "elle aussi.", ("synergy.introduced", {"material": "fly_ash"})),
    (EN_INTERESTED, "One of the two companies answered “Interested” to this proposal: offer the other company to be "
                    "put in touch, or move the synergy forward. The other company has no account on Boucle yet: get "
                    "in touch with it.", ("synergy.interested.facilitator.no_account", {"material": "fly_ash"})),
    ("Une entreprise décline une synergie (Matière inconnue)",
     "Une des deux entreprises a répondu « Pas intéressé » à cette proposition.",
     ("synergy.declined", {"material_text": "Matière inconnue"})),
    ("Maintenance samedi", "Le site sera fermé.", None),
])
def test_rows_written_before_keys_are_recognised_in_either_language(subject, body, expected):
    migration = importlib.import_module("boucle.notifications.migrations.0004_existing_messages")
    assert migration.recognise(subject, body, migration._patterns(), migration._materials()) == expected


def test_a_recognised_old_row_reads_in_the_readers_language(world, as_persona):
    from boucle.notifications.messages import render

    subject, body = render("synergy.revealed", {"material_text": "Boues"}, "en")
    assert subject == "Both companies are interested (Boues)"


def test_the_migration_gives_old_rows_their_key_and_leaves_the_rest(world, as_persona):
    """Run on the test database (SQLite, PostgreSQL in CI): rows written in French and in English before keys."""
    from django.apps import apps

    migration = importlib.import_module("boucle.notifications.migrations.0004_existing_messages")
    a, b = world.users["member_a"], world.users["member_b"]
    intro_fr = Notification.objects.create(user=a, subject=FR_INTRO, body=(
        "L'animatrice ou l'animateur de votre territoire vous met en relation pour cette synergie. Dites si vous êtes "
        "intéressé : vos coordonnées ne sont dévoilées à l'autre entreprise que si elle répond oui elle aussi."))
    interested_en = Notification.objects.create(user=b, subject=EN_INTERESTED, body=(
        "A company said it is interested in a synergy that concerns you. The two companies' details are revealed "
        "only if the other one answers “Interested” too."))
    script = Notification.objects.create(user=b, subject="Maintenance samedi", body="Le site sera fermé.")
    migration.forward(apps, None)  # the data step alone (it uses no schema editor)
    for row in (intro_fr, interested_en, script):
        row.refresh_from_db()
    assert (intro_fr.message, intro_fr.params) == ("synergy.introduced", {"material": "fly_ash"})
    assert (interested_en.message, interested_en.params) == ("synergy.interested", {"material": "fly_ash"})
    assert (script.message, script.params) == ("", {})
    assert EN_INTRO in _inbox(as_persona("member_a"), "en")  # written in French, read in English
    assert FR_INTERESTED in _inbox(as_persona("member_b"), "fr")
