from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "boucle.flows"
    label = "flows"
