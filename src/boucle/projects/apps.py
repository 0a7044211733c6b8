from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "boucle.projects"
    label = "projects"
