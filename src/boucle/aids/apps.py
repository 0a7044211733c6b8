from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "boucle.aids"
    label = "aids"
    verbose_name = "Aides et dispositifs de financement"
