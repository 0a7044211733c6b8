from django.conf import settings


def site_settings(request):
    return {"TILE_URL": settings.BOUCLE_TILE_URL, "TILE_ATTRIBUTION": settings.BOUCLE_TILE_ATTRIBUTION}
