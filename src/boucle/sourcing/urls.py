from django.urls import path

from . import views

urlpatterns = [path("", views.search_page, name="sourcing-search"),
               path("substitutions/", views.substitutes_page, name="sourcing-substitutes")]
