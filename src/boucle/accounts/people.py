"""How a person is named to other people (histories, assessments): never by the login.

The login is often an e-mail address (« jeanne.martin@usine.fr »): it names the person and gives a way to
reach them, which the reader may have no right to. A person is named by the full name they gave; without
one, by their role (« un membre de l'entreprise Alphaciment SA »). Whether the reader may know the person at all (the
company may still be anonymous to them) is the caller's decision, taken before calling this.
"""

from django.utils.translation import gettext as _


def full_name(person) -> str:
    """The full name ``person`` gave, "" when none (or one that is an e-mail address, or a deleted account)."""
    if person is None:
        return ""
    name = " ".join(person.get_full_name().split())
    return "" if "@" in name else name


def person_name(person, *, company: str | None = None) -> str:
    """``person``'s full name, else « un membre de l'entreprise <company> » (a company member) or « un membre de l'équipe
    d'animation » (``company`` None: a facilitator); "" for a deleted account."""
    if person is None:
        return ""
    name = full_name(person)
    if name:
        return name
    if company:
        return _("un membre de l'entreprise %(company)s") % {"company": company}
    return _("un membre de l'équipe d'animation")
