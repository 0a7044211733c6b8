from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "boucle.jobs"
    label = "jobs"
    verbose_name = "Tâches de fond"
