"""What a company is told after it acts: when matching runs, what comes next, who was told.

Pages used to answer "Flux enregistré." or "Réponse enregistrée." and stop there; a
company then had no idea whether anything would happen. These messages name the next
step and the people involved, and the notifications reach those people.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boucle.accounts.access import _in_territory
from boucle.accounts.models import Facilitator
from boucle.matching.models import MatchingRun
from boucle.notifications.messages import Message
from boucle.notifications.services import notify



def _covers(ref: str, commune) -> bool:
    if not ref:
        return True  # a run over every site
    level, _sep, code = ref.partition(":")
    return commune is not None and _in_territory(commune, level, code)


def last_matching_run(site):
    """The latest finished matching run whose territory contains the site, if any."""
    commune = site.commune if site.commune_id else None
    for run in MatchingRun.objects.filter(finished_at__isnull=False).order_by("-finished_at")[:50]:
        if _covers(run.territory, commune):
            return run
    return None


def after_declaration(site, flows: int = 1) -> str:
    """What happens next to ``flows`` flows just declared or imported on ``site``'s territory."""
    run = last_matching_run(site)
    when = (_("Le dernier rapprochement de votre territoire date du %(date)s.") % {
        "date": formats.date_format(run.finished_at, "DATE_FORMAT")} if run else
            _("Aucun rapprochement n'a encore été lancé sur votre territoire."))
    return " ".join([
        ngettext("Votre flux sera comparé aux offres et besoins des autres entreprises au prochain rapprochement, "
                 "que l'animatrice ou l'animateur du territoire lance.",
                 "Vos flux seront comparés aux offres et besoins des autres entreprises au prochain rapprochement, "
                 "que l'animatrice ou l'animateur du territoire lance.", flows), when,
        _("Les propositions apparaîtront dans « Synergies proposées » et sur votre tableau de bord ; "
          "votre nom reste masqué jusqu'à ce que les deux entreprises aient répondu « Intéressé »."),
    ])


def facilitators_of(synergy) -> list:
    """The facilitators of a territory containing either site of the synergy."""
    communes = [s.commune for s in (synergy.offer.site, synergy.need_site) if s.commune_id]
    return sorted({f.user for f in Facilitator.objects.select_related("user")
                   if any(_in_territory(c, f.level, f.code) for c in communes)}, key=lambda u: u.pk)


def _members(company_ids):
    return list(get_user_model().objects.filter(memberships__company_id__in=company_ids, is_active=True).distinct())


def waiting_without_account(synergy) -> list:
    """The companies whose yes the synergy still waits for and in which nobody has an account: a facilitator
    invites someone from each (``company-members``), who can then answer on Boucle."""
    sides = [(synergy.offer.site.company, synergy.offer_interest), (synergy.need_site.company, synergy.need_interest)]
    waiting = [company for company, interest in sides if interest is not True]
    with_account = set(get_user_model().objects.filter(
        memberships__company__in=waiting, is_active=True).values_list("memberships__company_id", flat=True))
    return [c for i, c in enumerate(waiting) if c.pk not in with_account and c not in waiting[:i]]


def after_interest(request, synergy, user, yes: bool, sides: set) -> str:
    """Tell the other company and the facilitators; return what the answering person reads."""
    link = reverse("synergy-detail", args=[synergy.pk])
    base = request.build_absolute_uri("/")
    material = synergy.material_class  # a key: each person reads the material's name in their own language
    own = {synergy.offer.site.company_id if "offer" in sides else None,
           synergy.need_site.company_id if "need" in sides else None} - {None}
    other = {synergy.offer.site.company_id, synergy.need_site.company_id} - own
    facilitators = [f for f in facilitators_of(synergy) if f.pk != user.pk]
    if not yes:
        notify(facilitators, Message("synergy.declined", material=material), link=link, base_url=base)
        return _("Réponse enregistrée : pas intéressé. L'animateur du territoire en est informé ; "
                 "l'autre entreprise ne connaît pas votre identité.")
    if synergy.revealed_at:
        notify(_members(other) + facilitators, Message("synergy.revealed", material=material), link=link,
               base_url=base)
        return _("Les deux entreprises sont intéressées : leurs coordonnées sont dévoilées. L'autre entreprise et "
                 "l'animateur du territoire sont prévenus ; prenez contact directement ou avec l'aide de l'animateur.")
    partner_told = notify(_members(other), Message("synergy.interested", material=material), link=link,
                          base_url=base)
    to_facilitator = "synergy.interested.facilitator" + ("" if partner_told else ".no_account")
    facilitator_told = notify(facilitators, Message(to_facilitator, material=material), link=link, base_url=base)
    if partner_told and facilitator_told:
        who = _("L'autre entreprise et l'animateur du territoire sont prévenus.")
    elif partner_told:
        who = _("L'autre entreprise est prévenue.")
    elif facilitator_told:
        who = _("L'animateur du territoire est prévenu : l'autre entreprise n'a pas encore de compte sur Boucle, "
                "il prendra contact avec elle.")
    else:
        who = _("L'animateur du territoire suivra la proposition.")
    return " ".join([
        _("Réponse enregistrée : intéressé."), who,
        _("Vos coordonnées restent masquées jusqu'à ce que l'autre entreprise réponde « Intéressé » à son tour ; "
          "vous serez alors prévenu et pourrez vous contacter."),
    ])
