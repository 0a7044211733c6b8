from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "boucle.sourcing"
    label = "sourcing"
