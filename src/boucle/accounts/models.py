"""Who may see and do what: company memberships and territory facilitators.

Roles are rows, not flags on the user, because one person may belong to several
companies and facilitate several territories. The platform administrator is
Django's superuser.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


def _digest(clear: str) -> str:
    return hashlib.sha256(clear.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for scripts; only its SHA-256 is stored, the clear value is shown once.

    A token expires (a forgotten script's token does not live for ever) and has a scope: a
    read-only token is refused on every write (``may``), whatever its user may do."""

    class Scope(models.TextChoices):
        READ = "read", _("lecture seule")
        WRITE = "write", _("lecture et écriture")

    LIFETIMES_DAYS = (30, 90, 365)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(scope__in=["read", "write"]), name="api_token_scope_known")]

    hash = staticmethod(_digest)

    @classmethod
    def issue(cls, user, name: str, *, scope: str = Scope.READ, days: int = 90) -> tuple["ApiToken", str]:
        clear = "bcl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=cls.hash(clear), scope=scope,
                                   expires_at=timezone.now() + timedelta(days=days))
        return token, clear

    @classmethod
    def valid(cls, clear: str) -> "ApiToken | None":
        """The live token behind ``clear``: known, not expired, of an active user."""
        try:  # the digest is unique: get() needs no ORDER BY, unlike first()
            token = cls.objects.select_related("user").get(digest=cls.hash(clear))
        except cls.DoesNotExist:
            return None
        if token.expires_at <= timezone.now() or not token.user.is_active:
            return None
        return token

    def may(self, method: str) -> bool:
        """Whether this token may make a request with this HTTP method (read-only: safe methods only)."""
        return self.scope == self.Scope.WRITE or method.upper() in ("GET", "HEAD", "OPTIONS")

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Invitation(models.Model):
    """An invitation to join a company, bound to one e-mail address, used once, revocable.

    The link carries a random token whose SHA-256 only is stored. Accepting it marks it used (a
    conditional update: two clicks cannot both join); removing a member revokes the invitations
    still pending for that address, so an old link never brings a removed member back."""

    TTL = timedelta(days=7)

    company = models.ForeignKey("flows.Company", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(role__in=["member", "admin"]), name="invitation_role_known")]

    def __str__(self):
        return f"{self.email} → {self.company} ({self.role})"

    @classmethod
    def issue(cls, company, email: str, role: str, by) -> tuple["Invitation", str]:
        clear = secrets.token_urlsafe(32)
        invitation = cls.objects.create(company=company, email=email.strip().lower(), role=role, invited_by=by,
                                        digest=_digest(clear), expires_at=timezone.now() + cls.TTL)
        return invitation, clear

    @classmethod
    def pending(cls):
        return cls.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    @classmethod
    def find(cls, clear: str) -> "Invitation | None":
        return cls.objects.select_related("company").filter(digest=_digest(clear)).first()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def use(self, user) -> bool:
        """Mark used by ``user``; False when it was no longer pending (used, revoked, expired meanwhile)."""
        return bool(Invitation.pending().filter(pk=self.pk).update(accepted_at=timezone.now(), accepted_by=user))


class Profile(models.Model):
    """What the platform keeps about a person beyond Django's user: the language they read.

    Notifications are rendered in the recipient's language, not the actor's; an e-mail is written
    outside any request of the recipient, so their language is kept here, recorded when they log in
    and when they switch language (``accounts.language``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES,
                                help_text="Empty: the platform's language (LANGUAGE_CODE).")

    def __str__(self):
        return f"{self.user} ({self.language or '-'})"
