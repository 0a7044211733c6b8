"""Operations: health and readiness probes, request ids in the logs, backups that restore.

``archive.py`` is the backup file format (no Django); ``backup.py`` reads and writes the
database through it; ``health.py`` holds the readiness checks the probes and the docs share.
"""
