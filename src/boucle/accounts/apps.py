from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "boucle.accounts"
    label = "accounts"
