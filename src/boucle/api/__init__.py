"""Boucle's JSON API (django-ninja), mounted at ``/api/``: same permissions as the pages."""
