"""Shared production equipment, under /equipements/. Who may use each page: see the view docstrings and
tests/web/test_access_sharing.py (persona × route matrix)."""

from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.equipment_list, name="list"),
    path("nouveau/", views.equipment_create, name="create"),
    path("<int:pk>/", views.equipment_detail, name="detail"),
    path("<int:pk>/modifier/", views.equipment_edit, name="edit"),
    path("<int:pk>/reserver/", views.booking_request, name="request"),
    path("reservations/", views.booking_list, name="bookings"),
    path("reservations/<int:pk>/decision/", views.booking_decide, name="decide"),
    path("micro-usine/", views.microfactory, name="microfactory"),
]
