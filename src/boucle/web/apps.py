from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "boucle.web"
    label = "web"
