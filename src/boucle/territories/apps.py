from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "boucle.territories"
    label = "territories"
