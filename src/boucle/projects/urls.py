"""Calls for projects (AMI), under /appels/. Who may use each page: see the view docstrings and
tests/web/test_access_projects.py (persona × route matrix)."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("nouveau/", views.call_create, name="create"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/modifier/", views.call_edit, name="edit"),
    path("<int:pk>/statut/", views.call_transition, name="transition"),
    path("<int:pk>/reponse/", views.answer_edit, name="answer"),
    path("<int:pk>/reponses/", views.answer_list, name="answers"),
    path("<int:pk>/reponses.<str:fmt>", views.answer_export, name="export"),
    path("reponses/<int:pk>/", views.answer_detail, name="answer-detail"),
    path("reponses/<int:pk>/evaluation/", views.answer_assess, name="assess"),
]
