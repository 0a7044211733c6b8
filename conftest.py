"""Repository-wide pytest configuration.

The shipped reference tables (communes, waste codes, NAF) are loaded once per test
database; each test then runs in a transaction that is rolled back.
"""

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

TEMPLATES_ENV = "BOUCLE_SQLITE_TEMPLATES"
SRC = Path(__file__).resolve().parent / "src"


def pytest_configure(config):
    """The commands the tests run as subprocesses, each on a new SQLite file of its own data folder, copy one
    database migrated by the first of them (``boucle.bootstrap.ensure_database``) instead of migrating and
    loading the reference tables again (~4 s of CPU each). One folder per run of the suite, made here and
    inherited by the xdist workers, so a run never starts from an older run's database."""
    if not os.environ.get(TEMPLATES_ENV):
        os.environ[TEMPLATES_ENV] = config._boucle_templates = tempfile.mkdtemp(prefix="boucle-test-templates-")


def pytest_unconfigure(config):
    if getattr(config, "_boucle_templates", None):
        shutil.rmtree(config._boucle_templates, ignore_errors=True)
        os.environ.pop(TEMPLATES_ENV, None)


def clean_env(data_dir: Path, database_url: str | None = None) -> dict:
    """The environment of a ``boucle`` subprocess on a data folder of its own: none of the caller's Boucle,
    Django or database settings, French, the run's shared folder of pre-migrated databases."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL", "DJANGO_", "PYTEST_"))}
    return {**env, "PYTHONPATH": str(SRC), "BOUCLE_DATA_DIR": str(data_dir), "BOUCLE_LANG": "fr",
            "DATABASE_URL": database_url or f"sqlite:///{data_dir / 'boucle.sqlite3'}",
            TEMPLATES_ENV: os.environ[TEMPLATES_ENV]}


@pytest.fixture(scope="session")
def demo_data_dir() -> Path:
    """A data folder holding the demo territory as ``boucle demo --no-serve`` makes it (database, passport key
    and log of signed heads), built once per run of the suite, by whichever xdist worker asks first, while the
    others wait for it. Read-only: a test copies it (``shutil.copytree``) and works on its copy."""
    shared = Path(os.environ[TEMPLATES_ENV])
    built = shared / "demo"
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "boucle.sqlite3").exists():
            folder = shared / f"demo-{os.getpid()}"
            done = subprocess.run([sys.executable, "-m", "boucle", "demo", "--no-serve"], capture_output=True,
                                  text=True, env=clean_env(folder), timeout=900)
            assert done.returncode == 0, done.stderr[-3000:]
            folder.rename(built)
    return built


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture(autouse=True)
def passport_anchor_in_tmp(settings, tmp_path):
    """Each test signs passport heads with its own key and logs them in its own folder, never in var/."""
    settings.BOUCLE_PASSPORT_KEY = str(tmp_path / "passport-signing-key.pem")
    settings.BOUCLE_PASSPORT_KEY_CONFIGURED = False
    settings.BOUCLE_PASSPORT_HEADS_LOG = str(tmp_path / "passport-heads.jsonl")
    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"  # the files of export and report jobs


@pytest.fixture(autouse=True)
def french_by_default():
    """Each test starts in French, the platform's default language: a page requested in English by an
    earlier test leaves the thread's language set (Django's LocaleMiddleware never resets it), and a
    later test reading a French message from a service would then depend on the test order."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Fixtures through which a test reaches the suite's database (pytest-django blocks any other access).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server", "admin_client", "admin_user", "django_user_model"}


def touches_the_database(item) -> bool:
    """A test that reads or writes the suite's database: pytest-django lets only those with its marker or a
    database fixture in (the tests handing the suite's ``DATABASE_URL`` to subprocesses carry the marker too)."""
    return bool(item.get_closest_marker("django_db") or item.get_closest_marker("postgres")
                or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch the database: the others (pure engines, standards' test
    vectors, catalogues, subprocesses on their own SQLite file) already ran on SQLite and do not depend on it.
    ``BOUCLE_TEST_EVERYTHING=1`` runs them all."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or os.environ.get("BOUCLE_TEST_EVERYTHING"):
        return
    keep = [item for item in items if touches_the_database(item)]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not touches_the_database(item)])
        items[:] = keep
