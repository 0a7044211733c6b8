from django.urls import path

from . import views

app_name = "land"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("<str:identifier>/", views.detail_page, name="detail"),
    path("<str:identifier>/modifier", views.update, name="update"),
]
