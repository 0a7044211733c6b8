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
