"""The one write path for notifications: a row per person, then an e-mail after commit.

E-mail goes through Django's backend (console by default, SMTP with ``BOUCLE_SMTP_*``);
a failing mail server never undoes the action that caused the message, and the
message stays readable in the application either way.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Notification

log = logging.getLogger(__name__)


def notify(users, subject: str, body: str, link: str = "", base_url: str = "") -> int:
    """Tell each active user; returns how many people were told (0 when nobody has an account)."""
    people = {u.pk: u for u in users if u.is_active}
    if not people:
        return 0
    rows = Notification.objects.bulk_create(
        [Notification(user=u, subject=subject[:200], body=body, link=link) for u in people.values()])
    to_mail = [(n, people[n.user_id].email) for n in rows if people[n.user_id].email]
    if to_mail:
        text = body + (f"\n\n{base_url.rstrip('/')}{link}" if link else "")
        transaction.on_commit(lambda: _send([(n, email) for n, email in to_mail], subject, text))
    return len(people)


def _send(pairs, subject, text):
    subject = _("Boucle : %(subject)s") % {"subject": subject}
    messages = [EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [email]) for _n, email in pairs]
    try:
        sent = get_connection().send_messages(messages) or 0
    except OSError:
        log.exception("notification e-mail not sent")
        return
    if sent:
        Notification.objects.filter(pk__in=[n.pk for n, _email in pairs]).update(emailed=True)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
