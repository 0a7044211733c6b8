"""Every model has an admin page a platform administrator can search; nobody else gets in."""

import pytest
from django.contrib import admin
from django.urls import reverse

from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db

BOUCLE_MODELS = [m for m in admin.site._registry if m.__module__.startswith("boucle.")]


def test_every_boucle_model_is_in_the_admin():
    from django.apps import apps

    missing = [m.__name__ for m in apps.get_models() if m.__module__.startswith("boucle.") and m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", BOUCLE_MODELS, ids=lambda m: m.__name__)
def test_changelist_and_search_load_for_the_superuser(admin_client, model):
    site = make_site("Cimenterie", commune="59350")
    make_flow(site)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert admin_client.get(url, {"q": site.site_id[:9]}).status_code == 200


def test_site_search_by_siret_finds_the_site(admin_client):
    site = make_site("Verrerie d'Arques", commune="59350")
    response = admin_client.get(reverse("admin:flows_site_changelist"), {"q": site.site_id})
    assert "Verrerie d&#x27;Arques" in response.content.decode() or "Verrerie d'Arques" in response.content.decode()


def test_filter_by_territory(admin_client):
    make_site("Au nord", commune="59350")
    make_site("A l'est", commune="67482", lat=48.58, lon=7.75)
    response = admin_client.get(reverse("admin:flows_site_changelist"), {"region": "44"})
    body = response.content.decode()
    assert "A l&#x27;est" in body and "Au nord" not in body


def test_a_company_member_cannot_open_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("membre", password="pw-123456789")
    client.force_login(user)
    response = client.get(reverse("admin:flows_site_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]
