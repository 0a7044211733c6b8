from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "boucle.ops"
    label = "ops"
    verbose_name = "Exploitation (sondes, journaux, sauvegardes)"
