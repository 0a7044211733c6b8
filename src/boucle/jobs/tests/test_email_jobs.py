"""Notification e-mails go through a job: sent once, tried again when the mail server fails, never twice.

The locmem backend stands for the mail server; ``Down`` is a server that refuses every message.
"""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone, translation

from boucle.jobs import services
from boucle.jobs.models import Job
from boucle.notifications.models import Notification
from boucle.notifications.services import notify


class Down(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


DOWN = f"{__name__}.Down"


@pytest.fixture
def people(django_user_model):
    return [django_user_model.objects.create_user(name, f"{name}@example.org", "x") for name in ("ana", "ben")] + [
        django_user_model.objects.create_user("cyd", "", "x")]  # no address: told in the application only


def tell(people, capture):
    with capture(execute=True):
        told = notify(people, "Nouvelle proposition", "Une synergie vous attend.", "/synergies/1/")
    return told, Job.objects.get(kind="email")


def test_notifications_are_mailed_by_a_job_once(people, django_capture_on_commit_callbacks):
    told, job = tell(people, django_capture_on_commit_callbacks)
    assert told == 3 and job.state == "done" and job.territory == ""
    assert job.result == {"sent": 2, "already_sent": 0, "uncertain": 0, "no_address": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    assert mail.outbox[0].subject == "Boucle : Nouvelle proposition" and "/synergies/1/" in mail.outbox[0].body
    assert Notification.objects.filter(emailed=True).count() == 2

    Job.objects.filter(pk=job.pk).update(state="queued")  # the message delivered again after the job finished
    assert services.execute(job.pk).result["already_sent"] == 2
    assert len(mail.outbox) == 2  # nobody gets it twice


def test_a_mail_server_failure_is_tried_again_by_a_worker_and_sends_only_what_is_left(
        people, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.BOUCLE_BROKER_URL = "redis://127.0.0.1:1/0"  # a worker runs the job (called here by hand)
    enqueued = []
    monkeypatch.setattr(services, "_enqueue", enqueued.append)
    _told, job = tell(people, django_capture_on_commit_callbacks)
    assert job.state == "queued" and enqueued == [job.pk]

    first = Notification.objects.filter(user=people[0]).get()
    Notification.objects.filter(pk=first.pk).update(emailed=True, email_started_at=timezone.now())  # ana's left before
    settings.EMAIL_BACKEND = DOWN
    with pytest.raises(services.Retry) as retry:
        services.execute(job.pk, may_retry=True)
    assert retry.value.countdown == 60
    job.refresh_from_db()
    assert job.state == "queued" and job.attempts == 1 and job.message == services.STEPS["retry"]
    assert services.labels(job)["error"].startswith("le serveur de courrier n'a pas répondu : Connection")
    with translation.override("en"):
        assert services.labels(job)["error"].startswith("the mail server did not answer: Connection")
    ben = Notification.objects.get(user=people[1])
    assert not ben.emailed and ben.email_started_at is None  # released for the next try

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    job = services.execute(job.pk, may_retry=True)
    assert job.state == "done" and job.attempts == 2
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]
    assert job.result == {"sent": 1, "already_sent": 1, "uncertain": 0, "no_address": 0}


def test_without_a_broker_a_failing_server_fails_the_job_not_the_action(
        people, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = DOWN
    told, job = tell(people, django_capture_on_commit_callbacks)
    assert told == 3 and job.state == "failed" and job.attempts == 1
    assert Notification.objects.count() == 3 and not Notification.objects.filter(emailed=True).exists()


def test_an_e_mail_begun_by_a_process_that_died_is_not_sent_again(
        people, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Handed to the server, then the process died before marking it sent: it may have left, so no second copy."""
    settings.BOUCLE_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        notify(people[:2], "Objet", "Texte")
    job = Job.objects.get(kind="email")
    Notification.objects.filter(user=people[0]).update(email_started_at=timezone.now())
    job = services.execute(job.pk)
    assert job.result["uncertain"] == 1 and [m.to for m in mail.outbox] == [["ben@example.org"]]


def test_an_email_job_checks_its_parameters():
    for bad in ({"notifications": [], "subject": "s", "text": "t"},
                {"notifications": ["1"], "subject": "s", "text": "t"},
                {"notifications": [1], "subject": None, "text": "t"}):
        with pytest.raises(services.JobRefused):
            services.clean_parameters("email", bad)
