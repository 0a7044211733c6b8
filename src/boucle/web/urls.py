from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("carte/", views.territory_map, name="map"),
    path("carte/sites.json", views.map_sites, name="map-sites"),
    path("carte/epci.geojson", views.epci_outlines, name="map-epci"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
]
