from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "boucle.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete

        from .language import on_login
        from .models import Membership

        user_logged_in.connect(on_login, dispatch_uid="accounts.remember_language")

        post_delete.connect(_revoke_pending_invitations, sender=Membership,
                            dispatch_uid="accounts.revoke_pending_invitations")


def _revoke_pending_invitations(sender, instance, **kwargs):
    """A member removed (by a page, the admin or a script) cannot come back through a pending invitation."""
    from django.utils import timezone

    from .models import Invitation

    try:
        email = (instance.user.email or "").strip().lower()
    except Exception:  # the user is being deleted too: nobody left to come back
        return
    if email:
        Invitation.pending().filter(company_id=instance.company_id, email=email).update(revoked_at=timezone.now())
