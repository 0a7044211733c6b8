"""Shared helpers of the passport tests (a uniquely named module: ``conftest`` is ambiguous
when several test folders are collected together)."""

from django.contrib.auth import get_user_model

from boucle.accounts.models import Membership
from boucle.gs1 import gtin_check_digit

GTIN = "0952012345678" + gtin_check_digit("0952012345678")


def user(name, company=None, **extra):
    u = get_user_model().objects.create_user(name, f"{name}@example.org", None, **extra)  # tests use force_login
    if company is not None:
        Membership.objects.create(user=u, company=company)
    return u


def login(client, u):
    client.force_login(u)
    return client
