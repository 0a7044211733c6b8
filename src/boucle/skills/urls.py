from django.urls import path

from . import views

app_name = "skills"
urlpatterns = [
    path("", views.skills_page, name="home"),
    path("declarer", views.declare, name="declare"),
    path("formations/", views.trainings_page, name="trainings"),
]
