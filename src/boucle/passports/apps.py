from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "boucle.passports"
    label = "passports"
