from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "boucle.sharing"
    label = "sharing"
