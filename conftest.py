"""Repository-wide pytest configuration.

The shipped reference tables (communes, waste codes, NAF) are loaded once per test
database; each test then runs in a transaction that is rolled back.
"""

import pytest


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
