from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "boucle.land"
    verbose_name = "Foncier économique et friches"
