from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("lues/", views.mark_read, name="notifications-read"),
]
