"""E-mails sent when a company answers a synergy: one recipient per message (no company reads another's
addresses in To or Cc), and nothing identifying the other company until both said yes."""

from django.core import mail
from django.urls import reverse

from web_personas import forbidden_secrets

PERSONA_OF = {"member_a@example.org": "member_a", "admin_a@example.org": "admin_a",
              "member_b@example.org": "member_b", "facilitator_t@example.org": "facilitator_t"}


def _answer(as_persona, world, persona, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona(persona).post(reverse("synergy-interest", args=[world.synergies["ab"].pk]),
                                            {"answer": "yes"})
    assert response.status_code < 400


def test_each_message_has_one_recipient_and_no_secret_of_the_other_side(world, as_persona,
                                                                        django_capture_on_commit_callbacks):
    _answer(as_persona, world, "member_b", django_capture_on_commit_callbacks)
    assert {m.to[0] for m in mail.outbox} >= {"member_a@example.org", "admin_a@example.org"}
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc, message.to
        text = message.subject + message.body
        leaked = [s for s in forbidden_secrets(world, PERSONA_OF[message.to[0]]) if s in text]
        assert not leaked, (message.to, leaked)
    mail.outbox.clear()
    _answer(as_persona, world, "member_a", django_capture_on_commit_callbacks)  # both yes: revealed on the page
    assert mail.outbox and all(len(m.to) == 1 for m in mail.outbox)
    for message in mail.outbox:  # the e-mail points to the page; it carries no address of the other side
        other = ("member_b@example.org",) if message.to[0] != "member_b@example.org" else (
            "member_a@example.org", "admin_a@example.org")
        assert not any(address in message.body for address in other), message.to
