from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "boucle.observatory"
    label = "observatory"
