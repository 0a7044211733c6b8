"""What a person was told, kept so they can read it again in the application."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one person; written only by ``boucle.notifications.services.notify``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
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

    def __str__(self):
        return f"{self.user}: {self.subject}"
