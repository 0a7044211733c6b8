"""Invitations of colleagues by a company administrator, as signed links.

The link carries the company, the invited address and the role, signed with the
secret key and valid for a week: nothing to store, nothing to clean up, and a
tampered link fails the signature check.
"""

from django.core import signing

SALT = "boucle.accounts.invitation"
MAX_AGE_S = 7 * 24 * 3600


def make_token(company_id: int, email: str, role: str, inviter_id: int) -> str:
    return signing.dumps({"c": company_id, "e": email.strip().lower(), "r": role, "by": inviter_id}, salt=SALT)


def read_token(token: str) -> dict:
    """The invitation, or ``signing.BadSignature`` (``SignatureExpired`` when too old)."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE_S)
    if data.get("r") not in ("member", "admin") or not isinstance(data.get("c"), int):
        raise signing.BadSignature("malformed invitation")
    return data
