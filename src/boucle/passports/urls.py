"""Passport URLs: the resolver at the root (GS1 Digital Link paths), the rest under /passeports/."""

from django.urls import path, re_path

from . import api_views, resolver_views, views

app_name = "passports"

urlpatterns = [
    re_path(r"^(?P<rest>(?:01|8004)/.+)$", resolver_views.resolve_view, name="resolve"),
    path(".well-known/gs1resolver", resolver_views.description_view, name="resolver-description"),
    path("p/<slug:handle>", resolver_views.platform_view, name="platform-id"),
    path("passeports/nouveau", api_views.create_view, name="create"),
    path("passeports/epcis/capture", api_views.capture_view, name="epcis-capture"),
    path("passeports/epcis/events", api_views.events_view, name="epcis-events"),
    path("passeports/<slug:handle>/", views.page_view, name="page"),
    path("passeports/<slug:handle>.json", views.export_view, name="export"),
    path("passeports/<slug:handle>/qr.<str:kind>", views.qr_view, name="qr"),
    path("passeports/<slug:handle>/etiquettes/", views.labels_view, name="labels"),
]
