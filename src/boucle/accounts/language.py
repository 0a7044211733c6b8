"""The language a person reads, kept so that what is written to them away from their own requests (an
e-mail, a notification created by someone else's action) is in their language, not the actor's.

Recorded when they log in (the language they browse in) and when they pick one in the menu.
"""

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.views.i18n import set_language as django_set_language


def _supported(code: str) -> str:
    try:
        return get_supported_language_variant(code or "")
    except LookupError:
        return ""


def remember(user, code: str) -> None:
    """Keep ``code`` as ``user``'s language (a supported one only; nothing written when unchanged)."""
    from .models import Profile

    code = _supported(code)
    if not code or not getattr(user, "is_authenticated", False):
        return
    if Profile.objects.filter(user=user, language=code).exists():
        return
    Profile.objects.update_or_create(user=user, defaults={"language": code})


def language_of(user) -> str:
    """The language to write to ``user`` in: the one they last used, else the platform's."""
    from .models import Profile

    code = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return _supported(code) or settings.LANGUAGE_CODE


def on_login(sender, request, user, **kwargs):
    if request is not None:
        remember(user, getattr(request, "LANGUAGE_CODE", ""))


def set_language(request):
    """Django's ``set_language`` (cookie and redirect), and the choice kept for a logged-in person."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember(request.user, request.POST.get("language", ""))
    return response
