"""Passport URLs: the resolver at the root (GS1 Digital Link paths), the rest under /passeports/.

Permissions, for the persona x endpoint matrix (details in each view's docstring):

==========================================  =======  =============================================
URL (sample arguments)                      method   who
==========================================  =======  =============================================
/01/09520123456788/10/L1/21/42, /8004/<x>   GET/HEAD anyone; linkset filtered by tier (OPTIONS: 204)
/.well-known/gs1resolver                    GET      anyone
/.well-known/boucle-chain-head/<handle>     GET/HEAD anyone; the signed head of the last capture (404 before)
/<compressed DL segment>                    GET/HEAD anyone; same answer as the uncompressed URI
/p/<handle>                                 GET      anyone (307 to the page; 404 for GS1 passports)
/passeports/<handle>/ , <handle>.json       GET      anyone; fields filtered by ``access.visible_fields``
/passeports/<handle>/qr.svg|qr.png          GET      anyone
/passeports/<handle>/etiquettes/            GET      anyone
/passeports/epcis/events                    GET      anyone; events filtered by visibility
/passeports/parc-machines/                  GET      facilitators (302 anonymous, 403 others)
/passeports/epcis/capture                   POST     401 anonymous, 403 without ``access.can_capture``
/passeports/nouveau                         POST     401 anonymous, 403 without ``can_edit_site``
/passeports/interet-legitime                POST     401 anonymous, 403 unless facilitator of the company
==========================================  =======  =============================================

Write endpoints answer 405 to other methods; they accept a session (with CSRF) or an API token.
"""

from django.urls import path, re_path

from . import api_views, resolver_views, views

app_name = "passports"

urlpatterns = [
    re_path(r"^(?P<rest>(?:01|8004)/.+)$", resolver_views.resolve_view, name="resolve"),
    path(".well-known/gs1resolver", resolver_views.description_view, name="resolver-description"),
    path(".well-known/boucle-chain-head/<slug:handle>", resolver_views.chain_head_view, name="chain-head"),
    path("p/<slug:handle>", resolver_views.platform_view, name="platform-id"),
    path("passeports/nouveau", api_views.create_view, name="create"),
    path("passeports/interet-legitime", api_views.grant_view, name="grant"),
    path("passeports/epcis/capture", api_views.capture_view, name="epcis-capture"),
    path("passeports/epcis/events", api_views.events_view, name="epcis-events"),
    path("passeports/parc-machines/", views.park_view, name="park"),
    path("passeports/<slug:handle>/", views.page_view, name="page"),
    path("passeports/<slug:handle>.json", views.export_view, name="export"),
    path("passeports/<slug:handle>/qr.<str:kind>", views.qr_view, name="qr"),
    path("passeports/<slug:handle>/etiquettes/", views.labels_view, name="labels"),
    # Last: one base64url segment is a compressed Digital Link (and must not hide a page; see the view).
    re_path(r"^(?P<segment>[A-Za-z0-9_-]{4,})$", resolver_views.compressed_view, name="resolve-compressed"),
]
