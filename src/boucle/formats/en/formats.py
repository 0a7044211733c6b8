"""Boucle's English is British (« recognised », « tonnes ») and its readers European: Django's « en » writes
6 December 2026 as « 12/06/2026 », which they read as 12 June. The British formats say « 06/12/2026 »."""

from django.conf.locale.en_GB.formats import *  # noqa: F401,F403
