"""The site's name and logo where no context processor runs (error pages drawn without a request)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def brand() -> dict:
    return {"name": settings.BOUCLE_SITE_NAME, "logo": settings.BOUCLE_LOGO_URL}
