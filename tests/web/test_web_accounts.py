"""Accounts: e-mail login, the login limiter, password reset, invitations, API tokens."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from boucle.accounts.models import ApiToken, Invitation, Membership
from web_personas import PASSWORD


@pytest.fixture(autouse=True)
def clear_cache(db):
    cache.clear()


def test_login_with_email_or_username(world, client):
    for login in ("member_a@example.org", "MEMBER_A@example.org", "member_a"):
        client.logout()
        response = client.post("/connexion/", {"username": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert client.get("/espace/").status_code == 200


def _admin_login(client, login, password):
    return client.post("/admin/login/?next=/admin/", {"username": login, "password": password})


def test_ten_wrong_passwords_lock_the_account_on_every_login_form(world):
    """One count per account, whatever the form (ours, the admin's), the address, the spelling of
    the login or the client: the red team's 30 admin guesses were never blocked."""
    ours = Client(REMOTE_ADDR="192.0.2.1")
    admin = Client(REMOTE_ADDR="198.51.100.7")  # another address, another session: another worker, say
    for i in range(5):
        assert ours.post("/connexion/", {"username": "member_a", "password": f"wrong {i}"}).status_code == 200
    for i in range(4):
        assert _admin_login(admin, "MEMBER_A@example.org", f"wrong {i}").status_code == 200
    assert _admin_login(admin, "member_a@example.org", "wrong 10").status_code == 429  # the tenth locks
    for client, attempt in ((ours, lambda c: c.post("/connexion/", {"username": "member_a", "password": PASSWORD})),
                            (admin, lambda c: _admin_login(c, "member_a", PASSWORD))):
        locked = attempt(client)
        assert locked.status_code == 429 and "Trop de tentatives" in locked.content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post("/connexion/", {"username": "member_a", "password": PASSWORD},
                                                     HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and "Too many attempts" in english.content.decode()
    # Another account, from the same address, is not locked out.
    assert ours.post("/connexion/", {"username": "member_b", "password": PASSWORD}).status_code == 302


def test_the_admin_login_is_limited_too(world):
    client = Client()
    statuses = [_admin_login(client, "root", "wrong").status_code for _ in range(12)]
    assert statuses[:9] == [200] * 9 and set(statuses[9:]) == {429}
    assert _admin_login(client, "root", PASSWORD).status_code == 429  # even the right password, until cool-off


def test_a_success_resets_the_count(world, client):
    for _ in range(9):
        client.post("/connexion/", {"username": "member_a", "password": "wrong"})
    assert client.post("/connexion/", {"username": "member_a", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(9):
        assert client.post("/connexion/", {"username": "member_a", "password": "wrong"}).status_code == 200


def test_the_limiter_counts_in_a_cache_every_worker_shares(world, client):
    """The database cache by default (Redis with BOUCLE_CACHE_URL): not a per-process counter."""
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == "boucle.accounts.cache.DatabaseCache"
    client.post("/connexion/", {"username": "member_a", "password": "wrong"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM boucle_cache")
        assert cursor.fetchone()[0] >= 1  # the counter is a row another process reads


def test_cache_url_selects_redis_or_is_refused():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    def run(url):
        env = {"DJANGO_SETTINGS_MODULE": "boucle.settings", "BOUCLE_CACHE_URL": url, "PATH": "/usr/bin:/bin"}
        import os

        env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
        return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env,
                              capture_output=True, text=True)

    assert run("redis://127.0.0.1:6379/1").stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    refused = run("memcached://x")
    assert refused.returncode != 0 and "BOUCLE_CACHE_URL" in refused.stderr


def test_password_reset_sends_a_working_link(world, client):
    client.post("/mot-de-passe/", {"email": "member_a@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/mot-de-passe/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "another long passphrase 77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert Client().post("/connexion/", {"username": "member_a", "password": new}).status_code == 302


def test_invitation_creates_an_account_and_a_membership(world, client, as_persona):
    admin = as_persona("admin_a")
    admin.post(f"/entreprises/{world.sites['A'].company_id}/membres/", {"email": "new@example.org", "role": "member"})
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/]+(/invitation/\S+/)", mail.outbox[0].body).group(1)
    admin.logout()
    response = client.post(path, {"username": "newcomer", "new_password1": "a fine new passphrase 9",
                                  "new_password2": "a fine new passphrase 9"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newcomer")
    assert membership.company == world.sites["A"].company and membership.role == "member"
    assert membership.user.email == "new@example.org"


def test_a_member_cannot_invite_and_a_forged_invitation_fails(world, as_persona, client):
    response = as_persona("member_a").post(f"/entreprises/{world.sites['A'].company_id}/membres/",
                                           {"email": "x@example.org", "role": "admin"})
    assert response.status_code == 403
    _invitation, clear = Invitation.issue(world.sites["A"].company, "x@example.org", "admin", world.users["admin_a"])
    client.logout()
    assert client.get(f"/invitation/{clear[:-2]}xx/").status_code == 400


def _invite(as_persona, world, email, role="member"):
    mail.outbox.clear()
    as_persona("admin_a").post(f"/entreprises/{world.sites['A'].company_id}/membres/", {"email": email, "role": role})
    return re.search(r"https?://[^/]+(/invitation/\S+/)", mail.outbox[-1].body).group(1)


def test_an_invitation_link_is_used_once(world, as_persona):
    path = _invite(as_persona, world, "member_b@example.org", role="admin")
    member_b = as_persona("member_b")
    assert member_b.post(path).status_code == 302
    assert Membership.objects.filter(user=world.users["member_b"], company=world.sites["A"].company).exists()
    again = member_b.post(path)
    assert again.status_code == 400 and "déjà servi" in again.content.decode()


def test_a_removed_member_cannot_rejoin_with_an_old_link(world, as_persona):
    """The red team's case: removed, then back as administrator through the link of a week before."""
    path = _invite(as_persona, world, "member_b@example.org", role="admin")
    spare = _invite(as_persona, world, "member_b@example.org", role="admin")  # a second link, never used
    member_b = as_persona("member_b")
    member_b.post(path)
    Membership.objects.filter(user=world.users["member_b"], company=world.sites["A"].company).delete()
    for link in (path, spare):
        assert member_b.post(link).status_code == 400
    assert not Membership.objects.filter(user=world.users["member_b"], company=world.sites["A"].company).exists()


def test_an_invitation_can_be_revoked_and_is_bound_to_its_address(world, as_persona, client):
    path = _invite(as_persona, world, "member_b@example.org")
    assert as_persona("member_a").post(path).status_code == 403  # another address: refused
    invitation = Invitation.objects.get(email="member_b@example.org")
    page = as_persona("admin_a").get(f"/entreprises/{world.sites['A'].company_id}/membres/").content.decode()
    assert "member_b@example.org" in page and "Retirer" in page
    as_persona("admin_a").post(f"/entreprises/{world.sites['A'].company_id}/invitations/{invitation.pk}/retirer/")
    refused = as_persona("member_b").post(path)
    assert refused.status_code == 400 and "retirée" in refused.content.decode()
    assert not Membership.objects.filter(user=world.users["member_b"], company=world.sites["A"].company).exists()
    Invitation.objects.update(revoked_at=None, expires_at=timezone.now() - timedelta(seconds=1))
    assert "expiré" in as_persona("member_b").post(path).content.decode()  # a week later


def test_api_token_shown_once_then_usable_then_revoked(world, as_persona, client):
    page = as_persona("member_a").post("/compte/jetons/", {"name": "script ERP", "scope": "read",
                                                           "days": "90"}).content.decode()
    clear = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert clear not in as_persona("member_a").get("/compte/jetons/").content.decode()
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    sites = client.get("/api/sites", **auth)
    assert sites.status_code == 200 and [s["name"] for s in sites.json()] == ["Usine Alphaciment"]
    token = ApiToken.objects.get(name="script ERP")
    assert token.last_used_at is not None
    as_persona("member_a").post(f"/compte/jetons/{token.pk}/revoquer/")
    client.logout()
    assert client.get("/api/sites", **auth).status_code == 401


def test_email_backend_accepts_address_or_username_but_not_an_ambiguous_address(world, rf):
    from django.contrib.auth import get_user_model

    from boucle.accounts.backends import EmailOrUsernameBackend

    backend = EmailOrUsernameBackend()
    assert backend.authenticate(rf.post("/"), username="Member_A@example.org", password=PASSWORD).username == "member_a"
    assert backend.authenticate(rf.post("/"), username="member_a", password=PASSWORD).username == "member_a"
    get_user_model().objects.create_user("twin", "member_a@example.org", PASSWORD)
    assert backend.authenticate(rf.post("/"), username="member_a@example.org", password=PASSWORD) is None


def _flow_post(world):
    return {"site": world.sites["A"].pk, "direction": "need", "label": "Gypse", "quantity": 12, "unit": "t"}


def test_a_read_only_token_reads_but_never_writes(world, client):
    _token, clear = ApiToken.issue(world.users["member_a"], "tableau de bord", scope="read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    assert client.get("/api/sites", **auth).status_code == 200
    refused = client.post("/api/flows", _flow_post(world), content_type="application/json", **auth)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    capture = client.post("/passeports/epcis/capture", "{}", content_type="application/json", **auth)
    assert capture.status_code == 403
    assert not world.sites["A"].flows.filter(label="Gypse").exists()
    _token, writer = ApiToken.issue(world.users["member_a"], "ERP", scope="write")
    created = client.post("/api/flows", _flow_post(world), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert created.status_code == 201


def test_an_expired_token_is_refused(world, client):
    token, clear = ApiToken.issue(world.users["member_a"], "vieux script", scope="write", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    assert client.get("/api/sites", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get("/api/sites", **auth).status_code == 401
    assert client.post("/passeports/epcis/capture", "{}", content_type="application/json", **auth).status_code == 401


def test_tokens_are_read_only_for_90_days_unless_chosen(world, as_persona):
    as_persona("member_a").post("/compte/jetons/", {"name": "défaut", "scope": "read", "days": "90"})
    token = ApiToken.objects.get(name="défaut")
    assert token.scope == "read" and timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    page = as_persona("member_a").get("/compte/jetons/").content.decode()
    assert "lecture seule" in page
