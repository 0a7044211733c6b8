"""Log in with an e-mail address as well as a username.

People remember their e-mail, not the username an administrator picked for them.
An address shared by several accounts logs no one in: guessing which account was
meant would be a security hole.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def username_for(login: str) -> str:
    """The username behind an e-mail address, or the text itself when it is not an unambiguous address."""
    login = (login or "").strip()
    if "@" not in login:
        return login
    User = get_user_model()
    matches = list(User.objects.filter(email__iexact=login).values_list(User.USERNAME_FIELD, flat=True)[:2])
    return matches[0] if len(matches) == 1 else login


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=username_for(username), password=password, **kwargs)
