from django.urls import path

from . import views

app_name = "aids"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("nouvelle/", views.aid_edit, name="create"),
    path("<int:pk>/", views.aid_detail, name="detail"),
    path("<int:pk>/modifier/", views.aid_edit, name="edit"),
    path("<int:pk>/archiver/", views.aid_archive, name="archive"),
    path("<int:pk>/territoire/", views.aid_curate, name="curate"),
]
