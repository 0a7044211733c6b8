from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "boucle.skills"
    verbose_name = "Compétences et formation"
