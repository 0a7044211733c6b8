from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "boucle.flows"
    label = "flows"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .readings import after_migrate

        # after every migrate: a new database records the reading rules' fingerprint, an upgraded one reads
        # its flows' automatic classes again (``flows.readings``)
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="flows-readings")
