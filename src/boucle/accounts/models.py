"""Who may see and do what: company memberships and territory facilitators.

Roles are rows, not flags on the user, because one person may belong to several
companies and facilitate several territories. The platform administrator is
Django's superuser.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "membre"
        ADMIN = "admin", "administrateur"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey("flows.Company", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_membership_per_company")]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"


class Facilitator(models.Model):
    """A person who steers the synergies of a territory (intercommunality, region, chamber)."""

    class Level(models.TextChoices):
        REGION = "region", "région"
        DEPARTEMENT = "departement", "département"
        EPCI = "epci", "EPCI"
        COMMUNE = "commune", "commune"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitations")
    level = models.CharField(max_length=12, choices=Level.choices)
    code = models.CharField(max_length=9)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "level", "code"], name="one_facilitation_per_territory")]

    def __str__(self):
        return f"{self.user} facilitates {self.level}:{self.code}"

    @property
    def ref(self) -> str:
        return f"{self.level}:{self.code}"


class ApiToken(models.Model):
    """A token for scripts; only its SHA-256 is stored, the clear value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        clear = "bcl_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.hash(clear)), clear
