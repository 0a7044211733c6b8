"""The messages the platform sends, by key: written in the reader's language when read, not the actor's.

A notification stores a key and its parameters; the words are looked up when the notification is
shown (the reader's language) or e-mailed (the recipient's recorded language,
``accounts.language``). This is Django's own advice for text written outside the reader's request
(render under ``translation.override`` of the recipient) applied at read time, so a person who
switches language reads their old notifications in the new one too, and a rename of a material
reaches old notifications. Parameters are codes (a material key), never translated words.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "synergy.introduced": (
        _("Une synergie vous est proposée : %(material)s"),
        _("L'animatrice ou l'animateur de votre territoire vous met en relation pour cette synergie. "
          "Dites si vous êtes intéressé : vos coordonnées ne sont dévoilées à l'autre entreprise que si "
          "elle répond oui elle aussi.")),
    "synergy.declined": (
        _("Une entreprise décline une synergie (%(material)s)"),
        _("Une des deux entreprises a répondu « Pas intéressé » à cette proposition.")),
    "synergy.revealed": (
        _("Les deux entreprises sont intéressées (%(material)s)"),
        _("Les deux entreprises ont répondu « Intéressé » : leurs coordonnées sont maintenant visibles "
          "sur la page de la synergie. L'animateur du territoire peut vous aider à organiser l'échange.")),
    "synergy.interested": (
        _("Une entreprise est intéressée (%(material)s)"),
        _("Une entreprise s'est dite intéressée par une synergie qui vous concerne. Les coordonnées des "
          "deux entreprises ne sont dévoilées que si l'autre répond « Intéressé » à son tour.")),
    # a facilitator sees both companies already: what to do, not what stays hidden
    "synergy.interested.facilitator": (
        _("Une entreprise est intéressée (%(material)s)"),
        _("Une des deux entreprises a répondu « Intéressé » à cette proposition : proposez la mise en "
          "relation à l'autre entreprise, ou faites avancer la synergie.")),
    "synergy.interested.facilitator.no_account": (
        _("Une entreprise est intéressée (%(material)s)"),
        _("Une des deux entreprises a répondu « Intéressé » à cette proposition : proposez la mise en "
          "relation à l'autre entreprise, ou faites avancer la synergie. L'autre entreprise n'a pas encore de "
          "compte sur Boucle : prenez contact avec elle.")),
}


class Message:
    """A message key with its parameters (``material``: a material class key)."""

    def __init__(self, key: str, **params):
        if key not in MESSAGES:
            raise KeyError(key)
        self.key, self.params = key, params

    def render(self, language: str | None = None) -> tuple[str, str]:
        return render(self.key, self.params, language)


def _words(params: dict) -> dict:
    from boucle.web.present import material_label

    words = {k: v for k, v in params.items() if k != "material"}
    if "material" in params:
        words["material"] = material_label(params["material"])
    elif "material_text" in params:  # a notification written before keys, whose material was not recognised
        words["material"] = params["material_text"]
    return words


def render(key: str, params: dict, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of a message in ``language`` (the active one when None)."""
    subject, body = MESSAGES[key]
    with translation.override(language or translation.get_language()):
        words = _words(params or {})
        return str(subject) % words, str(body) % words
