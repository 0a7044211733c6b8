"""Boucle: territorial industrial ecology.

Importing this package must not load Django: the pure engines (``boucle.gs1``,
``boucle.impact``, ``boucle.matching`` ...) are used by scripts and benchmarks
without settings.
"""

__version__ = "0.1.0"
