from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "boucle.reference"
    label = "reference"
