from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "boucle.matching"
    label = "matching"
