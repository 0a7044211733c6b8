"""The one write path for notifications: a row per person, then an e-mail job after commit.

E-mail goes through Django's backend (console by default, SMTP with ``BOUCLE_SMTP_*``) in a
job (``boucle.jobs``, kind ``email``): run by a worker when ``BOUCLE_BROKER_URL`` is set, which
tries again when the mail server does not answer, and at once in the process otherwise. A
failing mail server never undoes the action that caused the message, and the message stays
readable in the application either way.

A job may run more than once, so each notification records its e-mail's state: begun
(``email_started_at``), then sent (``emailed``). A run sends only what was never begun; a failure
the mail server reports releases the e-mail for the next try; an e-mail begun by a process that
died before marking it sent is not sent again (it may have left): at most one e-mail per person.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from .messages import Message
from .models import Notification

log = logging.getLogger(__name__)


def notify(users, message: "Message | str", body: str = "", link: str = "", base_url: str = "") -> int:
    """Tell each active user; returns how many people were told (0 when nobody has an account).

    ``message`` is a platform message (``messages.Message``), read by each person in their own
    language; a plain string is a subject written by a script, kept as written with ``body``."""
    from boucle.accounts.language import language_of

    people = {u.pk: u for u in users if u.is_active}
    if not people:
        return 0
    rows = []
    for user in people.values():
        if isinstance(message, Message):
            subject, text = message.render(language_of(user))
            rows.append(Notification(user=user, message=message.key, params=message.params,
                                     subject=subject[:200], body=text, link=link))
        else:
            rows.append(Notification(user=user, subject=message[:200], body=body, link=link))
    rows = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in rows if people[n.user_id].email]
    if ids:
        transaction.on_commit(lambda: _submit(ids, base_url))
    return len(people)


def _submit(ids: list[int], base_url: str) -> None:
    from boucle.jobs import services as jobs

    try:
        jobs.submit("email", "", {"notifications": ids, "base_url": base_url})
    except jobs.JobRefused:  # the broker is down: the job says so; the notifications stay readable
        log.exception("notification e-mail job not queued")


def email_of(notification: Notification, base_url: str = "") -> tuple[str, str]:
    """(subject, text) of a notification's e-mail, in its recipient's language."""
    from boucle.accounts.language import language_of

    language = language_of(notification.user)
    subject, body = notification.text(language)
    with translation.override(language):
        subject = _("Boucle : %(subject)s") % {"subject": subject}
    link = notification.link
    return subject, body + (f"\n\n{base_url.rstrip('/')}{link}" if link else "")


class MailServerDown(Exception):
    """The mail server refused or did not answer: nothing of that e-mail left."""


MAX_RECIPIENTS = 5000


def email_parameters(raw: dict) -> dict:
    """The parameters of an e-mail job, checked: notification ids and the site's address (``jobs.services``).

    Each e-mail is written when sent, in its recipient's language; a job queued by an earlier version
    carries its ``subject`` and ``text`` instead, sent as they were written."""
    from boucle.jobs.services import JobRefused

    ids, base_url = raw.pop("notifications", None), raw.pop("base_url", "")
    subject, text = raw.pop("subject", ""), raw.pop("text", "")
    if not isinstance(ids, list) or not 0 < len(ids) <= MAX_RECIPIENTS \
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise JobRefused(_("notifications : une liste d'identifiants"))
    if not isinstance(base_url, str) or len(base_url) > 300 \
            or not isinstance(subject, str) or not isinstance(text, str):
        raise JobRefused(_("base_url : l'adresse du site"))
    if base_url and not base_url.startswith(("http://", "https://")):
        raise JobRefused(_("base_url : l'adresse du site"))
    if subject and text and not base_url:  # queued before e-mails were written per recipient
        return {"notifications": ids, "subject": subject, "text": text}
    return {"notifications": ids, "base_url": base_url}


def send_pending(parameters: dict) -> dict:
    """Send the e-mails of these notifications that were never begun; what an e-mail job does.

    Each e-mail is claimed (``email_started_at``) and committed before it is handed to the server,
    then marked sent; ``MailServerDown`` when the server fails, the failed e-mail released so the
    job's next try sends it (and only what is still unsent)."""
    base_url = parameters.get("base_url", "")
    pending = Notification.objects.filter(pk__in=parameters["notifications"]).select_related("user").order_by("pk")
    counts = {"sent": 0, "already_sent": 0, "uncertain": 0, "no_address": 0}
    connection = None
    try:
        for notification in pending:
            if notification.emailed:
                counts["already_sent"] += 1
                continue
            if notification.email_started_at is not None:  # begun by a process that died: it may have left
                counts["uncertain"] += 1
                continue
            if not notification.user.email:
                counts["no_address"] += 1
                continue
            claimed = Notification.objects.filter(pk=notification.pk, emailed=False, email_started_at__isnull=True)\
                .update(email_started_at=timezone.now())
            if not claimed:
                counts["already_sent"] += 1
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                if "text" in parameters:
                    subject, text = parameters["subject"], parameters["text"]
                else:
                    subject, text = email_of(notification, base_url)
                connection.send_messages([EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL,
                                                       [notification.user.email])])
            except (OSError, smtplib.SMTPException) as exc:
                Notification.objects.filter(pk=notification.pk).update(email_started_at=None)
                log.warning("notification e-mail not sent: %s", exc)
                raise MailServerDown(str(exc) or type(exc).__name__) from None
            Notification.objects.filter(pk=notification.pk).update(emailed=True)
            counts["sent"] += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except (OSError, smtplib.SMTPException):
                pass
    return counts


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
