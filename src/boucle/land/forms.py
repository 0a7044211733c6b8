"""A facilitator's follow-up of a land entry: its status and its link to a synergy or an answer.

The synergies offered, and the ones accepted on POST, are those ``matching.services.visible_synergies``
lets the facilitator open (the rule every synergy page and the map use); the answers those
``projects.access.can_read_answer`` lets them read. A posted id outside these is refused with an
error naming the field, never linked. A link already in place stays choosable, so saving the
status does not undo what the platform administrator linked.
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import LandSite

#: The most synergies the select lists (under way first, then the best suggestions); any other
#: visible synergy is still accepted by its number.
MAX_SYNERGY_CHOICES = 300


def visible_synergy_choices(user, current_id=None):
    from boucle.matching import lifecycle
    from boucle.matching.services import visible_synergies

    qs = visible_synergies(user).exclude(status=lifecycle.DECLINED).filter(stale=False)
    under_way = list(qs.exclude(status=lifecycle.SUGGESTED).order_by("-score", "id")[:MAX_SYNERGY_CHOICES])
    suggested = list(qs.filter(status=lifecycle.SUGGESTED)
                     .order_by("-score", "id")[:max(0, MAX_SYNERGY_CHOICES - len(under_way))])
    chosen = under_way + suggested
    if current_id and current_id not in {s.pk for s in chosen}:
        chosen += list(visible_synergies(user).filter(pk=current_id))
    return chosen


class SynergyField(forms.ModelChoiceField):
    def label_from_instance(self, synergy):
        """The number, the material and where it stands: no company name (a facilitator may see one
        end only)."""
        from boucle.web.present import STATUS_LABELS, material_label

        return _("n° %(n)s — %(material)s (%(status)s)") % {
            "n": synergy.pk, "material": material_label(synergy.material_class) or _("matière non classée"),
            "status": STATUS_LABELS.get(synergy.status, "")}


class LandFollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=LandSite.Status.choices)
    synergy = SynergyField(label=_("Synergie liée"), queryset=None, required=False, empty_label=_("aucune"),
                           error_messages={"invalid_choice": _(
                               "Synergie liée : la synergie n° %(value)s n'existe pas ou n'est pas visible "
                               "dans vos territoires ; rien n'a été changé.")})
    answer = forms.ModelChoiceField(label=_("Réponse à un appel à projets"), queryset=None, required=False,
                                    empty_label=_("aucune"), error_messages={"invalid_choice": _(
                                        "Réponse à un appel à projets : la réponse n° %(value)s n'existe pas ou "
                                        "vous ne pouvez pas la lire ; rien n'a été changé.")})

    def __init__(self, *args, user, site: LandSite, **kwargs):
        super().__init__(*args, **kwargs)
        from boucle.matching.services import visible_synergies

        self.user, self.site = user, site
        self.fields["status"].choices = [(key, capfirst(str(label))) for key, label in LandSite.Status.choices]
        self.choices_shown = visible_synergy_choices(user, site.synergy_id)
        # Validation accepts every visible synergy (the select lists the first ones) and the link in place.
        self.fields["synergy"].queryset = visible_synergies(user) | _current(site.synergy_id)
        self.fields["synergy"].choices = [("", _("aucune"))] + [
            (s.pk, self.fields["synergy"].label_from_instance(s)) for s in self.choices_shown]
        if site.synergy_id and site.synergy_id not in {s.pk for s in self.choices_shown}:
            self.fields["synergy"].choices.append((site.synergy_id, _("n° %(n)s (lien actuel)") % {"n": site.synergy_id}))
        self.fields["answer"].queryset, readable = answer_choices(user, site.answer_id)
        self.fields["answer"].label_from_instance = lambda a: (
            f"{a.company.name} — {a.call.title}" if a.pk in readable else str(_("réponse liée actuellement")))
        if not self.is_bound:
            self.initial = {"status": site.status, "synergy": site.synergy_id, "answer": site.answer_id}


def _current(synergy_id):
    from boucle.matching.models import Synergy

    return Synergy.objects.filter(pk=synergy_id or 0)


def answer_choices(user, current_id=None):
    """(queryset, ids the user may read): submitted answers of companies in the facilitator's
    territories that they may read, and the answer already linked (named only if readable)."""
    from boucle.accounts.access import facilitated_q
    from boucle.projects.access import can_read_answer
    from boucle.projects.models import Answer

    answers = Answer.objects.select_related("call", "company").exclude(status="draft")
    if not user.is_superuser:
        q = facilitated_q(user, "company__sites__commune__")
        answers = answers.filter(q).distinct() if q is not None else answers.none()
    readable = {a.pk for a in answers.order_by("-id")[:200] if can_read_answer(user, a)}
    chosen = Answer.objects.select_related("call", "company").filter(pk__in=readable | {current_id or 0})
    return chosen.order_by("-id"), readable
