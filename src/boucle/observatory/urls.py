from django.urls import path

from . import views

app_name = "observatory"
T = "territoire/<str:level>/<str:code>/"

urlpatterns = [
    path("", views.public_home, name="public"),
    path("epci.geojson", views.public_epci_geojson, name="public-epci"),
    path("donnees/epci.<str:fmt>", views.public_export, name="public-export"),
    path(T, views.territory, name="territory"),
    path(T + "toile.json", views.territory_sankey, name="territory-sankey"),
    path(T + "liste/", views.territory_list, name="territory-list"),
    path(T + "carte.geojson", views.territory_map_geojson, name="territory-map"),
    path(T + "synergies.geojson", views.territory_lines_geojson, name="territory-lines"),
    path(T + "rapport/", views.territory_report, name="territory-report"),
    path(T + "export/<str:what>.<str:fmt>", views.territory_export, name="territory-export"),
]
