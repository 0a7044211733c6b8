from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "boucle.notifications"
    label = "notifications"
    verbose_name = "Notifications"
