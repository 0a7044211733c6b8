from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:pk>/", views.job_detail, name="detail"),
    path("<uuid:pk>/etat/", views.job_progress, name="progress"),
    path("<uuid:pk>/fichier/", views.job_file, name="file"),
]
