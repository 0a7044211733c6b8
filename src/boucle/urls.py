from django.contrib import admin
from django.urls import include, path

from boucle.accounts.language import set_language
from boucle.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),  # before Django's: also keeps the user's choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("boucle.ops.urls")),  # /healthz, /readyz: before any catch-all route
    path("", include("boucle.accounts.urls")),
    path("", include("boucle.passports.urls")),
    path("observatoire/", include("boucle.observatory.urls")),
    path("appels/", include("boucle.projects.urls")),
    path("equipements/", include("boucle.sharing.urls")),
    path("notifications/", include("boucle.notifications.urls")),
    path("lieux/", include("boucle.places.urls")),
    path("fournisseurs/", include("boucle.sourcing.urls")),
    path("aides/", include("boucle.aids.urls")),
    path("foncier/", include("boucle.land.urls")),
    path("competences/", include("boucle.skills.urls")),
    path("taches/", include("boucle.jobs.urls")),
    path("", include("boucle.web.urls")),
]
