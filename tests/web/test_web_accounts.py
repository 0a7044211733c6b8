"""Accounts: e-mail login, rate limiting, password reset, invitations, API tokens."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from boucle.accounts import invitations
from boucle.accounts.models import ApiToken, Membership
from web_personas import PASSWORD


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def test_login_with_email_or_username(world, client):
    for login in ("member_a@example.org", "MEMBER_A@example.org", "member_a"):
        client.logout()
        response = client.post("/connexion/", {"username": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert client.get("/espace/").status_code == 200


def test_five_failures_lock_the_login_for_that_address(world, client):
    for _ in range(5):
        assert client.post("/connexion/", {"username": "member_a", "password": "wrong"}).status_code == 200
    locked = client.post("/connexion/", {"username": "member_a", "password": PASSWORD})
    assert locked.status_code == 429 and "Trop de tentatives" in locked.content.decode()
    # Another login from the same address is not locked out.
    assert client.post("/connexion/", {"username": "member_b", "password": PASSWORD}).status_code == 302


def test_password_reset_sends_a_working_link(world, client):
    client.post("/mot-de-passe/", {"email": "member_a@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/mot-de-passe/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "another long passphrase 77"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert client.login(username="member_a", password=new)


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
    token = invitations.make_token(world.sites["A"].company_id, "x@example.org", "admin", 1)
    client.logout()
    assert client.get(f"/invitation/{token[:-2]}xx/").status_code == 400


def test_api_token_shown_once_then_usable_then_revoked(world, as_persona, client):
    page = as_persona("member_a").post("/compte/jetons/", {"name": "script ERP"}).content.decode()
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
