from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import theme


def _observatory_ref(user):
    """The territory whose observatory the navigation links to: the user's first facilitation."""
    if not user.is_authenticated:
        return None
    facilitation = user.facilitations.order_by("pk").values("level", "code").first()
    return facilitation


def site_settings(request):
    user = getattr(request, "user", None)
    return {"TILE_URL": settings.BOUCLE_TILE_URL, "TILE_ATTRIBUTION": settings.BOUCLE_TILE_ATTRIBUTION,
            "SITE_NAME": settings.BOUCLE_SITE_NAME, "LOGO_URL": settings.BOUCLE_LOGO_URL,
            "THEME_CSS": theme.css(settings.BOUCLE_PRIMARY_COLOR),
            "NAV_OBSERVATORY": SimpleLazyObject(lambda: _observatory_ref(user)) if user is not None else None}
