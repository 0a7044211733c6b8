"""What a person was told, kept so they can read it again in the application."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one person; written only by ``boucle.notifications.services.notify``.

    A platform message is stored as a key and parameters (``messages.MESSAGES``) and read in the
    reader's language; ``subject`` and ``body`` then keep its words in the recipient's language at
    the time it was written (for the admin, and for a key a later version might drop). A message
    without key (free text given by a script) is shown as written."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=60, blank=True, help_text="Key of the message in notifications.messages; "
                                                                    "empty: subject and body are shown as written.")
    params = models.JSONField(default=dict, blank=True, help_text="The message's parameters: codes, not words.")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the site, e.g. /synergies/12/.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    email_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a job began handing the e-mail to the mail server: an e-mail begun "
                                         "but never marked sent (the job's process died meanwhile) is not sent again.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def text(self, language: str | None = None) -> tuple[str, str]:
        """(subject, body) in ``language``, the active language when None."""
        from .messages import MESSAGES, render

        if self.message in MESSAGES:
            subject, body = render(self.message, self.params, language)
            return subject[:200], body
        return self.subject, self.body

    @property
    def shown_subject(self) -> str:
        return self.text()[0]

    @property
    def shown_body(self) -> str:
        return self.text()[1]

    def __str__(self):
        return f"{self.user}: {self.subject}"
