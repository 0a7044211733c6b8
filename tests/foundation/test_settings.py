"""Configuration is read from the environment and parsed strictly."""

import os
import subprocess
import sys


def settings_with(**env):
    code = "from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "boucle.settings", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)


def test_defaults_are_sqlite_and_production(tmp_path):
    """No variable at all: DEBUG off (a debug page shows the settings), SQLite, loopback hosts."""
    result = settings_with(BOUCLE_DATA_DIR=str(tmp_path))
    assert result.returncode == 0 and result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_postgres_url_switches_the_engine():
    result = settings_with(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert "postgresql" in result.stdout


def test_a_misspelt_boolean_stops_the_start():
    result = settings_with(BOUCLE_DEBUG="maybe")
    assert result.returncode != 0 and "BOUCLE_DEBUG" in result.stderr


def _key(**env):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "boucle.settings", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)


def test_a_secret_key_is_made_once_and_kept_private(tmp_path):
    first, second = _key(BOUCLE_DATA_DIR=str(tmp_path)), _key(BOUCLE_DATA_DIR=str(tmp_path))
    assert first.returncode == 0 and len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout  # sessions survive a restart
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert _key(BOUCLE_DATA_DIR=str(tmp_path), BOUCLE_SECRET_KEY="x" * 60).stdout.strip() == "x" * 60


def test_an_unwritable_data_folder_names_the_way_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _key(BOUCLE_DATA_DIR=str(blocker / "var"))
    assert result.returncode != 0 and "BOUCLE_SECRET_KEY" in result.stderr


def test_unknown_database_scheme_is_refused():
    result = settings_with(DATABASE_URL="mysql://x")
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_a_brand_colour_that_is_not_hex_stops_the_start():
    result = settings_with(BOUCLE_PRIMARY_COLOR="green")
    assert result.returncode != 0 and "BOUCLE_PRIMARY_COLOR" in result.stderr


def test_the_tile_server_joins_the_content_security_policy():
    code = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "boucle.settings", "BOUCLE_TILE_URL": "https://data.geopf.fr/wmts?x={x}"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)
    assert "https://data.geopf.fr" in result.stdout
