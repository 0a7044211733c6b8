from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "boucle.places"
    label = "places"
    verbose_name = "Lieux (réparer, donner, déposer)"
